/**
 * The one implementation of `Storage`, over either database (dialect.ts): every query, filter, order and
 * write is written here once, as SQL with parameters, and runs on SQLite and PostgreSQL alike.
 *
 * `transact` loads what `decide` needs, calls it and applies its writes inside one write transaction. On
 * SQLite that is BEGIN IMMEDIATE, run to completion without yielding; on PostgreSQL, BEGIN plus advisory
 * locks on the idempotency key, the providers, the patients and the locations it touches (the scope built
 * here), a row lock on the appointment it changes, and the exclusion constraints as the last line of
 * defence (a write that slipped past the locks is refused and the transaction run again, so that `decide`
 * sees the winner and answers the same 409 as on SQLite).
 *
 * Holds are claims like bookings: a `transact` with a booking scope loads the holds of its providers and
 * locations beside the bookings, expired ones included, and `decide` deletes the expired ones in its way
 * before it writes (so the database never meets a lapsed hold, no sweeper runs, and expiry cannot race a
 * write: both happen under the same locks). On PostgreSQL the database enforces the rest itself: exclusion
 * constraints keep holds apart, and guard triggers (schema.ts Guard) keep holds and appointments apart.
 */
import { randomUUID } from "node:crypto";
import type {
  AppointmentRecord,
  BookingRecord,
  ClinicalNoteRecord,
  HoldRecord,
  Occupancy,
  PatientRecord,
} from "../domain/model.js";
import { DEFAULT_HORIZON_MONTHS } from "../domain/schedule.js";
import { row, rows, run, tuples, type Dialect, type TransactionScope, type Work } from "./dialect.js";
import { insertRow, storedColumns, table, type Table } from "./schema.js";
import { join, raw, Sql, sql } from "./sql.js";
import {
  MAX_BOOKING_MS,
  likeContains,
  translatingErrors,
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
  type TransactionLoad,
  type TransactionState,
  type Write,
} from "./storage.js";

/** A transaction that touches nothing finer than the database: locks nothing, queues nowhere, runs once. */
const PLAIN: TransactionScope = { locks: [], lines: [], retry: false, unbounded: false };

/** Lock key of seeding an empty database, so that instances starting together seed it once. */
const SEED_LOCK_KEY = "dental-pms:seed";

type LockKind = "idempotency" | "provider" | "patient" | "location";

/** The lock key of one provider, patient, location or idempotency key of an org. */
export function lockKey(orgId: string, kind: LockKind, id: string): string {
  return `${orgId}|${kind}|${id}`;
}

/**
 * The scope of a `transact`: its idempotency key, then providers, patients and locations, each group sorted.
 * Providers come before locations so that a transaction waiting for a busy provider holds no location
 * lock, which would stall every other provider's bookings there. Providers are also the lines it queues in.
 */
function transactScope(orgId: string, load: TransactionLoad): TransactionScope {
  const keys = (kind: LockKind, uuids: readonly string[] = []) =>
    [...new Set(uuids)].sort().map((uuid) => lockKey(orgId, kind, uuid));
  const providers = keys("provider", load.bookings?.provider_uuids);
  const idempotency = load.idempotency ? [lockKey(orgId, "idempotency", load.idempotency.key)] : [];
  return {
    locks: [
      ...idempotency,
      ...providers,
      ...keys("patient", load.bookings?.patient_uuids),
      ...keys("location", load.bookings?.location_uuids),
    ],
    lines: providers,
    retry: true,
    unbounded: false,
  };
}

const API_TOKENS = table("api_tokens");
const PATIENTS = table("patients");
const APPOINTMENTS = table("appointments");
const CLINICAL_NOTES = table("clinical_notes");
const IDEMPOTENCY_KEYS = table("idempotency_keys");
const HOLDS = table("holds");
const AUDIT_LOG = table("audit_log");
/** Reference documents: the table and the ReferenceData field of each. */
const DOCUMENTS = [
  ["locations", "locations"],
  ["providers", "providers"],
  ["appointment_types", "appointmentTypes"],
  ["shifts", "shifts"],
  ["time_off", "timeOff"],
  ["closures", "closures"],
] as const satisfies readonly (readonly [string, keyof ReferenceData])[];

