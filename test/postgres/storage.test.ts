/**
 * The PostgreSQL backend itself: migrations are idempotent and safe to run from several instances at
 * once, the exclusion constraints reject overlaps whoever writes them, an exclusion violation during a
 * booking answers the same 409 as a conflict found by the check, and data outlives a restart.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startSandbox } from "../../src/sandbox/index.js";
import { appliedVersions } from "../support/schema.js";
import { POSTGRES_MIGRATIONS } from "../../src/sandbox/storage/migrations.js";
import { openPostgresStorage } from "../../src/sandbox/storage/postgres-dialect.js";
import { createTestSchema, startPostgresSandbox, withAdminClient, type TestSchema } from "../support/postgres.js";
import { apiCaller, expectProblem, PINNED_NOW, tinyPractice, type TinyPractice } from "../support/sandbox.js";

const schemas: TestSchema[] = [];
async function freshSchema(): Promise<TestSchema> {
  const schema = await createTestSchema();
  schemas.push(schema);
  return schema;
}
afterAll(async () => {
  for (const schema of schemas) await schema.drop();
});

describe("migrations", () => {
  it("run from three instances at once and then again: applied once, every instance works", async () => {
    const { url } = await freshSchema();
    const concurrent = await Promise.all([
      openPostgresStorage(url),
      openPostgresStorage(url),
      openPostgresStorage(url),
    ]);
    const again = await openPostgresStorage(url);
    try {
      for (const storage of [...concurrent, again]) expect(await storage.listOrgIds()).toEqual([]);
      const versions = await withAdminClient(async (client) => appliedVersions(client), url);
      expect(versions).toEqual(POSTGRES_MIGRATIONS.map((m) => m.version));
    } finally {
      await Promise.all([...concurrent, again].map((storage) => storage.close()));
    }
  });

  it("an unreachable database fails start-up with a message naming the host, never the password", async () => {
    const failure = startSandbox({ databaseUrl: "postgres://someone:hunter2secret@127.0.0.1:1/dental" });
    await expect(failure).rejects.toThrow(/PostgreSQL database at 127\.0\.0\.1:1\/dental/);
    await expect(failure).rejects.not.toThrow(/hunter2secret/);
  });
});

describe("exclusion constraints", () => {
  let tiny: TinyPractice;
  let url: string;
  let close: () => Promise<void>;
  let call: ReturnType<typeof apiCaller>;
  // Tuesday 2026-03-03 09:00-10:00 in Los Angeles (UTC-8).
  const nine = Date.parse("2026-03-03T17:00:00Z");
  const hour = 3_600_000;

  beforeAll(async () => {
    tiny = tinyPractice();
    const sandbox = await startPostgresSandbox({ seed: tiny.data, now: () => PINNED_NOW });
    url = sandbox.schema.url;
    close = () => sandbox.close();
    call = apiCaller(sandbox.baseUrl, sandbox.token);
  });
  afterAll(() => close());

  /** INSERT of an appointment row by hand, bypassing the API. */
  function insertSql(
    overrides: {
      provider?: string;
      operatory?: string;
      patient?: string;
      start?: number;
      end?: number;
      status?: string;
    } = {},
  ) {
    const start = overrides.start ?? nine;
    return {
      text: `INSERT INTO appointments (org_id, uuid, patient_uuid, appointment_type_uuid, provider_uuid, location_uuid,
               operatory_uuid, start_ms, end_ms, local_date, status, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, '2026-03-03', $10, $11, $11)`,
      values: [
        tiny.data.org.uuid,
        randomUUID(),
        overrides.patient ?? tiny.patientUuid,
        tiny.examTypeUuid,
        overrides.provider ?? tiny.dentistUuid,
        tiny.locationUuid,
        overrides.operatory ?? tiny.operatoryUuids[0],
        start,
        overrides.end ?? start + hour,
        overrides.status ?? "scheduled",
        PINNED_NOW,
      ],
    };
  }

  it("reject an overlapping row inserted directly with SQL, per provider, per operatory and per patient", async () => {
    await withAdminClient(async (client) => {
      await client.query(insertSql());
      const error = (sql: ReturnType<typeof insertSql>) =>
        client.query(sql).then(
          () => null,
          (e: { code?: string; constraint?: string }) => e,
        );
      const other = tiny.otherPatientUuid;
      // Same provider, other operatory, overlapping by 30 minutes.
      expect(
        await error(insertSql({ operatory: tiny.operatoryUuids[1], patient: other, start: nine + hour / 2 })),
      ).toMatchObject({
        code: "23P01",
        constraint: "appointments_no_provider_overlap",
      });
      // Same operatory, other provider.
      expect(await error(insertSql({ provider: tiny.hygienistUuid, patient: other }))).toMatchObject({
        code: "23P01",
        constraint: "appointments_no_operatory_overlap",
      });
      // Same patient, other provider and operatory.
      expect(await error(insertSql({ provider: tiny.hygienistUuid, operatory: tiny.operatoryUuids[1] }))).toMatchObject(
        {
          code: "23P01",
          constraint: "appointments_no_patient_overlap",
        },
      );
      // Cancelled rows occupy nothing; ranges are half-open, so back-to-back is fine.
      expect(await error(insertSql({ status: "cancelled" }))).toBeNull();
      expect(await error(insertSql({ start: nine + hour }))).toBeNull();
    }, url);
  });

  it("a booking that loses to a row committed while it was deciding gets the same 409 as any conflict", async () => {
    const body = {
      patient_uuid: tiny.patientUuid,
      appointment_type_uuid: tiny.examTypeUuid,
      location_uuid: tiny.locationUuid,
      provider_uuid: tiny.dentistUuid,
      scheduled_start: "2026-03-04T09:00:00",
    };
    const start = nine + 24 * hour;
    const raced = await withAdminClient(async (client) => {
      // A writer that takes no advisory lock holds an uncommitted overlapping row…
      await client.query("BEGIN");
      await client.query(insertSql({ start, patient: tiny.otherPatientUuid }));
      const pid = (await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]?.pid;
      const booking = call("POST", "/appointments", { body });
      // …so the booking's INSERT waits on it inside the exclusion check;
      await vi.waitFor(
        async () => {
          const { rows } = await client.query<{ n: number }>(
            "SELECT COUNT(*)::int AS n FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))",
            [pid],
          );
          if (rows[0]?.n !== 1) throw new Error("the booking is not waiting yet");
        },
        { timeout: 20_000, interval: 20 },
      );
      // …and fails with 23P01 once the row commits: the transaction is run again and sees it.
      await client.query("COMMIT");
      return booking;
    }, url);
    const problem = expectProblem(raced, 409, "slot_unavailable");
    expect(problem.conflict).toMatchObject({
      resource: "provider",
      resource_uuid: tiny.dentistUuid,
      start: "2026-03-04T09:00:00",
      end: "2026-03-04T10:00:00",
    });
    // The very same answer as a request that finds the committed row in its check.
    expect((await call("POST", "/appointments", { body })).body).toEqual(raced.body);
  });
});

describe("persistence", () => {
  it("a restart on the same database keeps the org, the data and the token; the seed is not applied again", async () => {
    const { url } = await freshSchema();
    const tiny = tinyPractice();
    const token = "sk_test_postgres_persistent";
    const first = await startSandbox({ databaseUrl: url, token, seed: tiny.data, now: () => PINNED_NOW });
    const created = await apiCaller(first.baseUrl, token)("POST", "/patients", {
      body: { first_name: "Per", last_name: "Sistent", date_of_birth: "1970-01-01" },
    });
    expect(created.status).toBe(201);
    await first.close();

    const second = await startSandbox({ databaseUrl: url, token, seed: tinyPractice().data, now: () => PINNED_NOW });
    try {
      expect(second.orgId).toBe(tiny.data.org.uuid);
      expect((await apiCaller(second.baseUrl, token)("GET", `/patients/${created.body.uuid}`)).body).toEqual(
        created.body,
      );
      const audit = await withAdminClient(
        async (client) => (await client.query("SELECT action FROM audit_log ORDER BY id")).rows.map((r) => r.action),
        url,
      );
      expect(audit).toEqual(["patient.create"]);
    } finally {
      await second.close();
    }
  });
});
