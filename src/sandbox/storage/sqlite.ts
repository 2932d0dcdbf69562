/**
 * The SQLite backend of `Storage` (better-sqlite3). better-sqlite3 is synchronous, so each method
 * runs to completion without yielding: a `transact` is one BEGIN IMMEDIATE … COMMIT that no other
 * request of this process can interleave with, and BEGIN IMMEDIATE plus busy_timeout serialises
 * writers of other processes sharing the file.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import Database from "better-sqlite3";
import type { AppointmentRecord, ClinicalNoteRecord, PatientRecord } from "../domain/model.js";
import { DEFAULT_HORIZON_MONTHS } from "../domain/schedule.js";
import { MIGRATIONS } from "./migrations.js";
import {
  MAX_BOOKING_MS,
  likeContains,
  type AppointmentFilter,
  type AppointmentOrder,
  type AppointmentRow,
  type AuditEntry,
  type AuditRow,
  type BookingScope,
  type Decision,
  type IdempotencyRecord,
  type PageOf,
  type PageRequest,
  type PatientFilter,
  type PatientRow,
  type PracticeRows,
  type ReferenceData,
  type Storage,
  StorageError,
  translatingErrors,
  type TransactionLoad,
  type TransactionState,
  type Write,
} from "./storage.js";

export const DATABASE_FILE = "dental-pms.sqlite";

type Row = Record<string, unknown>;

/** Opens (creating if needed) the database in `dataDir`, or an in-memory one, and migrates it. */
export function openSqliteStorage(dataDir?: string): SqliteStorage {
  let file = ":memory:";
  if (dataDir !== undefined) {
    mkdirSync(dataDir, { recursive: true });
    file = join(dataDir, DATABASE_FILE);
  }
  const db = new Database(file);
  // First: every later statement, switching to WAL included, may meet another process starting on the same file.
  db.pragma("busy_timeout = 5000");
  db.pragma("journal_mode = WAL");
  db.pragma("foreign_keys = ON");
  // A 201 is a promise to the practice: every commit reaches the disk before it is acknowledged, so an
  // acknowledged booking survives a power cut, not just a crash of this process.
  db.pragma("synchronous = FULL");
  migrate(db);
  return translatingErrors(new SqliteStorage(db), sqliteFault(dataDir ?? "(in memory)"));
}

/**
 * Applies the migrations the database lacks, each in its own BEGIN IMMEDIATE transaction that checks
 * again whether it is still missing: another process starting on the same file may have applied it
 * between our first look and our write lock.
 */