const PATIENT_COLUMNS = raw(
  "uuid, first_name, last_name, date_of_birth, primary_phone, email, preferred_provider_uuid",
);
/** Appointment columns under the record's names, so rows come back as AppointmentRow. */
const APPOINTMENT_COLUMNS =
  raw(`uuid, patient_uuid, appointment_type_uuid, provider_uuid, location_uuid, operatory_uuid,
  start_ms AS start, end_ms AS "end", local_date, status, notes, cancellation_reason, created_at, updated_at`);

/** The columns of an appointment the scheduling rule reads (BookingRecord). */
const BOOKING_COLUMNS = raw(
  `uuid, patient_uuid, provider_uuid, location_uuid, operatory_uuid, start_ms AS start, end_ms AS "end", status`,
);

/** Hold columns under the record's names. */
const HOLD_COLUMNS = raw(`uuid, appointment_type_uuid, provider_uuid, location_uuid, operatory_uuid, patient_uuid,
  start_ms AS start, end_ms AS "end", expires_at, created_at`);

/** The columns of an appointment a search for free time reads (Occupancy), under the record's names. */
const OCCUPANCY_COLUMNS = raw(`provider_uuid, location_uuid, operatory_uuid, start_ms AS start, end_ms AS "end"`);
const OCCUPANCY_NAMES = ["provider_uuid", "location_uuid", "operatory_uuid", "start", "end"];
type OccupancyTuple = [
  provider_uuid: string,
  location_uuid: string,
  operatory_uuid: string,
  start: number,
  end: number,
];

/** A record's values in the order of storedColumns(t): each column's value under its own name, org_id the org's. */
function valuesOf(t: Table, orgId: string, record: object): unknown[] {
  const fields = record as Record<string, unknown>;
  return storedColumns(t).map((c) => (c.name === "org_id" ? orgId : (fields[c.name] ?? null)));
}

/** An appointment or hold under the column names (the record says start and end for start_ms and end_ms). */
const appointmentColumns = (a: AppointmentRow | HoldRecord) => ({ ...a, start_ms: a.start, end_ms: a.end });

const NO_LOCK = raw("");
const whereAll = (conditions: readonly Sql[]) => join(conditions, " AND ");

/** `Storage` over `dialect`, every driver failure leaving as a StorageError. */
export function sqlStorage(dialect: Dialect): Storage {
  return translatingErrors(new SqlStorage(dialect), (error) => dialect.classify(error));
}

class SqlStorage implements Storage {
  /**
   * The org and each table of its reference documents aggregated, in order, into one JSON array: one
   * statement, its text built once; every parameter is the org id.
   */
  private readonly reference: (orgId: string) => Sql;

  constructor(private readonly db: Dialect) {
    const aggregates = DOCUMENTS.map(
      ([name]) =>
        sql`(SELECT ${raw(db.jsonArray("doc", "seq"))} FROM ${raw(name)} WHERE org_id = ${null}) AS ${raw(name)}`,
    );
    const { texts } =
      sql`SELECT uuid, name, booking_horizon_months, ${join(aggregates, ", ")} FROM orgs WHERE uuid = ${null}`;
    this.reference = (orgId) => new Sql(texts, new Array<string>(texts.length - 1).fill(orgId));
  }

  async listOrgIds(): Promise<string[]> {
    const orgs = await this.db.autocommit(rows<{ uuid: string }>(sql`SELECT uuid FROM orgs ORDER BY seq`));
    return orgs.map((org) => org.uuid);
  }

  async insertPractice(practice: PracticeRows): Promise<void> {
    await this.db.transaction({ ...PLAIN, unbounded: true }, () => this.writePractice(practice));
  }

  async insertFirstPractice(practice: PracticeRows): Promise<boolean> {
    // Waits, however long, for an instance that is seeding right now; then looks again.
    return this.db.transaction({ ...PLAIN, locks: [SEED_LOCK_KEY], unbounded: true }, () => this.seedEmpty(practice));
  }

  private *seedEmpty(practice: PracticeRows): Work<boolean> {
    if ((yield* row(sql`SELECT 1 AS found FROM orgs LIMIT 1`)) !== undefined) return false;
    yield* this.writePractice(practice);
    return true;
  }

