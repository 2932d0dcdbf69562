/**
 * One schema on both databases. The live schemas of a fresh SQLite and a fresh PostgreSQL database, read
 * from their catalogues, differ only where this file says they do on purpose, and a drift injected on
 * either side is caught. Databases created before the storage core (dumps of main at d061e50 in
 * test/fixtures) open, upgrade, end with the schema of a fresh database and still serve their data. The
 * same seed is accepted or refused alike by both.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PracticeData } from "../../src/sandbox/domain/model.js";
import { DATABASE_FILE, openSqliteStorage, toPracticeRows, type Storage } from "../../src/sandbox/index.js";
import { POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS } from "../../src/sandbox/storage/migrations.js";
import { openPostgresStorage } from "../../src/sandbox/storage/postgres-dialect.js";
import type { AuditEntry } from "../../src/sandbox/storage/storage.js";
import { createTestSchema, withAdminClient, type TestSchema } from "../support/postgres.js";
import { tinyPractice } from "../support/sandbox.js";
import {
  appliedVersions,
  readPostgresSchema,
  readSqliteSchema,
  schemaDifferences,
  type LiveSchema,
} from "../support/schema.js";

/** Every difference between the two fresh schemas that is there on purpose, and why. */
const DELIBERATE: Record<string, string> = {
  // SQLite has no exclusion constraints: there the services' check inside `transact`, serialised by
  // BEGIN IMMEDIATE (one writer at a time), is what keeps appointments from overlapping.
  "appointments: exclusion appointments_no_provider_overlap only in postgres": "exclusion",
  "appointments: exclusion appointments_no_operatory_overlap only in postgres": "exclusion",
  "appointments: exclusion appointments_no_patient_overlap only in postgres": "exclusion",
  // The same for holds (with, on PostgreSQL only, the guard triggers between holds and appointments).
  "holds: exclusion holds_no_provider_overlap only in postgres": "exclusion",
  "holds: exclusion holds_no_operatory_overlap only in postgres": "exclusion",
  // orgs.seq is an identity column on PostgreSQL (numbered, unique); SQLite numbers a new org
  // MAX(seq) + 1 inside the write transaction that inserts it, which no other writer can interleave with.
  "orgs: unique index (of a UNIQUE constraint) (seq) only in postgres": "ordinal",
  // SQLite lets a TEXT PRIMARY KEY hold NULL (a quirk it keeps for compatibility) unless NOT NULL is
  // spelt out, which an existing table cannot gain; every INSERT of ours names the key.
  "orgs.uuid: required false in sqlite, true in postgres": "text primary key",
  "api_tokens.id: required false in sqlite, true in postgres": "text primary key",
};

const dirs: string[] = [];
const schemas: TestSchema[] = [];
const opened: Storage[] = [];
afterAll(async () => {
  for (const storage of opened) await storage.close();
  for (const schema of schemas) await schema.drop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "schema-parity-"));
  dirs.push(dir);
  return dir;
}

async function testSchema(): Promise<TestSchema> {
  const schema = await createTestSchema();
  schemas.push(schema);
  return schema;
}

function keep<S extends Storage>(storage: S): S {
  opened.push(storage);
  return storage;
}

/** Works on the SQLite database of the data directory `dir`. */
function withSqlite<T>(dir: string, work: (db: Database.Database) => T): T {
  const db = new Database(join(dir, DATABASE_FILE));
  try {
    return work(db);
  } finally {
    db.close();
  }
}

async function freshSqlite(): Promise<string> {
  const dir = dataDir();
  await keep(await openSqliteStorage(dir)).close();
  return dir;
}

async function freshPostgres(): Promise<string> {
  const { url } = await testSchema();
  keep(await openPostgresStorage(url));
  return url;
}

const postgresSchema = (url: string) => withAdminClient((client) => readPostgresSchema(client), url);

