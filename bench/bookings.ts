/**
 * Bookings per second over HTTP on the SQLite sandbox (a database file, WAL, synchronous=FULL), beside the
 * HTTP floor and raw durable inserts (bench/floor.ts) on the same filesystem, interleaved round by round
 * after a warm-up round, CONCURRENCY requests in flight for both HTTP servers. Every round books fresh bodies
 * (bench/practice.ts), each of which must be answered 201; anything else is counted and reported.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { startSandbox } from "../src/sandbox/index.js";
import type { SectionResult } from "./availability.js";
import { rawInserts, startHttpFloor } from "./floor.js";
import { goalNote, type Figures } from "./goals.js";
import { jsonClient, pathOf } from "./http.js";
import { loadGenerator } from "./load.js";
import type { LoadResult } from "./load-worker.js";
import { describeSpread, interleave, type Round } from "./measure.js";
import { FIRST_UNSEEDED_DAY, NOW, bookingBodies, type ScaledPractice } from "./practice.js";

const CONCURRENCY = 8;
const WARMUP = 1;
const ROUNDS = 7;
const PER_ROUND = 300;

export async function benchBookings(practice: ScaledPractice, report: (line: string) => void): Promise<SectionResult> {
  report(`## Bookings (${PER_ROUND} per round, ${WARMUP} warm-up + ${ROUNDS} rounds, ${CONCURRENCY} in flight over HTTP)`);
  const dir = mkdtempSync(join(tmpdir(), "bench-bookings-"));
  const sandbox = await startSandbox({ dataDir: join(dir, "sandbox"), seed: practice.data, now: () => NOW });
  const floor = await startHttpFloor(join(dir, "floor.sqlite"));
  const raw = rawInserts(join(dir, "raw.sqlite"));
  const load = loadGenerator();
  try {
    const reader = jsonClient(sandbox.url, sandbox.token);
    const availability = `${pathOf(sandbox.baseUrl)}/schedule/availability`;
    const bodies = await bookingBodies(practice, (WARMUP + ROUNDS) * PER_ROUND, (query) => reader.get(`${availability}?${query}`));
    await reader.close();
    const seeded = bodies.filter((body) => String(body.scheduled_start).slice(0, 10) < FIRST_UNSEEDED_DAY).length;
    report(`${bodies.length} bodies, each naming its operatory: ${seeded} in the 14 seeded days, ${bodies.length - seeded} in the empty days after`);
    // Round r books every (WARMUP + ROUNDS)-th body from r on, so each round has the same mix of crowded and empty days.
    const bodiesOf = (index: number) => bodies.filter((_, i) => i % (WARMUP + ROUNDS) === index);

    const failures = { sandbox: {} as Record<string, number>, floor: {} as Record<string, number> };
    const firstFailures: string[] = [];
    const overHttp = (origin: string, path: string, token: string, tally: Record<string, number>): Round => {
      return async ({ index }) => {
        const chunk = bodiesOf(index);
        const result: LoadResult = await load.post({ origin, path, token, bodies: chunk, concurrency: CONCURRENCY });
        for (const [status, count] of Object.entries(result.statuses)) if (status !== "201") tally[status] = (tally[status] ?? 0) + count;
        if (result.firstFailure !== null) firstFailures.push(result.firstFailure);
        return (result.statuses["201"] ?? 0) / (result.elapsedMs / 1000);
      };
    };
    const spreads = await interleave(
      {
        sandbox: overHttp(sandbox.url, `${pathOf(sandbox.baseUrl)}/appointments`, sandbox.token, failures.sandbox),
        floor: overHttp(floor.url, "/appointments", sandbox.token, failures.floor),
        raw: async ({ index }) => {
          const chunk = bodiesOf(index);
          const started = performance.now();
          raw.insert(chunk);
          return chunk.length / ((performance.now() - started) / 1000);
        },
      },
      { warmup: WARMUP, rounds: ROUNDS },
    );

    const figures: Figures = {
      bookings_per_s: spreads.sandbox.median,
      http_floor_bookings_per_s: spreads.floor.median,
      raw_inserts_per_s: spreads.raw.median,
      bookings_non_201: sum(failures.sandbox),
    };
    report(`sandbox over HTTP   ${describeSpread(spreads.sandbox, "/s")}`);
    report(`HTTP floor          ${describeSpread(spreads.floor, "/s")}`);
    report(`raw inserts         ${describeSpread(spreads.raw, "/s")} (one at a time: the driver is synchronous)`);
    report(
      `  sandbox / floor ×${(spreads.sandbox.median / spreads.floor.median).toFixed(2)} ${goalNote("bookings_floor_ratio", figures)}; ` +
        `floor / raw ×${(spreads.floor.median / spreads.raw.median).toFixed(2)}`,
    );
    report(
      `answers other than 201: sandbox ${describeTally(failures.sandbox)}, floor ${describeTally(failures.floor)}` +
        (firstFailures.length > 0 ? `; first: ${firstFailures[0]}` : ""),
    );
    return {
      figures,
      spreads: { bookings_per_s: spreads.sandbox, http_floor_bookings_per_s: spreads.floor, raw_inserts_per_s: spreads.raw },
    };
  } finally {
    await load.close();
    raw.close();
    await floor.close();
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const sum = (tally: Record<string, number>) => Object.values(tally).reduce((a, b) => a + b, 0);

function describeTally(tally: Record<string, number>): string {
  const entries = Object.entries(tally);
  return entries.length === 0 ? "none" : entries.map(([status, count]) => `${count}×${status}`).join(", ");
}