  private *writePractice(practice: PracticeRows): Work<void> {
    const orgId = practice.org.uuid;
    yield* run(sql`INSERT INTO orgs (uuid, name, seq, booking_horizon_months)
      VALUES (${orgId}, ${practice.org.name}, ${this.db.nextOrdinal("orgs", "seq")},
        ${practice.org.booking_horizon_months ?? DEFAULT_HORIZON_MONTHS})`);
    const inserts: [Table, unknown[][]][] = DOCUMENTS.map(([name, field]) => {
      const documents: readonly object[] = practice[field];
      const t = table(name);
      // The documents of tables keyed by uuid carry it; the others are identified by their place in the list.
      return [t, documents.map((doc, seq) => valuesOf(t, orgId, { ...doc, seq, doc: JSON.stringify(doc) }))];
    });
    inserts.push([PATIENTS, practice.patients.map((p) => valuesOf(PATIENTS, orgId, p))]);
    inserts.push([
      APPOINTMENTS,
      practice.appointments.map((a) => valuesOf(APPOINTMENTS, orgId, appointmentColumns(a))),
    ]);
    for (const [t, values] of inserts) {
      for (const statement of this.db.insertRows(t, values)) yield* run(statement);
    }
  }

  async addToken(orgId: string, tokenHash: string): Promise<string> {
    const existing = await this.db.autocommit(this.registerToken(orgId, tokenHash));
    if (!existing) throw new Error("the token vanished while being registered");
    if (existing.org_id !== orgId) throw new Error("token already registered for another org");
    return existing.token_id;
  }

  /**
   * Insert-if-absent, then read: instances registering the same token at once all get the one row. Looks
   * first, so that a restart with a known token writes nothing (and starts on a read-only database).
   */
  private *registerToken(orgId: string, tokenHash: string) {
    const known = yield* this.token(tokenHash);
    if (known) return known;
    const token = { id: randomUUID(), token_hash: tokenHash, created_at: Date.now() };
    yield* run(sql`${insertRow(API_TOKENS, valuesOf(API_TOKENS, orgId, token))} ON CONFLICT (token_hash) DO NOTHING`);
    return yield* this.token(tokenHash);
  }

  async findToken(tokenHash: string): Promise<{ token_id: string; org_id: string } | null> {
    return (await this.db.autocommit(this.token(tokenHash))) ?? null;
  }

  private token(tokenHash: string) {
    return row<{ token_id: string; org_id: string }>(
      sql`SELECT id AS token_id, org_id FROM api_tokens WHERE token_hash = ${tokenHash}`,
    );
  }

  async getReference(orgId: string): Promise<ReferenceData | null> {
    const found = await this.db.autocommit(row<Record<string, unknown>>(this.reference(orgId)));
    if (!found) return null;
    return {
      org: {
        uuid: found.uuid as string,
        name: found.name as string,
        booking_horizon_months: found.booking_horizon_months as number,
      },
      ...Object.fromEntries(DOCUMENTS.map(([name, field]) => [field, JSON.parse(found[name] as string) as unknown])),
    } as ReferenceData;
  }

  async findBookings(orgId: string, scope: BookingScope): Promise<AppointmentRecord[]> {
    return this.db.autocommit(this.bookings<AppointmentRow>(orgId, scope, APPOINTMENT_COLUMNS));
  }

  async findOccupying(orgId: string, scope: BookingScope): Promise<Occupancy[]> {
    const select = this.bookingsSelect(orgId, scope, OCCUPANCY_COLUMNS);
    if (!select) return [];
    const found = await this.db.autocommit(tuples<OccupancyTuple>(select, OCCUPANCY_NAMES));
    return found.map(([provider_uuid, location_uuid, operatory_uuid, start, end]) => ({
      provider_uuid,
      location_uuid,
      operatory_uuid,
      start,
      end,
    }));
  }

  async findHolds(orgId: string, scope: BookingScope): Promise<HoldRecord[]> {
    return this.db.autocommit(this.holds(orgId, scope));
  }