describe("fresh databases", () => {
  let sqlite: LiveSchema;
  let postgres: LiveSchema;
  beforeAll(async () => {
    sqlite = withSqlite(await freshSqlite(), readSqliteSchema);
    postgres = await postgresSchema(await freshPostgres());
  });

  it("have the same tables, columns, keys, indexes and constraints on both but for the deliberate differences", () => {
    const differences = schemaDifferences(sqlite, postgres);
    expect(differences.filter((difference) => !(difference in DELIBERATE))).toEqual([]);
    // And every deliberate difference is still there: none is excused that no longer exists.
    expect(Object.keys(DELIBERATE).filter((difference) => !differences.includes(difference))).toEqual([]);
    expect(Object.keys(sqlite)).toContain("appointments");
    expect(postgres.patients?.indexes).toContainEqual({
      name: "patients_identity",
      columns: ["org_id", "last_folded", "first_folded", "date_of_birth"],
      unique: true,
    });
  });

  it("a drift injected on either side is caught", async () => {
    const sqliteDir = await freshSqlite();
    const drifted = withSqlite(sqliteDir, (db) => {
      db.exec("CREATE INDEX appointments_by_status ON appointments (org_id, status)");
      return readSqliteSchema(db);
    });
    expect(schemaDifferences(drifted, postgres)).toContain(
      "appointments: index appointments_by_status (org_id, status) only in sqlite",
    );

    const url = await freshPostgres();
    await withAdminClient(async (client) => {
      await client.query("ALTER TABLE patients ALTER COLUMN email SET NOT NULL");
      await client.query("ALTER TABLE appointments DROP CONSTRAINT appointments_check");
    }, url);
    const differences = schemaDifferences(sqlite, await postgresSchema(url));
    expect(differences).toContain("patients.email: required false in sqlite, true in postgres");
    expect(differences).toContain("appointments: check end_ms>start_ms only in sqlite");
  });
});

/** A dump of a database created by main at d061e50, before the storage core. */
const fixture = (name: string) => readFileSync(new URL(`../fixtures/main-d061e50/${name}`, import.meta.url), "utf8");

/** What the fixtures hold, served by the storage: the practice, a patient, a booking, its key and the audit. */
async function expectFixtureData(storage: Storage): Promise<void> {
  const [orgId, ...others] = await storage.listOrgIds();
  expect(others).toEqual([]);
  if (orgId === undefined) throw new Error("the upgraded database holds no org");
  const reference = await storage.getReference(orgId);
  expect(reference?.org.name).toBe("Tiny Dental");
  expect(reference?.providers.map((p) => p.role)).toEqual(["dentist", "hygienist"]);
  const patients = await storage.searchPatients(orgId, { text: "lega" }, { page: 1, page_size: 10 });
  expect(patients.items.map((p) => `${p.first_name} ${p.last_name}`)).toEqual(["Lega Cy"]);
  const booked = await storage.listAppointments(
    orgId,
    { patient_uuid: patients.items[0]?.uuid },
    { page: 1, page_size: 10 },
  );
  expect(booked.total).toBe(1);
  expect(await storage.getIdempotency(orgId, "legacy-key", 0)).toMatchObject({ status: 201 });
  expect((await storage.listAudit(orgId)).map((a) => a.action)).toEqual(["patient.create", "appointment.create"]);
  // The identity index serves the duplicate check on the upgraded database too.
  const again = {
    uuid: "00000000-0000-4000-8000-000000000001",
    first_name: "LEGA",
    last_name: "Cy",
    first_folded: "lega",
    last_folded: "cy",
    date_of_birth: "1970-01-01",
    primary_phone: null,
    email: null,
    preferred_provider_uuid: null,
  };
  const audit: AuditEntry = {
    actor_token_id: "test",
    action: "patient.create",
    entity_type: "patient",
    entity_uuid: again.uuid,
    at: 0,
  };
  expect(await storage.createPatient(orgId, again, audit)).toEqual({
    created: false,
    existing_uuid: patients.items[0]?.uuid,
  });
}

