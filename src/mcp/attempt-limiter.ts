/**
 * How many tries a caller gets at proving who they are: a fixed window per key (the server hashes org
 * and name into it), counted with rate-limiter-flexible. In Redis when a URL is given, so that every
 * MCP instance behind a load balancer counts the same tries, with an in-process limiter as insurance
 * while Redis is unreachable; in process otherwise. Both libraries load on first use: start-up stays fast.
 *
 * An attempt is taken BEFORE the check it pays for and given back when it turns out not to count, so
 * that a burst of parallel guesses cannot all pass a "fewer than 5 so far?" test at once.
 */
import type { Redis } from "ioredis";
import type { RateLimiterAbstract } from "rate-limiter-flexible";
import type { Logger } from "../log.js";

export const MAX_VERIFICATION_ATTEMPTS = 5;
export const VERIFICATION_WINDOW_MINUTES = 15;

export interface AttemptLimiter {
  /** Takes one attempt for `key`: how many are left after it, or undefined when none was left (locked). */
  take(key: string): Promise<number | undefined>;
  /** Gives back an attempt taken by `take` whose outcome does not count against the caller. */
  giveBack(key: string): Promise<void>;
  /** Loads the libraries and connects, ahead of the first `take`. */
  warmUp(): void;
  close(): Promise<void>;
}

export interface AttemptLimiterOptions {
  /** Shared counting; several MCP instances must use the same url and keyPrefix. */
  redis?: { url: string; keyPrefix: string };
  logger: Logger;
  attempts?: number;
  windowSeconds?: number;
}

/** How long the first use waits for Redis to connect before counting in process instead. */
const REDIS_CONNECT_MS = 2_000;

interface Backend {
  limiter: RateLimiterAbstract;
  isRejection: (error: unknown) => boolean;
  client: Redis | undefined;
}

export function createAttemptLimiter(options: AttemptLimiterOptions): AttemptLimiter {
  const points = options.attempts ?? MAX_VERIFICATION_ATTEMPTS;
  const duration = options.windowSeconds ?? VERIFICATION_WINDOW_MINUTES * 60;
  let backend: Promise<Backend> | undefined;
  const load = () => (backend ??= openBackend(points, duration, options));

  return {
    async take(key) {
      const { limiter, isRejection } = await load();
      try {
        return (await limiter.consume(key)).remainingPoints;
      } catch (error) {
        if (isRejection(error)) return undefined;
        throw error;
      }
    },
    async giveBack(key) {
      const { limiter } = await load();
      await limiter.reward(key, 1);
    },
    warmUp() {
      // A failure to load shows on the first take instead.
      load().catch(() => {});
    },
    async close() {
      if (backend === undefined) return;
      const { client } = await backend;
      await client?.quit().catch(() => client.disconnect());
    },
  };
}

async function openBackend(points: number, duration: number, options: AttemptLimiterOptions): Promise<Backend> {
  const { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } = await import("rate-limiter-flexible");
  const isRejection = (error: unknown) => error instanceof RateLimiterRes;
  const memory = new RateLimiterMemory({ points, duration, keyPrefix: "caller-verification" });
  if (options.redis === undefined) return { limiter: memory, isRejection, client: undefined };

  const { Redis } = await import("ioredis");
  // No offline queue and one try per command: while Redis is away, a count falls through to the
  // in-process insurance limiter at once instead of holding the caller's tool call.
  const client = new Redis(options.redis.url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: REDIS_CONNECT_MS,
  });
  watchConnection(client, options.logger);
  await Promise.race([
    new Promise((resolve) => client.once("ready", resolve)),
    new Promise((resolve) => setTimeout(resolve, REDIS_CONNECT_MS).unref()),
  ]);
  const limiter = new RateLimiterRedis({
    storeClient: client,
    points,
    duration,
    keyPrefix: `${options.redis.keyPrefix}:caller-verification`,
    rejectIfRedisNotReady: true,
    insuranceLimiter: memory,
  });
  return { limiter, isRejection, client };
}

/** One log line per outage and per recovery, not one per reconnection attempt. */
function watchConnection(client: Redis, logger: Logger): void {
  let down = false;
  client.on("ready", () => {
    if (down) logger.info("attempt_store_recovered", { store: "redis" });
    down = false;
  });
  client.on("error", (error: NodeJS.ErrnoException) => {
    if (!down) {
      logger.warn("attempt_store_unavailable", {
        store: "redis",
        error: error.code ?? error.name,
        fallback: "in-process counting",
      });
    }
    down = true;
  });
}