  private *bookings<R>(orgId: string, scope: BookingScope, columns: Sql): Work<R[]> {
    const select = this.bookingsSelect(orgId, scope, columns);
    return select ? yield* rows<R>(sql`${select} ORDER BY start, uuid`) : [];
  }

  private bookingsSelect(orgId: string, scope: BookingScope, columns: Sql): Sql | null {
    return this.overlapping(columns, "appointments", orgId, scope, [
      ["provider_uuid", scope.provider_uuids],
      ["location_uuid", scope.location_uuids],
      ["patient_uuid", scope.patient_uuids],
    ]);
  }

  private *holds(orgId: string, scope: BookingScope): Work<HoldRecord[]> {
    const select = this.overlapping(HOLD_COLUMNS, "holds", orgId, scope, [
      ["provider_uuid", scope.provider_uuids],
      ["location_uuid", scope.location_uuids],
    ]);
    return select ? yield* rows<HoldRecord>(sql`${select} ORDER BY start, uuid`) : [];
  }

  /**
   * The SELECT of claims (appointments not cancelled, or holds) of `from` whose `column` is one of its uuids,
   * overlapping the window; null when the scope names none.
   */
  private overlapping(
    columns: Sql,
    from: "appointments" | "holds",
    orgId: string,
    scope: BookingScope,
    by: readonly (readonly [column: string, uuids: readonly string[]])[],
  ): Sql | null {
    const { start, end } = scope.window;
    const live = from === "appointments" ? raw(" AND status <> 'cancelled'") : raw("");
    // Index range scans (by provider, by location, by patient) united; an OR of them would scan the org.
    // A scope left empty is no branch at all: one branch alone needs no UNION, and so no de-duplicating sort.
    const selects = by
      .filter(([, uuids]) => uuids.length > 0)
      .map(
        ([column, uuids]) => sql`SELECT ${columns} FROM ${raw(from)}
        WHERE org_id = ${orgId} AND ${this.db.anyOf(column, uuids)} AND start_ms < ${end}
          AND start_ms > ${start - MAX_BOOKING_MS} AND end_ms > ${start}${live}`,
      );
    return selects.length === 0 ? null : join(selects, " UNION ");
  }

  async searchPatients(orgId: string, filter: PatientFilter, page: PageRequest): Promise<PageOf<PatientRecord>> {
    const where = [sql`org_id = ${orgId}`];
    if (filter.text !== undefined) {
      const text = likeContains(filter.text);
      where.push(sql`(first_folded LIKE ${text} ESCAPE '\\' OR last_folded LIKE ${text} ESCAPE '\\'
        OR (first_folded || ' ' || last_folded) LIKE ${text} ESCAPE '\\')`);
    }
    if (filter.date_of_birth !== undefined) where.push(sql`date_of_birth = ${filter.date_of_birth}`);
    if (filter.phone !== undefined) where.push(sql`primary_phone = ${filter.phone}`);
    return this.db.autocommit(
      this.page<PatientRecord>(PATIENT_COLUMNS, "patients", whereAll(where), "last_folded, first_folded, uuid", page),
    );
  }

  /** One page of `columns` of the rows of `from` that match `where`, in `order`, and how many match in all. */
  private *page<R>(columns: Sql, from: string, where: Sql, order: string, page: PageRequest): Work<PageOf<R>> {
    const counted = yield* row<{ total: number }>(sql`SELECT COUNT(*) AS total FROM ${raw(from)} WHERE ${where}`);
    const items = yield* rows<R>(sql`SELECT ${columns} FROM ${raw(from)} WHERE ${where} ORDER BY ${raw(order)}
      LIMIT ${page.page_size} OFFSET ${(page.page - 1) * page.page_size}`);
    return { items, total: counted?.total ?? 0 };
  }

  async getPatients(orgId: string, uuids: readonly string[]): Promise<PatientRecord[]> {
    if (uuids.length === 0) return [];
    return this.db.autocommit(
      rows<PatientRecord>(
        sql`SELECT ${PATIENT_COLUMNS} FROM patients WHERE org_id = ${orgId} AND ${this.db.anyOf("uuid", uuids)}`,
      ),
    );
  }

