/**
 * The load generator of the booking benchmark, in a worker thread so that the server under test (in the
 * main thread) has its event loop to itself, as it would in production. It POSTs the bodies it is given,
 * `concurrency` requests in flight on as many keep-alive connections, and answers with the status counts
 * and the elapsed time from the first request sent to the last answer read.
 */
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { parentPort } from "node:worker_threads";
import { Pool } from "undici";

export interface LoadJob {
  origin: string;
  path: string;
  token: string;
  bodies: readonly unknown[];
  concurrency: number;
}

export interface LoadResult {
  statuses: Record<string, number>;
  elapsedMs: number;
  /** Status and body of the first answer that was not a 201, for the report. */
  firstFailure: string | null;
}

const pools = new Map<string, Pool>();

async function run(job: LoadJob): Promise<LoadResult> {
  let pool = pools.get(`${job.origin}|${job.concurrency}`);
  if (!pool) {
    pool = new Pool(job.origin, { connections: job.concurrency });
    pools.set(`${job.origin}|${job.concurrency}`, pool);
  }
  const client = pool;
  const payloads = job.bodies.map((body) => JSON.stringify(body));
  const statuses: Record<string, number> = {};
  let firstFailure: string | null = null;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: job.concurrency }, async () => {
      while (next < payloads.length) {
        const body = payloads[next++]!;
        const response = await client.request({
          method: "POST",
          path: job.path,
          headers: {
            authorization: `Bearer ${job.token}`,
            "content-type": "application/json",
            "idempotency-key": randomUUID(),
          },
          body,
        });
        const text = await response.body.text();
        statuses[response.statusCode] = (statuses[response.statusCode] ?? 0) + 1;
        if (response.statusCode !== 201 && firstFailure === null) {
          firstFailure = `${response.statusCode} ${text.slice(0, 400)}`;
        }
      }
    }),
  );
  return { statuses, elapsedMs: performance.now() - started, firstFailure };
}

parentPort?.on("message", (message: { job: LoadJob } | "close") => {
  if (message === "close") {
    void Promise.all([...pools.values()].map((pool) => pool.close())).then(() => parentPort?.close());
    return;
  }
  run(message.job).then(
    (result) => parentPort?.postMessage({ result }),
    (error: unknown) =>
      parentPort?.postMessage({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
  );
});
