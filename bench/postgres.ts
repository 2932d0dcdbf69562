/**
 * The reference PMS API on PostgreSQL beside SQLite, in the same run, on the same large practice
 * (20 providers, 14 days, 5000 appointments): availability p50 over HTTP and bookings per second over
 * HTTP, as ratios. PostgreSQL is DATABASE_URL or the local server; the run uses a schema of its own
 * and drops it. Skips with one line when PostgreSQL cannot be reached.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { Availability, type AppointmentCreate } from "../src/contract/index.js";
import type { PracticeData } from "../src/sandbox/domain/model.js";
import { buildScaledPractice } from "../src/sandbox/demo/index.js";
import { describeDatabaseUrl, startSandbox, type SandboxOptions } from "../src/sandbox/index.js";
import { bookInParallel, bookingsOfDisjointSlots, ms, timeRuns } from "./measure.js";

const NOW = Date.parse("2026-03-02T15:00:00Z");
const DATABASE_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const AVAILABILITY_RUNS = 100;
const WARMUP_RUNS = 10;
const CONCURRENCY = 8;

/** Why PostgreSQL cannot be used, or null when it can. */
async function unreachable(url: string): Promise<string | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    return null;
  } catch (error) {
    return (error as { code?: string }).code ?? (error instanceof Error ? error.message : String(error));
  } finally {
    await client.end().catch(() => {});
  }
}

/** A fresh schema (btree_gist installed in public first, so dropping the schema cannot take it along). */
async function benchSchema(url: string): Promise<{ url: string; drop(): Promise<void> }> {
  const schema = `bench_${randomBytes(6).toString("hex")}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE EXTENSION IF NOT EXISTS btree_gist SCHEMA public; CREATE SCHEMA ${schema}`);
  const scoped = new URL(url);
  scoped.searchParams.set("options", `-c search_path=${schema},public`);
  return { url: scoped.toString(), drop: () => admin(`DROP SCHEMA IF EXISTS ${schema} CASCADE`) };
}

interface Figures {
  availabilityP50: number;
  bookingsPerSecond: number;
  booked: number;
}

/** One backend: a sandbox seeded with `data`, availability timed, then `bodies` booked CONCURRENCY at a time. */
async function measure(
  data: PracticeData,
  storage: Pick<SandboxOptions, "dataDir" | "databaseUrl">,
  query: URLSearchParams,
  bodiesFor: (baseUrl: string, token: string) => Promise<AppointmentCreate[]>,
): Promise<Figures> {
  const sandbox = await startSandbox({ ...storage, seed: data, now: () => NOW });
  try {
    const headers = { Authorization: `Bearer ${sandbox.token}` };
    const { p50: availabilityP50 } = await timeRuns(AVAILABILITY_RUNS, WARMUP_RUNS, async () => {
      const response = await fetch(`${sandbox.baseUrl}/schedule/availability?${query}`, { headers });
      if (response.status !== 200) throw new Error(`availability answered ${response.status}`);
      return response.json();
    });
    const bodies = await bodiesFor(sandbox.baseUrl, sandbox.token);
    const { created, perSecond } = await bookInParallel(sandbox.baseUrl, sandbox.token, bodies, CONCURRENCY);
    return { availabilityP50, bookingsPerSecond: perSecond, booked: created };
  } finally {
    await sandbox.close();
  }
}

export async function benchPostgres(report: (line: string) => void): Promise<void> {
  const reason = await unreachable(DATABASE_URL);
  if (reason !== null) {
    report(`postgres: skipped: PostgreSQL unreachable at ${describeDatabaseUrl(DATABASE_URL)} (${reason}); set DATABASE_URL to run it`);
    return;
  }
  const data = buildScaledPractice(NOW, { providers: 20, days: 14, appointments: 5000 });
  const type = data.appointmentTypes.find((t) => t.is_active && t.provider_roles.includes("dentist"));
  const patient = data.patients[0];
  if (!type || !patient) throw new Error("the scaled practice has no bookable type or no patient");
  const query = new URLSearchParams({ appointment_type_uuid: type.uuid, start_date: "2026-03-03", end_date: "2026-03-09", limit: "50" });

  // The same bookings on both backends: free slots of the seed, found once (on SQLite, measured first).
  let bodies: AppointmentCreate[] | undefined;
  const findBodies = async (baseUrl: string, token: string) => {
    if (bodies) return bodies;
    const wide = new URLSearchParams({ appointment_type_uuid: type.uuid, start_date: "2026-03-03", end_date: "2026-03-16", limit: "500" });
    const response = await fetch(`${baseUrl}/schedule/availability?${wide}`, { headers: { Authorization: `Bearer ${token}` } });
    bodies = bookingsOfDisjointSlots(Availability.parse(await response.json()).slots, patient.uuid, type.uuid);
    return bodies;
  };

  const dataDir = mkdtempSync(join(tmpdir(), "bench-postgres-sqlite-"));
  const schema = await benchSchema(DATABASE_URL);
  try {
    const sqlite = await measure(data, { dataDir }, query, findBodies);
    const postgres = await measure(data, { databaseUrl: schema.url }, query, findBodies);
    report(
      `postgres: availability (${type.code}, 7 days, all providers, limit 50) over HTTP p50 ${ms(postgres.availabilityP50)} ` +
        `vs SQLite ${ms(sqlite.availabilityP50)}; ratio ${(postgres.availabilityP50 / sqlite.availabilityP50).toFixed(2)}`,
    );
    report(
      `postgres: bookings over HTTP ${postgres.bookingsPerSecond.toFixed(0)}/s (${postgres.booked} booked) vs SQLite ` +
        `${sqlite.bookingsPerSecond.toFixed(0)}/s (${sqlite.booked} booked), ${CONCURRENCY} in flight; ` +
        `ratio ${(postgres.bookingsPerSecond / sqlite.bookingsPerSecond).toFixed(2)}`,
    );
  } finally {
    await schema.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