  async createPatient(
    orgId: string,
    patient: PatientRow,
    audit: AuditEntry,
  ): Promise<{ created: true } | { created: false; existing_uuid: string }> {
    return this.db.transaction(PLAIN, () => this.insertPatientOnce(orgId, patient, audit));
  }

  private *insertPatientOnce(
    orgId: string,
    patient: PatientRow,
    audit: AuditEntry,
  ): Work<{ created: true } | { created: false; existing_uuid: string }> {
    // The unique index on folded names and birth date decides, atomically, across instances.
    const inserted = yield* run(sql`${insertRow(PATIENTS, valuesOf(PATIENTS, orgId, patient))}
      ON CONFLICT (org_id, last_folded, first_folded, date_of_birth) DO NOTHING`);
    if (inserted === 0) {
      const existing = yield* row<{ uuid: string }>(sql`SELECT uuid FROM patients
        WHERE org_id = ${orgId} AND last_folded = ${patient.last_folded} AND first_folded = ${patient.first_folded}
          AND date_of_birth = ${patient.date_of_birth}`);
      if (!existing) throw new Error("a conflicting patient vanished during the duplicate check");
      return { created: false, existing_uuid: existing.uuid };
    }
    yield* run(insertRow(AUDIT_LOG, valuesOf(AUDIT_LOG, orgId, audit)));
    return { created: true };
  }

  async getAppointment(orgId: string, uuid: string): Promise<AppointmentRow | null> {
    return (await this.db.autocommit(this.appointment(orgId, uuid, NO_LOCK))) ?? null;
  }

  private appointment(orgId: string, uuid: string, lock: Sql) {
    return row<AppointmentRow>(
      sql`SELECT ${APPOINTMENT_COLUMNS} FROM appointments WHERE org_id = ${orgId} AND uuid = ${uuid}${lock}`,
    );
  }

  async listAppointments(
    orgId: string,
    filter: AppointmentFilter,
    page: PageRequest,
    order: AppointmentOrder = "start",
  ): Promise<PageOf<AppointmentRow>> {
    const where = [sql`org_id = ${orgId}`];
    for (const column of ["patient_uuid", "provider_uuid", "location_uuid", "status"] as const) {
      if (filter[column] !== undefined) where.push(sql`${raw(column)} = ${filter[column]}`);
    }
    if (filter.start_date !== undefined) where.push(sql`local_date >= ${filter.start_date}`);
    if (filter.end_date !== undefined) where.push(sql`local_date <= ${filter.end_date}`);
    if (filter.ends_after !== undefined) where.push(sql`end_ms > ${filter.ends_after}`);
    if (filter.ended_by !== undefined) where.push(sql`end_ms <= ${filter.ended_by}`);
    const direction = order === "-start" ? "DESC" : "ASC";
    return this.db.autocommit(
      this.page<AppointmentRow>(
        APPOINTMENT_COLUMNS,
        "appointments",
        whereAll(where),
        `start_ms ${direction}, uuid ${direction}`,
        page,
      ),
    );
  }

  async listNotes(orgId: string, appointmentUuids: readonly string[]): Promise<ClinicalNoteRecord[]> {
    if (appointmentUuids.length === 0) return [];
    return this.db.autocommit(
      rows<ClinicalNoteRecord>(sql`SELECT uuid, appointment_uuid, text, created_at FROM clinical_notes
        WHERE org_id = ${orgId} AND ${this.db.anyOf("appointment_uuid", appointmentUuids)}
        ORDER BY created_at, uuid`),
    );
  }

  async addNote(orgId: string, note: ClinicalNoteRecord, audit: AuditEntry): Promise<void> {
    await this.db.transaction(PLAIN, function* () {
      yield* run(insertRow(CLINICAL_NOTES, valuesOf(CLINICAL_NOTES, orgId, note)));
      yield* run(insertRow(AUDIT_LOG, valuesOf(AUDIT_LOG, orgId, audit)));
    });
  }

  async getIdempotency(orgId: string, key: string, notBefore: number): Promise<IdempotencyRecord | null> {
    return this.db.autocommit(this.idempotency(orgId, key, notBefore));
  }

