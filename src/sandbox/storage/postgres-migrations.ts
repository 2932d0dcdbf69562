/**
 * The PostgreSQL schema, as numbered migrations (the same tables as the SQLite schema, so services see
 * the same rows). Applied in order, each once, recorded in schema_migrations, under an advisory lock so
 * that instances starting together migrate one after the other. Never edit a released migration.
 *
 * Text keys use COLLATE "C" so that ORDER BY compares bytes exactly as SQLite does, whatever the
 * database's locale. Instants are epoch milliseconds in BIGINT, like SQLite's INTEGER. Reference
 * documents are `json` (not jsonb), which keeps their key order as written.
 *
 * Double booking is impossible at the database level: exclusion constraints reject two non-cancelled
 * appointments whose [start, end) ranges overlap for one provider, one operatory or one patient.
 */
import type { Migration } from "./migrations.js";

export const POSTGRES_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "initial schema",
    sql: `
      CREATE EXTENSION IF NOT EXISTS btree_gist;
      CREATE TABLE orgs (
        uuid TEXT COLLATE "C" PRIMARY KEY,
        name TEXT NOT NULL,
        seq BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE
      );
      CREATE TABLE api_tokens (
        id TEXT COLLATE "C" PRIMARY KEY,
        org_id TEXT COLLATE "C" NOT NULL REFERENCES orgs(uuid),
        token_hash TEXT COLLATE "C" NOT NULL UNIQUE,
        created_at BIGINT NOT NULL
      );
      CREATE TABLE locations (
        org_id TEXT COLLATE "C" NOT NULL REFERENCES orgs(uuid),
        uuid TEXT COLLATE "C" NOT NULL,
        seq INTEGER NOT NULL,
        doc JSON NOT NULL,
        PRIMARY KEY (org_id, uuid)
      );
      CREATE TABLE providers (
        org_id TEXT COLLATE "C" NOT NULL REFERENCES orgs(uuid),
        uuid TEXT COLLATE "C" NOT NULL,
        seq INTEGER NOT NULL,
        doc JSON NOT NULL,
        PRIMARY KEY (org_id, uuid)
      );
      CREATE TABLE appointment_types (
        org_id TEXT COLLATE "C" NOT NULL REFERENCES orgs(uuid),
        uuid TEXT COLLATE "C" NOT NULL,
        seq INTEGER NOT NULL,
        doc JSON NOT NULL,
        PRIMARY KEY (org_id, uuid)
      );
      CREATE TABLE shifts (
        org_id TEXT COLLATE "C" NOT NULL REFERENCES orgs(uuid),
        seq INTEGER NOT NULL,
        doc JSON NOT NULL,
        PRIMARY KEY (org_id, seq)
      );
      CREATE TABLE time_off (
        org_id TEXT COLLATE "C" NOT NULL REFERENCES orgs(uuid),
        uuid TEXT COLLATE "C" NOT NULL,
        seq INTEGER NOT NULL,
        doc JSON NOT NULL,
        PRIMARY KEY (org_id, uuid)
      );
      CREATE TABLE closures (
        org_id TEXT COLLATE "C" NOT NULL REFERENCES orgs(uuid),
        seq INTEGER NOT NULL,
        doc JSON NOT NULL,
        PRIMARY KEY (org_id, seq)
      );
      CREATE TABLE patients (
        org_id TEXT COLLATE "C" NOT NULL REFERENCES orgs(uuid),
        uuid TEXT COLLATE "C" NOT NULL,
        first_name TEXT NOT NULL,
        last_name TEXT NOT NULL,
        first_folded TEXT COLLATE "C" NOT NULL,
        last_folded TEXT COLLATE "C" NOT NULL,
        date_of_birth TEXT COLLATE "C" NOT NULL,
        primary_phone TEXT COLLATE "C",
        email TEXT,
        preferred_provider_uuid TEXT COLLATE "C",
        PRIMARY KEY (org_id, uuid)
      );
      -- One patient per folded name and birth date: the duplicate check of POST /patients, atomic.
      CREATE UNIQUE INDEX patients_identity ON patients (org_id, last_folded, first_folded, date_of_birth);
      CREATE INDEX patients_by_dob ON patients (org_id, date_of_birth);
      CREATE INDEX patients_by_phone ON patients (org_id, primary_phone);
      CREATE TABLE appointments (
        org_id TEXT COLLATE "C" NOT NULL REFERENCES orgs(uuid),
        uuid TEXT COLLATE "C" NOT NULL,
        patient_uuid TEXT COLLATE "C" NOT NULL,
        appointment_type_uuid TEXT COLLATE "C" NOT NULL,
        provider_uuid TEXT COLLATE "C" NOT NULL,
        location_uuid TEXT COLLATE "C" NOT NULL,
        operatory_uuid TEXT COLLATE "C" NOT NULL,
        start_ms BIGINT NOT NULL,
        end_ms BIGINT NOT NULL,
        local_date TEXT COLLATE "C" NOT NULL,
        status TEXT COLLATE "C" NOT NULL,
        notes TEXT,
        cancellation_reason TEXT,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        PRIMARY KEY (org_id, uuid),
        FOREIGN KEY (org_id, patient_uuid) REFERENCES patients (org_id, uuid),
        CHECK (end_ms > start_ms),
        CONSTRAINT appointments_no_provider_overlap EXCLUDE USING gist (
          org_id WITH =, provider_uuid WITH =, int8range(start_ms, end_ms) WITH &&
        ) WHERE (status <> 'cancelled'),
        CONSTRAINT appointments_no_operatory_overlap EXCLUDE USING gist (
          org_id WITH =, operatory_uuid WITH =, int8range(start_ms, end_ms) WITH &&
        ) WHERE (status <> 'cancelled')
      );
      CREATE INDEX appointments_by_provider ON appointments (org_id, provider_uuid, start_ms);
      CREATE INDEX appointments_by_location ON appointments (org_id, location_uuid, start_ms);
      CREATE INDEX appointments_by_patient ON appointments (org_id, patient_uuid, start_ms);
      CREATE INDEX appointments_by_date ON appointments (org_id, local_date, start_ms);
      CREATE TABLE clinical_notes (
        org_id TEXT COLLATE "C" NOT NULL,
        uuid TEXT COLLATE "C" NOT NULL,
        appointment_uuid TEXT COLLATE "C" NOT NULL,
        text TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        PRIMARY KEY (org_id, uuid),
        FOREIGN KEY (org_id, appointment_uuid) REFERENCES appointments (org_id, uuid)
      );
      CREATE INDEX clinical_notes_by_appointment ON clinical_notes (org_id, appointment_uuid, created_at);
      CREATE TABLE idempotency_keys (
        org_id TEXT COLLATE "C" NOT NULL REFERENCES orgs(uuid),
        key TEXT COLLATE "C" NOT NULL,
        request_hash TEXT NOT NULL,
        status INTEGER NOT NULL,
        body JSON NOT NULL,
        created_at BIGINT NOT NULL,
        PRIMARY KEY (org_id, key)
      );
      CREATE INDEX idempotency_keys_by_age ON idempotency_keys (org_id, created_at);
      CREATE TABLE audit_log (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        org_id TEXT COLLATE "C" NOT NULL REFERENCES orgs(uuid),
        actor_token_id TEXT NOT NULL,
        action TEXT NOT NULL,
        entity_type TEXT NOT NULL,
        entity_uuid TEXT NOT NULL,
        at BIGINT NOT NULL
      );
      CREATE INDEX audit_log_by_org ON audit_log (org_id, id);
    `,
  },
  {
    version: 2,
    name: "a patient is in one appointment at a time",
    // Fails, naming the constraint, on a database that already holds overlapping appointments of one
    // patient: those need a person to decide which to cancel, not a migration.
    sql: `
      ALTER TABLE appointments ADD CONSTRAINT appointments_no_patient_overlap EXCLUDE USING gist (
        org_id WITH =, patient_uuid WITH =, int8range(start_ms, end_ms) WITH &&
      ) WHERE (status <> 'cancelled');
    `,
  },
  {
    version: 3,
    name: "per-org booking horizon",
    sql: "ALTER TABLE orgs ADD COLUMN booking_horizon_months INTEGER NOT NULL DEFAULT 18;",
  },
];
