/**
 * The reference PMS API on a large practice (20 providers, 14 days, 5000 appointments):
 * availability latency in-process (the service call) and over HTTP, and bookings per second over
 * HTTP beside the raw insert rate of the same SQLite database, measured in the same run.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import Database from "better-sqlite3";
import { Availability } from "../src/contract/index.js";
import { buildScaledPractice } from "../src/sandbox/demo/index.js";
import { startSandbox, toPracticeRows } from "../src/sandbox/index.js";
import { checkAvailability } from "../src/sandbox/services/availability.js";
import { DATABASE_FILE, openSqliteStorage } from "../src/sandbox/storage/sqlite.js";
import { bookInParallel, bookingsOfDisjointSlots, ms, timeRuns } from "./measure.js";

const NOW = Date.parse("2026-03-02T15:00:00Z");
const AVAILABILITY_RUNS = 150;
const WARMUP_RUNS = 15;
const CONCURRENCY = 8;

export async function benchSandbox(report: (line: string) => void): Promise<void> {
  const built = performance.now();
  const data = buildScaledPractice(NOW, { providers: 20, days: 14, appointments: 5000 });
  report(`sandbox: scaled practice (20 providers, 14 days, ${data.appointments.length} appointments) built in ${ms(performance.now() - built)}`);
  const type = data.appointmentTypes.find((t) => t.is_active && t.provider_roles.includes("dentist"));
  if (!type) throw new Error("the scaled practice has no bookable type");
  const query = { appointment_type_uuid: type.uuid, start_date: "2026-03-03", end_date: "2026-03-09", limit: 50, step_minutes: 15 };

  // In-process: the service over an in-memory database, no HTTP.
  const storage = openSqliteStorage();
  await storage.insertPractice(toPracticeRows(data));
  const ctx = { storage, now: () => NOW };
  const caller = { orgId: data.org.uuid, tokenId: "bench" };
  const inProcess = await timeRuns(AVAILABILITY_RUNS, WARMUP_RUNS, () => checkAvailability(ctx, caller, query));
  await storage.close();
  report(`sandbox: availability (${type.code}, 7 days, all providers, limit 50) in-process p50 ${ms(inProcess.p50)}, p99 ${ms(inProcess.p99)}`);

  const dataDir = mkdtempSync(join(tmpdir(), "bench-sandbox-"));
  const sandbox = await startSandbox({ dataDir, seed: data, now: () => NOW });
  try {
    const headers = { Authorization: `Bearer ${sandbox.token}` };
    const search = new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)]));
    const availabilityUrl = `${sandbox.baseUrl}/schedule/availability?${search}`;
    const overHttp = await timeRuns(AVAILABILITY_RUNS, WARMUP_RUNS, async () => {
      const response = await fetch(availabilityUrl, { headers });
      if (response.status !== 200) throw new Error(`availability answered ${response.status}`);
      return response.json();
    });
    report(
      `sandbox: availability over HTTP p50 ${ms(overHttp.p50)}, p99 ${ms(overHttp.p99)} ` +
        `(HTTP adds ${ms(overHttp.p50 - inProcess.p50)} at p50)`,
    );

    // Bookings over HTTP: free, mutually disjoint slots over two weeks, CONCURRENCY requests in flight.
    const wide = new URLSearchParams({ appointment_type_uuid: type.uuid, start_date: "2026-03-03", end_date: "2026-03-16", limit: "500" });
    const available = Availability.parse(await (await fetch(`${sandbox.baseUrl}/schedule/availability?${wide}`, { headers })).json());
    const patient = data.patients[0];
    if (!patient) throw new Error("the scaled practice has no patients");
    const bodies = bookingsOfDisjointSlots(available.slots, patient.uuid, type.uuid);
    const { created, perSecond: httpRate } = await bookInParallel(sandbox.baseUrl, sandbox.token, bodies, CONCURRENCY);

    // Raw inserts into the same database file, with the sandbox's settings: one transaction per row.
    const db = new Database(join(dataDir, DATABASE_FILE));
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = FULL");
    const insert = db.prepare(`INSERT INTO appointments (org_id, uuid, patient_uuid, appointment_type_uuid, provider_uuid,
      location_uuid, operatory_uuid, start_ms, end_ms, local_date, status, notes, cancellation_reason, created_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '2030-01-01', 'cancelled', NULL, NULL, ?, ?)`);
    const rawCount = Math.max(created, 500);
    const rawStarted = performance.now();
    for (let i = 0; i < rawCount; i++) {
      const start = Date.parse("2030-01-01T00:00:00Z") + i * 3_600_000;
      db.transaction(() =>
        insert.run(data.org.uuid, randomUUID(), patient.uuid, type.uuid, "p", "l", "o", start, start + 1_800_000, NOW, NOW),
      ).immediate();
    }
    const rawRate = rawCount / ((performance.now() - rawStarted) / 1000);
    db.close();
    report(
      `sandbox: bookings over HTTP ${httpRate.toFixed(0)}/s (${created} of ${bodies.length} booked, ${CONCURRENCY} in flight); ` +
        `raw SQLite inserts ${rawRate.toFixed(0)}/s; ratio ${(httpRate / rawRate).toFixed(3)}`,
    );
  } finally {
    await sandbox.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
