/** The machine's Redis (127.0.0.1:6379), which .ci/run starts when it is down. */
import { Redis } from "ioredis";
import { expect } from "vitest";

export const REDIS_URL = "redis://127.0.0.1:6379";

/** Fails with how to start Redis, rather than letting counts silently fall back to in-process ones. */
export async function assertRedisUp(): Promise<void> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  const pong = await redis.connect().then(
    () => redis.ping(),
    () => "unreachable",
  );
  redis.disconnect();
  expect(
    pong,
    `Redis must run on 127.0.0.1:6379: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no`,
  ).toBe("PONG");
}

/** Every key under `prefix` (a test run's own). */
export async function keysUnder(prefix: string): Promise<string[]> {
  const redis = new Redis(REDIS_URL);
  try {
    return await redis.keys(`${prefix}*`);
  } finally {
    await redis.quit();
  }
}

/** Deletes every key under `prefix`. */
export async function deleteKeys(prefix: string): Promise<void> {
  const keys = await keysUnder(prefix);
  if (keys.length === 0) return;
  const redis = new Redis(REDIS_URL);
  await redis.del(...keys);
  await redis.quit();
}
