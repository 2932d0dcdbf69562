/**
 * Availability on the scaled practice (7 days, all providers, limit 50): in process (the service call),
 * over HTTP to the SQLite sandbox, and over HTTP to a PostgreSQL sandbox, interleaved round by round.
 * All three hold the same seed and the same clock, and must give the same slots before anything is timed.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Availability } from "../src/contract/index.js";
import { startSandbox, type RunningSandbox } from "../src/sandbox/index.js";
import { goalNote, judged, type Figures, type SectionResult } from "./goals.js";
import { jsonClient, pathOf, type JsonClient } from "./http.js";
import { inProcessAvailability } from "./in-process.js";
import { describeSpread, interleave, timed, type Round } from "./measure.js";
import { DATABASE_URL, benchSchema, unreachable } from "./postgres.js";
import { NOW, type ScaledPractice } from "./practice.js";

const WARMUP = 15;
const ROUNDS = 100;

interface HttpTarget {
  sandbox: RunningSandbox;
  client: JsonClient;
  get(query: URLSearchParams): Promise<unknown>;
}

async function httpTarget(
  practice: ScaledPractice,
  storage: { dataDir: string } | { databaseUrl: string },
): Promise<HttpTarget> {
  const sandbox = await startSandbox({ ...storage, seed: practice.data, now: () => NOW });
  const client = jsonClient(sandbox.url, sandbox.token);
  const path = `${pathOf(sandbox.baseUrl)}/schedule/availability`;
  return { sandbox, client, get: (query) => client.get(`${path}?${query}`) };
}

const slotsOf = (answer: unknown) => JSON.stringify(Availability.parse(answer).slots);

export async function benchAvailability(
  practice: ScaledPractice,
  report: (line: string) => void,
): Promise<SectionResult> {
  report(
    `## Availability (${practice.type.code}, 7 days, all providers, limit 50; ` +
      `${practice.data.appointments.length} appointments)`,
  );
  const dir = mkdtempSync(join(tmpdir(), "bench-availability-"));
  const query = practice.availabilityQuery;
  const cleanups: (() => Promise<unknown>)[] = [];
  try {
    const inProcess = await inProcessAvailability(practice.data, join(dir, "in-process"), NOW);
    cleanups.push(() => inProcess.close());
    const sqlite = await httpTarget(practice, { dataDir: join(dir, "sqlite") });
    cleanups.push(
      () => sqlite.sandbox.close(),
      () => sqlite.client.close(),
    );

    let postgres: HttpTarget | undefined;
    const reason = await unreachable(DATABASE_URL);
    if (reason === null) {
      const schema = await benchSchema(DATABASE_URL);
      cleanups.push(() => schema.drop());
      postgres = await httpTarget(practice, { databaseUrl: schema.url });
      const pgTarget = postgres;
      cleanups.push(
        () => pgTarget.sandbox.close(),
        () => pgTarget.client.close(),
      );
    } else {
      report(
        `PostgreSQL skipped: unreachable at ${new URL(DATABASE_URL).host} (${reason}); set DATABASE_URL to measure it`,
      );
    }

    // The same work on every side, or the comparison means nothing.
    const reference = Availability.parse(await inProcess.check(query)).slots;
    const expected = JSON.stringify(reference);
    if (slotsOf(await sqlite.get(query)) !== expected) {
      throw new Error("availability over HTTP (SQLite) differs from in process");
    }
    if (postgres && slotsOf(await postgres.get(query)) !== expected) {
      throw new Error("availability on PostgreSQL differs from SQLite");
    }
    report(`same ${reference.length} slots from every side`);

    const variants: Record<string, Round> = {
      in_process: timed(() => inProcess.check(query)),
      sqlite_http: timed(() => sqlite.get(query)),
    };
    if (postgres) {
      const pgTarget = postgres;
      variants.postgres_http = timed(() => pgTarget.get(query));
    }
    const spreads = await interleave(variants, { warmup: WARMUP, rounds: ROUNDS });
    const figures: Figures = {
      availability_p50_ms: spreads.in_process!.median,
      availability_http_p50_ms: spreads.sqlite_http!.median,
      availability_pg_http_p50_ms: spreads.postgres_http?.median ?? null,
    };
    report(`in process          ${describeSpread(spreads.in_process!, "ms")} ${goalNote("availability_p50", figures)}`);
    report(`HTTP, SQLite        ${describeSpread(spreads.sqlite_http!, "ms")}`);
    report(`  HTTP / in process ${judged("availability_http_ratio", figures)}`);
    if (spreads.postgres_http) {
      report(`HTTP, PostgreSQL    ${describeSpread(spreads.postgres_http, "ms")}`);
      report(`  PostgreSQL / SQLite ${judged("availability_pg_ratio", figures)}`);
    }
    return {
      figures,
      spreads: {
        availability_in_process_ms: spreads.in_process!,
        availability_http_ms: spreads.sqlite_http!,
        ...(spreads.postgres_http ? { availability_pg_http_ms: spreads.postgres_http } : {}),
      },
    };
  } finally {
    for (const cleanup of cleanups.reverse()) {
      await cleanup().catch((error: unknown) => report(`cleanup failed: ${String(error)}`));
    }
    rmSync(dir, { recursive: true, force: true });
  }
}