describe("a database created before the storage core", () => {
  it("SQLite (version 2) opens, gains the identity index, and ends with the schema of a fresh one", async () => {
    const dir = dataDir();
    withSqlite(dir, (db) => db.exec(fixture("sqlite.sql")));
    const storage = keep(await openSqliteStorage(dir));
    await expectFixtureData(storage);
    await storage.close();
    const upgraded = withSqlite(dir, (db) => ({
      schema: readSqliteSchema(db),
      versions: (
        db.prepare("SELECT version FROM schema_migrations ORDER BY version").all() as { version: number }[]
      ).map((m) => m.version),
    }));
    expect(upgraded.versions).toEqual(SQLITE_MIGRATIONS.map((m) => m.version));
    expect(upgraded.schema).toEqual(withSqlite(await freshSqlite(), readSqliteSchema));
  });

  it("SQLite holding two patients of one identity stops the start-up naming migration 3, and stays as it was", async () => {
    const dir = dataDir();
    withSqlite(dir, (db) => {
      db.exec(fixture("sqlite.sql"));
      db.exec(`INSERT INTO patients (org_id, uuid, first_name, last_name, first_folded, last_folded, date_of_birth)
               SELECT org_id, 'duplicate', 'Lega', 'CY', first_folded, last_folded, date_of_birth FROM patients
               WHERE last_folded = 'cy'`);
    });
    await expect(openSqliteStorage(dir)).rejects.toThrow(
      /migration 3 \(one patient per folded name and birth date\) cannot apply/,
    );
    withSqlite(dir, (db) => {
      expect(db.prepare("SELECT MAX(version) FROM schema_migrations").pluck().get()).toBe(2);
      expect(readSqliteSchema(db).patients?.indexes.map((index) => index.name)).toContain("patients_by_name");
    });
  });

  it("PostgreSQL (schema version 3) opens with nothing to apply and has the schema of a fresh one", async () => {
    const { schema, url } = await testSchema();
    await withAdminClient((client) => client.query(fixture("postgres.sql").replaceAll("__SCHEMA__", schema)), url);
    const storage = keep(await openPostgresStorage(url));
    await expectFixtureData(storage);
    expect(await withAdminClient((client) => appliedVersions(client), url)).toEqual(
      POSTGRES_MIGRATIONS.map((m) => m.version),
    );
    expect(await postgresSchema(url)).toEqual(await postgresSchema(await freshPostgres()));
  });
});

describe("the same seed on both databases", () => {
  /** The tiny practice, plus (if asked) a patient whose names fold to those of its first patient, born the same day. */
  function seed(withDuplicate: boolean): PracticeData {
    const { data } = tinyPractice();
    const [first] = data.patients;
    if (withDuplicate && first) {
      data.patients.push({ ...first, uuid: "00000000-0000-4000-8000-000000000002", first_name: "TÉSS" });
    }
    return data;
  }

  it("a duplicate identity is refused by both, leaving nothing written; without it both accept the seed", async () => {
    const backends: [string, () => Promise<Storage>][] = [
      ["sqlite", async () => keep(await openSqliteStorage())],
      ["postgres", async () => keep(await openPostgresStorage((await testSchema()).url))],
    ];
    for (const [name, open] of backends) {
      const storage = await open();
      await expect(storage.insertFirstPractice(toPracticeRows(seed(true))), name).rejects.toThrow(
        /patients_identity|patients\.org_id, patients\.last_folded, patients\.first_folded, patients\.date_of_birth/,
      );
      expect(await storage.listOrgIds(), name).toEqual([]);
      const accepted = seed(false);
      expect(await storage.insertFirstPractice(toPracticeRows(accepted)), name).toBe(true);
      expect(await storage.listOrgIds(), name).toEqual([accepted.org.uuid]);
      const reference = await storage.getReference(accepted.org.uuid);
      expect(reference?.org, name).toEqual({ ...accepted.org, booking_horizon_months: 18 });
    }
  });
});
