/**
 * The one place the benchmarks reach inside the sandbox: availability answered in process, by the service
 * function the HTTP route calls, with no HTTP in between. When the service moves or its context grows
 * (caches, prepared statements), re-point this adapter and nothing else.
 *
 * The storage is the same kind the SQLite sandbox over HTTP uses in the same run (a file with WAL in a
 * directory of its own), so that "HTTP / in process" compares like with like.
 */
import { AvailabilityQuery } from "../src/contract/index.js";
import type { EpochMs, PracticeData } from "../src/sandbox/domain/model.js";
import { openSqliteStorage, toPracticeRows } from "../src/sandbox/index.js";
import { checkAvailability } from "../src/sandbox/services/availability.js";

export interface InProcessAvailability {
  /** The availability answer for the query string the HTTP route would get. */
  check(query: URLSearchParams): Promise<unknown>;
  close(): Promise<void>;
}

export async function inProcessAvailability(
  data: PracticeData,
  dataDir: string,
  now: EpochMs,
): Promise<InProcessAvailability> {
  const storage = await openSqliteStorage(dataDir);
  await storage.insertPractice(toPracticeRows(data));
  const ctx = { storage, now: () => now };
  const caller = { orgId: data.org.uuid, tokenId: "bench" };
  return {
    // Parsed by the contract's own schema, as the route does, so defaults (step_minutes) are the same.
    check: (query) => checkAvailability(ctx, caller, AvailabilityQuery.parse(Object.fromEntries(query))),
    close: () => storage.close(),
  };
}
