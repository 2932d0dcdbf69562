/** The main thread's handle on the load-generating worker (bench/load-worker.ts): one job at a time. */
import { once } from "node:events";
import { Worker } from "node:worker_threads";
import type { LoadJob, LoadResult } from "./load-worker.js";

export interface LoadGenerator {
  post(job: LoadJob): Promise<LoadResult>;
  close(): Promise<void>;
}

export function loadGenerator(): LoadGenerator {
  const worker = new Worker(new URL("./load-worker.js", import.meta.url));
  return {
    async post(job) {
      worker.postMessage({ job });
      const [answer] = (await once(worker, "message")) as [{ result?: LoadResult; error?: string }];
      if (answer.error !== undefined || !answer.result) throw new Error(`load generator failed: ${answer.error}`);
      return answer.result;
    },
    async close() {
      worker.postMessage("close");
      await once(worker, "exit");
    },
  };
}
