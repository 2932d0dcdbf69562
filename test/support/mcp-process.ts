/** Spawning the built bin (`npm run build` first; `npm test` does) the way MCP clients launch it. */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";

export const CLI = fileURLToPath(new URL("../../dist/cli.js", import.meta.url));

export function assertBuilt(): void {
  expect(existsSync(CLI), `${CLI} is missing: run npm run build first (npm test does)`).toBe(true);
}

/** Environment for the bin: none of the PMS settings of the caller's shell leak in. */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !/^(PMS_|MCP_|SANDBOX_|REDIS_|DATABASE_URL$|LOG_LEVEL$)/.test(key)) env[key] = value;
  }
  return { ...env, ...extra };
}

export interface SpawnedCli {
  child: ChildProcessWithoutNullStreams;
  stderrLines: string[];
  /** Resolves with the first stderr JSON line whose event is `event`. */
  waitForEvent(event: string): Promise<Record<string, unknown>>;
  stop(): Promise<number | null>;
}

/**
 * The bin with `args`. `fileSizeLimitKb`: under that limit on the size of any file it writes (ulimit -f),
 * as a disk quota would; node ignores SIGXFSZ, so its writes past the limit fail with EFBIG.
 */
export function spawnCli(
  args: string[],
  env: Record<string, string>,
  options: { fileSizeLimitKb?: number } = {},
): SpawnedCli {
  const child =
    options.fileSizeLimitKb === undefined
      ? spawn(process.execPath, [CLI, ...args], { env, stdio: ["pipe", "pipe", "pipe"] })
      : spawn("sh", ["-c", `ulimit -f ${options.fileSizeLimitKb} && exec "$0" "$@"`, process.execPath, CLI, ...args], {
          env,
          stdio: ["pipe", "pipe", "pipe"],
        });
  const stderrLines: string[] = [];
  const waiters: { event: string; resolve: (record: Record<string, unknown>) => void }[] = [];
  let pending = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    pending += chunk;
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) {
      stderrLines.push(line);
      try {
        const record = JSON.parse(line) as Record<string, unknown>;
        for (const waiter of waiters.filter((w) => w.event === record.event)) waiter.resolve(record);
      } catch {
        // Not JSON: the tests that care assert on stderrLines.
      }
    }
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return {
    child,
    stderrLines,
    waitForEvent: (event) =>
      new Promise((resolve, reject) => {
        waiters.push({ event, resolve });
        void exited.then((code) =>
          reject(new Error(`the bin exited (${code}) before ${event}:\n${stderrLines.join("\n")}`)),
        );
      }),
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      return exited;
    },
  };
}
