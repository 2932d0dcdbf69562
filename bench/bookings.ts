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
import type { AppointmentCreate } from "../src/contract/index.js";
import { rawInserts, startHttpFloor } from "./floor.js";
import { judged, type Figures, type SectionResult } from "./goals.js";
import { jsonClient, pathOf } from "./http.js";
import { loadGenerator } from "./load.js";
import type { LoadResult } from "./load-worker.js";
import { describeSpread, interleave, summarize, type Round } from "./measure.js";
import { FIRST_UNSEEDED_DAY, NOW, bookingBodies, type ScaledPractice } from "./practice.js";

const CONCURRENCY = 8;
const WARMUP = 1;
const ROUNDS = 7;
const PER_ROUND = 300;
/**
 * The floor and raw inserts take the same body twice, so their rounds repeat the round's bodies until the round
 * has lasted this long: a 60 ms round measures the machine's hiccups more than the floor. The sandbox's bodies
 * must all be new, so its rounds are PER_ROUND bookings, however long they take.
 */
const MIN_ROUND_SECONDS = 0.5;

/** How many were written, in how long. */
interface Batch {
  count: number;
  seconds: number;
}

const rate = (batch: Batch) => batch.count / batch.seconds;

export async function benchBookings(practice: ScaledPractice, report: (line: string) => void): Promise<SectionResult> {
  report(`## Bookings (${WARMUP} warm-up + ${ROUNDS} interleaved rounds, ${CONCURRENCY} requests in flight over HTTP)`);
  const dir = mkdtempSync(join(tmpdir(), "bench-bookings-"));
  const sandbox = await startSandbox({ dataDir: join(dir, "sandbox"), seed: practice.data, now: () => NOW });
  const floor = await startHttpFloor(join(dir, "floor.sqlite"));
  const raw = rawInserts(join(dir, "raw.sqlite"));
  const load = loadGenerator();
  try {
    const reader = jsonClient(sandbox.url, sandbox.token);
    const availability = `${pathOf(sandbox.baseUrl)}/schedule/availability`;
    const bodies = await bookingBodies(practice, (WARMUP + ROUNDS) * PER_ROUND, (query) =>
      reader.get(`${availability}?${query}`),
    );
    await reader.close();
    const seeded = bodies.filter((body) => String(body.scheduled_start).slice(0, 10) < FIRST_UNSEEDED_DAY).length;
    report(
      `${bodies.length} bodies, each naming its operatory: ${seeded} in the 14 seeded days, ` +
        `${bodies.length - seeded} in the empty days after`,
    );
    // Round r books every (WARMUP + ROUNDS)-th body from r on: every round gets the same mix of crowded and empty days.
    const bodiesOf = (index: number) => bodies.filter((_, i) => i % (WARMUP + ROUNDS) === index);

    const failures = { sandbox: {} as Record<string, number>, floor: {} as Record<string, number> };
    const firstFailures: string[] = [];
    /** POSTs `chunk`: how many got their 201, in how long. */
    const overHttp = (origin: string, path: string, tally: Record<string, number>) => {
      return async (chunk: readonly AppointmentCreate[]): Promise<Batch> => {
        const token = sandbox.token;
        const result: LoadResult = await load.post({ origin, path, token, bodies: chunk, concurrency: CONCURRENCY });
        for (const [status, count] of Object.entries(result.statuses)) {
          if (status !== "201") tally[status] = (tally[status] ?? 0) + count;
        }
        if (result.firstFailure !== null) firstFailures.push(result.firstFailure);
        return { count: result.statuses["201"] ?? 0, seconds: result.elapsedMs / 1000 };
      };
    };
    const written = { sandbox: [] as number[], floor: [] as number[], raw: [] as number[] };
    /** A round of the floor or raw inserts: the round's bodies again and again until MIN_ROUND_SECONDS. */
    const lasting = (name: "floor" | "raw", run: (chunk: readonly AppointmentCreate[]) => Promise<Batch>): Round => {
      return async ({ index }) => {
        const chunk = bodiesOf(index);
        const total = { count: 0, seconds: 0 };
        do {
          const batch = await run(chunk);
          total.count += batch.count;
          total.seconds += batch.seconds;
        } while (total.seconds < MIN_ROUND_SECONDS);
        written[name].push(total.count);
        return rate(total);
      };
    };
    const toSandbox = overHttp(sandbox.url, `${pathOf(sandbox.baseUrl)}/appointments`, failures.sandbox);
    const spreads = await interleave(
      {
        sandbox: async ({ index }) => {
          const batch = await toSandbox(bodiesOf(index));
          written.sandbox.push(batch.count);
          return rate(batch);
        },
        floor: lasting("floor", overHttp(floor.url, "/appointments", failures.floor)),
        raw: lasting("raw", async (chunk) => {
          const started = performance.now();
          raw.insert(chunk);
          return { count: chunk.length, seconds: (performance.now() - started) / 1000 };
        }),
      },
      { warmup: WARMUP, rounds: ROUNDS },
    );
    const perRound = (counts: number[]) => `${Math.round(summarize(counts).median)} a round`;

    const figures: Figures = {
      bookings_per_s: spreads.sandbox.median,
      http_floor_bookings_per_s: spreads.floor.median,
      raw_inserts_per_s: spreads.raw.median,
      bookings_non_201: sum(failures.sandbox),
    };
    report(`sandbox over HTTP   ${describeSpread(spreads.sandbox, "/s")}, ${perRound(written.sandbox)}`);
    const grouped = floor.stats();
    report(
      `HTTP floor          ${describeSpread(spreads.floor, "/s")}, ${perRound(written.floor)} ` +
        `(${(grouped.rows / grouped.commits).toFixed(1)} rows per commit on average)`,
    );
    report(
      `raw inserts         ${describeSpread(spreads.raw, "/s")}, ${perRound(written.raw)} ` +
        `(one after another: the driver is synchronous)`,
    );
    report(
      `  sandbox / floor ${judged("bookings_floor_ratio", figures)}; ` +
        `floor / raw ×${(spreads.floor.median / spreads.raw.median).toFixed(2)}`,
    );
    report(
      `answers other than 201: sandbox ${describeTally(failures.sandbox)}, floor ${describeTally(failures.floor)}` +
        (firstFailures.length > 0 ? `; first: ${firstFailures[0]}` : ""),
    );
    return {
      figures,
      spreads: {
        bookings_per_s: spreads.sandbox,
        http_floor_bookings_per_s: spreads.floor,
        raw_inserts_per_s: spreads.raw,
      },
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