export function migrate(db: Database.Database): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`);
  const isApplied = db.prepare("SELECT 1 FROM schema_migrations WHERE version = ?").pluck();
  for (const migration of MIGRATIONS) {
    if (isApplied.get(migration.version) !== undefined) continue;
    db.transaction(() => {
      if (isApplied.get(migration.version) !== undefined) return;
      db.exec(migration.sql);
      db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)").run(
        migration.version,
        migration.name,
        Date.now(),
      );
    }).immediate();
  }
}

/**
 * SQLite's result codes as storage faults: a full disk, a read-only file or file system, an I/O error
 * (the disk went away), a lock held by another process beyond busy_timeout.
 */
function sqliteFault(where: string) {
  return (error: unknown): StorageError | undefined => {
    const code = (error as { code?: unknown } | null)?.code;
    if (typeof code !== "string") return undefined;
    const kind =
      code === "SQLITE_FULL"
        ? "full"
        : code.startsWith("SQLITE_READONLY")
          ? "read_only"
          : code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")
            ? "busy"
            : code.startsWith("SQLITE_IOERR") || code.startsWith("SQLITE_CANTOPEN")
              ? "unavailable"
              : undefined;
    return kind === undefined ? undefined : new StorageError(kind, where, code, error);
  };
}

function toPatient(row: Row): PatientRecord {
  return {
    uuid: row.uuid as string,
    first_name: row.first_name as string,
    last_name: row.last_name as string,
    date_of_birth: row.date_of_birth as string,
    primary_phone: (row.primary_phone as string | null) ?? null,
    email: (row.email as string | null) ?? null,
    preferred_provider_uuid: (row.preferred_provider_uuid as string | null) ?? null,
  };
}

function toAppointment(row: Row): AppointmentRow {
  return {
    uuid: row.uuid as string,
    patient_uuid: row.patient_uuid as string,
    appointment_type_uuid: row.appointment_type_uuid as string,
    provider_uuid: row.provider_uuid as string,
    location_uuid: row.location_uuid as string,
    operatory_uuid: row.operatory_uuid as string,
    start: row.start_ms as number,
    end: row.end_ms as number,
    local_date: row.local_date as string,
    status: row.status as AppointmentRecord["status"],
    notes: (row.notes as string | null) ?? null,
    cancellation_reason: (row.cancellation_reason as string | null) ?? null,
    created_at: row.created_at as number,
    updated_at: row.updated_at as number,
  };
}

function appointmentParams(orgId: string, a: AppointmentRow) {
  return {
    org_id: orgId,
    uuid: a.uuid,
    patient_uuid: a.patient_uuid,
    appointment_type_uuid: a.appointment_type_uuid,
    provider_uuid: a.provider_uuid,
    location_uuid: a.location_uuid,
    operatory_uuid: a.operatory_uuid,
    start_ms: a.start,
    end_ms: a.end,
    local_date: a.local_date,
    status: a.status,
    notes: a.notes,
    cancellation_reason: a.cancellation_reason,
    created_at: a.created_at,
    updated_at: a.updated_at,
  };
}

export class SqliteStorage implements Storage {
  private readonly statements;

  constructor(private readonly db: Database.Database) {
    const prepare = (sql: string) => db.prepare(sql);
    this.statements = {
      findToken: prepare("SELECT id AS token_id, org_id FROM api_tokens WHERE token_hash = ?"),
      insertToken: prepare("INSERT INTO api_tokens (id, org_id, token_hash, created_at) VALUES (?, ?, ?, ?)"),
      getOrg: prepare("SELECT uuid, name, booking_horizon_months FROM orgs WHERE uuid = ?"),
      docs: {
        locations: prepare("SELECT doc FROM locations WHERE org_id = ? ORDER BY seq"),
        providers: prepare("SELECT doc FROM providers WHERE org_id = ? ORDER BY seq"),
        appointmentTypes: prepare("SELECT doc FROM appointment_types WHERE org_id = ? ORDER BY seq"),
        shifts: prepare("SELECT doc FROM shifts WHERE org_id = ? ORDER BY seq"),
        timeOff: prepare("SELECT doc FROM time_off WHERE org_id = ? ORDER BY seq"),
        closures: prepare("SELECT doc FROM closures WHERE org_id = ? ORDER BY seq"),
      },
      // Index range scans (by provider, by location, by patient) united; an OR of them would scan the org.
      bookings: prepare(
        [
          "provider_uuid IN (SELECT value FROM json_each(@providers))",
          "location_uuid IN (SELECT value FROM json_each(@locations))",
          "patient_uuid IN (SELECT value FROM json_each(@patients))",
        ]
          .map(
            (which) => `SELECT * FROM appointments WHERE org_id = @org_id AND ${which}
            AND start_ms < @end AND start_ms > @earliest_start AND end_ms > @start AND status <> 'cancelled'`,
          )
          .join(" UNION ") + " ORDER BY start_ms, uuid",
      ),
      insertPatient: prepare(`
        INSERT INTO patients (org_id, uuid, first_name, last_name, first_folded, last_folded, date_of_birth,
          primary_phone, email, preferred_provider_uuid)
        VALUES (@org_id, @uuid, @first_name, @last_name, @first_folded, @last_folded, @date_of_birth,
          @primary_phone, @email, @preferred_provider_uuid)`),
      findDuplicatePatient: prepare(`
        SELECT uuid FROM patients
        WHERE org_id = ? AND first_folded = ? AND last_folded = ? AND date_of_birth = ?
        ORDER BY uuid LIMIT 1`),
      getAppointment: prepare("SELECT * FROM appointments WHERE org_id = ? AND uuid = ?"),
      insertAppointment: prepare(`
        INSERT INTO appointments (org_id, uuid, patient_uuid, appointment_type_uuid, provider_uuid, location_uuid,
          operatory_uuid, start_ms, end_ms, local_date, status, notes, cancellation_reason, created_at, updated_at)
        VALUES (@org_id, @uuid, @patient_uuid, @appointment_type_uuid, @provider_uuid, @location_uuid,
          @operatory_uuid, @start_ms, @end_ms, @local_date, @status, @notes, @cancellation_reason, @created_at,
          @updated_at)`),
      updateAppointment: prepare(`
        UPDATE appointments SET provider_uuid = @provider_uuid, location_uuid = @location_uuid,
          operatory_uuid = @operatory_uuid, start_ms = @start_ms, end_ms = @end_ms, local_date = @local_date,
          status = @status, notes = @notes, cancellation_reason = @cancellation_reason, updated_at = @updated_at
        WHERE org_id = @org_id AND uuid = @uuid`),
      insertNote: prepare(
        "INSERT INTO clinical_notes (org_id, uuid, appointment_uuid, text, created_at) VALUES (?, ?, ?, ?, ?)",
      ),
      getIdempotency: prepare("SELECT * FROM idempotency_keys WHERE org_id = ? AND key = ? AND created_at >= ?"),
      putIdempotency: prepare(`
        INSERT OR REPLACE INTO idempotency_keys (org_id, key, request_hash, status, body, created_at)
        VALUES (?, ?, ?, ?, ?, ?)`),
      purgeIdempotency: prepare("DELETE FROM idempotency_keys WHERE org_id = ? AND created_at < ?"),
      insertAudit: prepare(`
        INSERT INTO audit_log (org_id, actor_token_id, action, entity_type, entity_uuid, at)
        VALUES (?, ?, ?, ?, ?, ?)`),
      listAudit: prepare(
        "SELECT org_id, actor_token_id, action, entity_type, entity_uuid, at FROM audit_log WHERE org_id = ? ORDER BY id",
      ),
    };
  }

  async listOrgIds(): Promise<string[]> {
    return this.db.prepare("SELECT uuid FROM orgs ORDER BY seq").pluck().all() as string[];
  }

  async insertPractice(practice: PracticeRows): Promise<void> {
    this.db.transaction(() => this.writePractice(practice)).immediate();
  }

  async insertFirstPractice(practice: PracticeRows): Promise<boolean> {
    return this.db
      .transaction(() => {
        if (this.db.prepare("SELECT 1 FROM orgs LIMIT 1").get() !== undefined) return false;
        this.writePractice(practice);
        return true;
      })
      .immediate();
  }

  private writePractice(practice: PracticeRows): void {
    const db = this.db;
    const orgId = practice.org.uuid;
    const seq = db.prepare("SELECT COALESCE(MAX(seq), 0) + 1 FROM orgs").pluck().get() as number;
    db.prepare("INSERT INTO orgs (uuid, name, seq, booking_horizon_months) VALUES (?, ?, ?, ?)").run(
      orgId,
      practice.org.name,
      seq,
      practice.org.booking_horizon_months ?? DEFAULT_HORIZON_MONTHS,
    );
    const insertDocs = (table: string, docs: readonly object[], uuidOf?: (doc: never) => string) => {
      const statement = uuidOf
        ? db.prepare(`INSERT INTO ${table} (org_id, uuid, seq, doc) VALUES (?, ?, ?, ?)`)
        : db.prepare(`INSERT INTO ${table} (org_id, seq, doc) VALUES (?, ?, ?)`);
      docs.forEach((doc, index) => {
        const json = JSON.stringify(doc);
        if (uuidOf) statement.run(orgId, uuidOf(doc as never), index, json);
        else statement.run(orgId, index, json);
      });
    };
    const byUuid = (doc: { uuid: string }) => doc.uuid;
    insertDocs("locations", practice.locations, byUuid);
    insertDocs("providers", practice.providers, byUuid);
    insertDocs("appointment_types", practice.appointmentTypes, byUuid);
    insertDocs("shifts", practice.shifts);
    insertDocs("time_off", practice.timeOff, byUuid);
    insertDocs("closures", practice.closures);
    for (const patient of practice.patients) this.statements.insertPatient.run({ org_id: orgId, ...patient });
    for (const appointment of practice.appointments) {
      this.statements.insertAppointment.run(appointmentParams(orgId, appointment));
    }
  }

  async addToken(orgId: string, tokenHash: string): Promise<string> {
    return this.db
      .transaction(() => {
        const existing = this.statements.findToken.get(tokenHash) as { token_id: string; org_id: string } | undefined;
        if (existing) {
          if (existing.org_id !== orgId) throw new Error("token already registered for another org");
          return existing.token_id;
        }
        const id = randomUUID();
        this.statements.insertToken.run(id, orgId, tokenHash, Date.now());
        return id;
      })
      .immediate();
  }

  async findToken(tokenHash: string): Promise<{ token_id: string; org_id: string } | null> {
    return (this.statements.findToken.get(tokenHash) as { token_id: string; org_id: string } | undefined) ?? null;
  }

  async getReference(orgId: string): Promise<ReferenceData | null> {
    const org = this.statements.getOrg.get(orgId) as ReferenceData["org"] | undefined;
    if (!org) return null;
    const docs = this.statements.docs;
    const load = <T>(statement: Database.Statement): T[] =>
      (statement.pluck().all(orgId) as string[]).map((doc) => JSON.parse(doc) as T);
    return {
      org,
      locations: load(docs.locations),
      providers: load(docs.providers),
      appointmentTypes: load(docs.appointmentTypes),
      shifts: load(docs.shifts),
      timeOff: load(docs.timeOff),
      closures: load(docs.closures),
    };
  }

  async findBookings(orgId: string, scope: BookingScope): Promise<AppointmentRecord[]> {
    return this.loadBookings(orgId, scope);
  }

  private loadBookings(orgId: string, scope: BookingScope): AppointmentRow[] {
    const rows = this.statements.bookings.all({
      org_id: orgId,
      start: scope.window.start,
      end: scope.window.end,
      earliest_start: scope.window.start - MAX_BOOKING_MS,
      providers: JSON.stringify(scope.provider_uuids),
      locations: JSON.stringify(scope.location_uuids),
      patients: JSON.stringify(scope.patient_uuids),
    }) as Row[];
    return rows.map(toAppointment);
  }

  async searchPatients(orgId: string, filter: PatientFilter, page: PageRequest): Promise<PageOf<PatientRecord>> {
    const where = ["org_id = @org_id"];
    const params: Record<string, unknown> = { org_id: orgId };
    if (filter.text !== undefined) {
      where.push(`(first_folded LIKE @text ESCAPE '\\' OR last_folded LIKE @text ESCAPE '\\'
        OR (first_folded || ' ' || last_folded) LIKE @text ESCAPE '\\')`);
      params.text = likeContains(filter.text);
    }
    if (filter.date_of_birth !== undefined) {
      where.push("date_of_birth = @date_of_birth");
      params.date_of_birth = filter.date_of_birth;
    }
    if (filter.phone !== undefined) {
      where.push("primary_phone = @phone");
      params.phone = filter.phone;
    }
    const clause = where.join(" AND ");
    const total = this.db.prepare(`SELECT COUNT(*) FROM patients WHERE ${clause}`).pluck().get(params) as number;
    const rows = this.db
      .prepare(
        `SELECT * FROM patients WHERE ${clause} ORDER BY last_folded, first_folded, uuid LIMIT @limit OFFSET @offset`,
      )
      .all({ ...params, limit: page.page_size, offset: (page.page - 1) * page.page_size }) as Row[];
    return { items: rows.map(toPatient), total };
  }

  async getPatients(orgId: string, uuids: readonly string[]): Promise<PatientRecord[]> {
    if (uuids.length === 0) return [];
    const rows = this.db
      .prepare("SELECT * FROM patients WHERE org_id = ? AND uuid IN (SELECT value FROM json_each(?))")
      .all(orgId, JSON.stringify(uuids)) as Row[];
    return rows.map(toPatient);
  }

  async createPatient(
    orgId: string,
    patient: PatientRow,
    audit: AuditEntry,
  ): Promise<{ created: true } | { created: false; existing_uuid: string }> {
    return this.db
      .transaction((): { created: true } | { created: false; existing_uuid: string } => {
        const existing = this.statements.findDuplicatePatient
          .pluck()
          .get(orgId, patient.first_folded, patient.last_folded, patient.date_of_birth) as string | undefined;
        if (existing !== undefined) return { created: false, existing_uuid: existing };
        this.statements.insertPatient.run({ org_id: orgId, ...patient });
        this.insertAudit(orgId, audit);
        return { created: true };
      })
      .immediate();
  }

  async getAppointment(orgId: string, uuid: string): Promise<AppointmentRow | null> {
    const row = this.statements.getAppointment.get(orgId, uuid) as Row | undefined;
    return row ? toAppointment(row) : null;
  }

  async listAppointments(
    orgId: string,
    filter: AppointmentFilter,
    page: PageRequest,
    order: AppointmentOrder = "start",
  ): Promise<PageOf<AppointmentRow>> {
    const where = ["org_id = @org_id"];
    const params: Record<string, unknown> = { org_id: orgId };
    const equal = ["patient_uuid", "provider_uuid", "location_uuid", "status"] as const;
    for (const column of equal) {
      if (filter[column] !== undefined) {
        where.push(`${column} = @${column}`);
        params[column] = filter[column];
      }
    }
    if (filter.start_date !== undefined) {
      where.push("local_date >= @start_date");
      params.start_date = filter.start_date;
    }
    if (filter.end_date !== undefined) {
      where.push("local_date <= @end_date");
      params.end_date = filter.end_date;
    }
    if (filter.ends_after !== undefined) {
      where.push("end_ms > @ends_after");
      params.ends_after = filter.ends_after;
    }
    if (filter.ended_by !== undefined) {
      where.push("end_ms <= @ended_by");
      params.ended_by = filter.ended_by;
    }
    const clause = where.join(" AND ");
    const direction = order === "-start" ? "DESC" : "ASC";
    const total = this.db.prepare(`SELECT COUNT(*) FROM appointments WHERE ${clause}`).pluck().get(params) as number;
    const rows = this.db
      .prepare(
        `SELECT * FROM appointments WHERE ${clause} ORDER BY start_ms ${direction}, uuid ${direction} LIMIT @limit OFFSET @offset`,
      )
      .all({ ...params, limit: page.page_size, offset: (page.page - 1) * page.page_size }) as Row[];
    return { items: rows.map(toAppointment), total };
  }

  async listNotes(orgId: string, appointmentUuids: readonly string[]): Promise<ClinicalNoteRecord[]> {
    if (appointmentUuids.length === 0) return [];
    return this.db
      .prepare(
        `SELECT uuid, appointment_uuid, text, created_at FROM clinical_notes
         WHERE org_id = ? AND appointment_uuid IN (SELECT value FROM json_each(?))
         ORDER BY created_at, uuid`,
      )
      .all(orgId, JSON.stringify(appointmentUuids)) as ClinicalNoteRecord[];
  }

  async addNote(orgId: string, note: ClinicalNoteRecord, audit: AuditEntry): Promise<void> {
    this.db
      .transaction(() => {
        this.statements.insertNote.run(orgId, note.uuid, note.appointment_uuid, note.text, note.created_at);
        this.insertAudit(orgId, audit);
      })
      .immediate();
  }

  async getIdempotency(orgId: string, key: string, notBefore: number): Promise<IdempotencyRecord | null> {
    return this.readIdempotency(orgId, key, notBefore);
  }

  private readIdempotency(orgId: string, key: string, notBefore: number): IdempotencyRecord | null {
    const row = this.statements.getIdempotency.get(orgId, key, notBefore) as Row | undefined;
    if (!row) return null;
    return {
      key: row.key as string,
      request_hash: row.request_hash as string,
      status: row.status as number,
      body: JSON.parse(row.body as string) as unknown,
      created_at: row.created_at as number,
    };
  }

  async transact<T>(
    orgId: string,
    load: TransactionLoad,
    decide: (state: TransactionState) => Decision<T>,
  ): Promise<T> {
    return this.db
      .transaction(() => {
        const state: TransactionState = {
          bookings: load.bookings ? this.loadBookings(orgId, load.bookings) : [],
          appointment: null,
          idempotency: null,
        };
        if (load.appointment_uuid !== undefined) {
          const row = this.statements.getAppointment.get(orgId, load.appointment_uuid) as Row | undefined;
          state.appointment = row ? toAppointment(row) : null;
        }
        if (load.idempotency) {
          state.idempotency = this.readIdempotency(orgId, load.idempotency.key, load.idempotency.notBefore);
          if (state.idempotency === null) this.statements.purgeIdempotency.run(orgId, load.idempotency.notBefore);
        }
        const decision = decide(state);
        for (const write of decision.writes) this.apply(orgId, write);
        return decision.result;
      })
      .immediate();
  }

  private apply(orgId: string, write: Write): void {
    switch (write.kind) {
      case "appointment.insert":
        this.statements.insertAppointment.run(appointmentParams(orgId, write.appointment));
        return;
      case "appointment.update":
        this.statements.updateAppointment.run(appointmentParams(orgId, write.appointment));
        return;
      case "idempotency.put": {
        const r = write.record;
        this.statements.putIdempotency.run(
          orgId,
          r.key,
          r.request_hash,
          r.status,
          JSON.stringify(r.body),
          r.created_at,
        );
        return;
      }
      case "audit":
        this.insertAudit(orgId, write.entry);
        return;
    }
  }

  private insertAudit(orgId: string, entry: AuditEntry): void {
    this.statements.insertAudit.run(
      orgId,
      entry.actor_token_id,
      entry.action,
      entry.entity_type,
      entry.entity_uuid,
      entry.at,
    );
  }

  async listAudit(orgId: string): Promise<AuditRow[]> {
    return this.statements.listAudit.all(orgId) as AuditRow[];
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