  private *idempotency(orgId: string, key: string, notBefore: number): Work<IdempotencyRecord | null> {
    const found = yield* row<IdempotencyRecord>(sql`SELECT key, request_hash, status, body, created_at
      FROM idempotency_keys WHERE org_id = ${orgId} AND key = ${key} AND created_at >= ${notBefore}`);
    // Stored as JSON text; both dialects hand it back as text.
    return found ? { ...found, body: JSON.parse(found.body as string) as unknown } : null;
  }

  async transact<T>(
    orgId: string,
    load: TransactionLoad,
    decide: (state: TransactionState) => Decision<T>,
  ): Promise<T> {
    return this.db.transaction(transactScope(orgId, load), () => this.loadDecideApply(orgId, load, decide));
  }

  private *loadDecideApply<T>(
    orgId: string,
    load: TransactionLoad,
    decide: (state: TransactionState) => Decision<T>,
  ): Work<T> {
    const state: TransactionState = {
      bookings: load.bookings ? yield* this.bookings<BookingRecord>(orgId, load.bookings, BOOKING_COLUMNS) : [],
      holds: load.bookings ? yield* this.holds(orgId, load.bookings) : [],
      hold: null,
      appointment: null,
      idempotency: null,
    };
    if (load.hold_uuid !== undefined) {
      state.hold =
        (yield* row<HoldRecord>(
          sql`SELECT ${HOLD_COLUMNS} FROM holds WHERE org_id = ${orgId} AND uuid = ${load.hold_uuid}${this.db.forUpdate}`,
        )) ?? null;
    }
    if (load.appointment_uuid !== undefined) {
      state.appointment = (yield* this.appointment(orgId, load.appointment_uuid, this.db.forUpdate)) ?? null;
    }
    if (load.idempotency) {
      const { key, notBefore } = load.idempotency;
      state.idempotency = yield* this.idempotency(orgId, key, notBefore);
      if (state.idempotency === null) {
        yield* run(sql`DELETE FROM idempotency_keys WHERE org_id = ${orgId} AND created_at < ${notBefore}`);
      }
    }
    const decision = decide(state);
    for (const write of decision.writes) yield* run(this.statementOf(orgId, write));
    return decision.result;
  }

  private statementOf(orgId: string, write: Write): Sql {
    switch (write.kind) {
      case "appointment.insert":
        return insertRow(APPOINTMENTS, valuesOf(APPOINTMENTS, orgId, appointmentColumns(write.appointment)));
      case "appointment.update": {
        const a = write.appointment;
        return sql`UPDATE appointments SET provider_uuid = ${a.provider_uuid}, location_uuid = ${a.location_uuid},
            operatory_uuid = ${a.operatory_uuid}, start_ms = ${a.start}, end_ms = ${a.end},
            local_date = ${a.local_date},
            status = ${a.status}, notes = ${a.notes}, cancellation_reason = ${a.cancellation_reason},
            updated_at = ${a.updated_at}
          WHERE org_id = ${orgId} AND uuid = ${a.uuid}`;
      }
      case "hold.insert":
        return insertRow(HOLDS, valuesOf(HOLDS, orgId, appointmentColumns(write.hold)));
      case "hold.delete":
        return sql`DELETE FROM holds WHERE org_id = ${orgId} AND uuid = ${write.uuid}`;
      case "idempotency.put": {
        const r = write.record;
        const stored = valuesOf(IDEMPOTENCY_KEYS, orgId, { ...r, body: JSON.stringify(r.body) });
        return sql`${insertRow(IDEMPOTENCY_KEYS, stored)}
          ON CONFLICT (org_id, key) DO UPDATE SET request_hash = excluded.request_hash, status = excluded.status,
            body = excluded.body, created_at = excluded.created_at`;
      }
      case "audit":
        return insertRow(AUDIT_LOG, valuesOf(AUDIT_LOG, orgId, write.entry));
    }
  }

  async listAudit(orgId: string): Promise<AuditRow[]> {
    return this.db.autocommit(
      rows<AuditRow>(sql`SELECT org_id, actor_token_id, action, entity_type, entity_uuid, at
        FROM audit_log WHERE org_id = ${orgId} ORDER BY id`),
    );
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
