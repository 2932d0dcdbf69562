/**
 * The SQLite schema, as numbered migrations. Applied in order, each once (recorded in
 * schema_migrations), so opening the same database again is harmless. Never edit a released
 * migration; append a new one.
 *
 * Every table carries org_id and every key starts with it: two orgs may even share entity uuids.
 * Reference data (locations, providers, types, shifts) is stored as JSON documents: it is read whole
 * and never queried by its inner fields.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "initial schema",
    sql: `
      CREATE TABLE orgs (
        uuid TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        seq INTEGER NOT NULL
      );
      CREATE TABLE api_tokens (
        id TEXT PRIMARY KEY,
        org_id TEXT NOT NULL REFERENCES orgs(uuid),
        token_hash TEXT NOT NULL UNIQUE,
        created_at INTEGER NOT NULL
      );
      CREATE TABLE locations (
        org_id TEXT NOT NULL REFERENCES orgs(uuid),
        uuid TEXT NOT NULL,
        seq INTEGER NOT NULL,
        doc TEXT NOT NULL,
        PRIMARY KEY (org_id, uuid)
      );
      CREATE TABLE providers (
        org_id TEXT NOT NULL REFERENCES orgs(uuid),
        uuid TEXT NOT NULL,
        seq INTEGER NOT NULL,
        doc TEXT NOT NULL,
        PRIMARY KEY (org_id, uuid)
      );
      CREATE TABLE appointment_types (
        org_id TEXT NOT NULL REFERENCES orgs(uuid),
        uuid TEXT NOT NULL,
        seq INTEGER NOT NULL,
        doc TEXT NOT NULL,
        PRIMARY KEY (org_id, uuid)
      );
      CREATE TABLE shifts (
        org_id TEXT NOT NULL REFERENCES orgs(uuid),
        seq INTEGER NOT NULL,
        doc TEXT NOT NULL,
        PRIMARY KEY (org_id, seq)
      );
      CREATE TABLE time_off (
        org_id TEXT NOT NULL REFERENCES orgs(uuid),
        uuid TEXT NOT NULL,
        seq INTEGER NOT NULL,
        doc TEXT NOT NULL,
        PRIMARY KEY (org_id, uuid)
      );
      CREATE TABLE closures (
        org_id TEXT NOT NULL REFERENCES orgs(uuid),
        seq INTEGER NOT NULL,
        doc TEXT NOT NULL,
        PRIMARY KEY (org_id, seq)
      );
      CREATE TABLE patients (
        org_id TEXT NOT NULL REFERENCES orgs(uuid),
        uuid TEXT NOT NULL,
        first_name TEXT NOT NULL,
        last_name TEXT NOT NULL,
        first_folded TEXT NOT NULL,
        last_folded TEXT NOT NULL,
        date_of_birth TEXT NOT NULL,
        primary_phone TEXT,
        email TEXT,
        preferred_provider_uuid TEXT,
        PRIMARY KEY (org_id, uuid)
      );
      CREATE INDEX patients_by_name ON patients (org_id, last_folded, first_folded);
      CREATE INDEX patients_by_dob ON patients (org_id, date_of_birth);
      CREATE INDEX patients_by_phone ON patients (org_id, primary_phone);
      CREATE TABLE appointments (
        org_id TEXT NOT NULL REFERENCES orgs(uuid),
        uuid TEXT NOT NULL,
        patient_uuid TEXT NOT NULL,
        appointment_type_uuid TEXT NOT NULL,
        provider_uuid TEXT NOT NULL,
        location_uuid TEXT NOT NULL,
        operatory_uuid TEXT NOT NULL,
        start_ms INTEGER NOT NULL,
        end_ms INTEGER NOT NULL,
        local_date TEXT NOT NULL,
        status TEXT NOT NULL,
        notes TEXT,
        cancellation_reason TEXT,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (org_id, uuid),
        FOREIGN KEY (org_id, patient_uuid) REFERENCES patients (org_id, uuid),
        CHECK (end_ms > start_ms)
      );
      CREATE INDEX appointments_by_provider ON appointments (org_id, provider_uuid, start_ms);
      CREATE INDEX appointments_by_location ON appointments (org_id, location_uuid, start_ms);
      CREATE INDEX appointments_by_patient ON appointments (org_id, patient_uuid, start_ms);
      CREATE INDEX appointments_by_date ON appointments (org_id, local_date, start_ms);
      CREATE TABLE clinical_notes (
        org_id TEXT NOT NULL,
        uuid TEXT NOT NULL,
        appointment_uuid TEXT NOT NULL,
        text TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (org_id, uuid),
        FOREIGN KEY (org_id, appointment_uuid) REFERENCES appointments (org_id, uuid)
      );
      CREATE INDEX clinical_notes_by_appointment ON clinical_notes (org_id, appointment_uuid, created_at);
      CREATE TABLE idempotency_keys (
        org_id TEXT NOT NULL REFERENCES orgs(uuid),
        key TEXT NOT NULL,
        request_hash TEXT NOT NULL,
        status INTEGER NOT NULL,
        body TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (org_id, key)
      );
      CREATE INDEX idempotency_keys_by_age ON idempotency_keys (org_id, created_at);
      CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        org_id TEXT NOT NULL REFERENCES orgs(uuid),
        actor_token_id TEXT NOT NULL,
        action TEXT NOT NULL,
        entity_type TEXT NOT NULL,
        entity_uuid TEXT NOT NULL,
        at INTEGER NOT NULL
      );
      CREATE INDEX audit_log_by_org ON audit_log (org_id, id);
    `,
  },
  {
    version: 2,
    name: "per-org booking horizon",
    sql: "ALTER TABLE orgs ADD COLUMN booking_horizon_months INTEGER NOT NULL DEFAULT 18;",
  },
];
