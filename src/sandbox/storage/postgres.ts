/**
 * The PostgreSQL backend of `Storage` (node-postgres, one Pool per instance), for running several
 * sandbox API instances on one database. Semantics match the SQLite backend row for row.
 *
 * `transact` is BEGIN; pg_advisory_xact_lock on the idempotency key, then the providers, the patients
 * and the locations it touches (always in that order and sorted within each, so two transactions never wait on
 * each other in a cycle, and one waiting for a provider holds no location lock meanwhile); SELECT … FOR
 * UPDATE of the appointment it changes; load; decide; write; COMMIT. The exclusion constraints of the
 * schema are the last line of defence: should a write slip past the locks (an instance of another
 * version, a hand-written INSERT), the database rejects the overlap with 23P01 and the transaction is
 * run again, so that `decide` sees the winner and answers the same 409 slot_unavailable as SQLite would.
 *
 * Failover, restarts and overload: every connection has an 'error' listener (a terminated connection
 * is an event, not a crash) and is destroyed after a failure; lock_timeout and statement_timeout bound
 * every statement, a pool checkout waits at most CHECKOUT_TIMEOUT_MS, and transactions queue per provider
 * in memory (wait-lines.ts) rather than on pooled connections. A transaction that lost its connection
 * before COMMIT is run again on a new one; driver failures leave as StorageError (storage.ts).
 */
import { randomUUID } from "node:crypto";
import pg from "pg";
import type { PoolClient, QueryResult, QueryResultRow } from "pg";
import type { AppointmentRecord, ClinicalNoteRecord, PatientRecord } from "../domain/model.js";
import { DEFAULT_HORIZON_MONTHS } from "../domain/schedule.js";
import type { Logger } from "../../log.js";
import { migratePostgres } from "./postgres-migrate.js";
import { describeDatabaseUrl } from "./postgres-url.js";
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
  type TransactionLoad,
  type TransactionState,
  type Write,
  StorageError,
  translatingErrors,
} from "./storage.js";
import { WaitLines } from "./wait-lines.js";

const INT8_OID = 20;
/** BIGINT columns hold epoch milliseconds and counts: well inside Number's exact range. */
const TYPES = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === INT8_OID ? Number : pg.types.getTypeParser(oid, format ?? "text")) as typeof pg.types.getTypeParser,
};

/** Transaction advisory lock taken while seeding an empty database, so that instances starting together seed once. */
const SEED_LOCK_KEY = "dental-pms:seed";

/** SQLSTATEs after which the whole transaction is worth running again. */
const RETRYABLE = new Set([
  "23P01", // exclusion_violation: an overlapping booking committed first
  "40001", // serialization_failure
  "40P01", // deadlock_detected
]);
const MAX_TRANSACTION_ATTEMPTS = 3;

/**
 * Bounds that keep an instance answering when the database is slow, locked or gone: a request waits at
 * most about LOCK_TIMEOUT_MS for a lock, so a burst behind a lock held elsewhere is answered 503 within
 * 2 s instead of queueing until the pool starves (issue: every request got a 500 after 11 s).
 */
const LOCK_TIMEOUT_MS = 1_000;
const STATEMENT_TIMEOUT_MS = 1_500;
/** A connection left inside a transaction (its process stalled) gives up its locks after this. */
const IDLE_IN_TRANSACTION_TIMEOUT_MS = 10_000;
const CHECKOUT_TIMEOUT_MS = 1_000;
/** Backstop for a wait line that keeps moving but slowly; a held lock sheds its line long before. */
const MAX_QUEUE_WAIT_MS = 5_000;
/** For seeding and migrating at start-up, which may take longer and may wait for another instance. */
const UNBOUNDED = "SET LOCAL statement_timeout = 0; SET LOCAL lock_timeout = 0";

/** node-postgres' own words for a connection that broke, and for a pool that had none to give. */
const CONNECTION_LOST = /Connection terminated|not queryable|connection error|Connection ended/i;
const CHECKOUT_TIMEOUT = /timeout exceeded when trying to connect/i;
const NETWORK_ERRORS = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

/**
 * A driver failure as a storage fault, or undefined for everything else (a constraint violation, a bug).
 * SQLSTATE classes: 08 connection exception; 57P01-57P03 the server shutting down or not ready; 53
 * insufficient resources (53100 disk full); 55P03 lock_timeout; 57014 statement_timeout; 25006 a
 * read-only (standby) server; 25P03 the idle-in-transaction timeout.
 */
export function postgresFault(where: string, error: unknown): StorageError | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : "";
  const fault = (kind: StorageError["kind"]) =>
    new StorageError(kind, where, typeof code === "string" ? code : undefined, error);
  if (typeof code === "string") {
    if (code === "53100") return fault("full");
    if (code === "25006") return fault("read_only");
    if (["55P03", "57014", "40001", "40P01"].includes(code) || code.startsWith("53")) return fault("busy");
    if (code.startsWith("08") || ["57P01", "57P02", "57P03", "25P03"].includes(code) || NETWORK_ERRORS.has(code)) {
      return fault("unavailable");
    }
  }
  if (CHECKOUT_TIMEOUT.test(message)) return fault("busy");
  if (CONNECTION_LOST.test(message)) return fault("unavailable");
  return undefined;
}

export interface PostgresOptions {
  /** Connections in the pool; default 10. */
  maxConnections?: number;
  logger?: Logger;
}

/** Connects a pool to `url` and migrates the database; fails with the host (never the password) if it cannot. */
export async function openPostgresStorage(url: string, options: PostgresOptions = {}): Promise<PostgresStorage> {
  const where = describeDatabaseUrl(url);
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? 10,
    types: TYPES,
    application_name: "dental-pms-sandbox",
    connectionTimeoutMillis: CHECKOUT_TIMEOUT_MS,
    keepAlive: true,
    lock_timeout: LOCK_TIMEOUT_MS,
    statement_timeout: STATEMENT_TIMEOUT_MS,
    idle_in_transaction_session_timeout: IDLE_IN_TRANSACTION_TIMEOUT_MS,
  });
  // A connection terminated by the server (failover, restart, pg_terminate_backend) emits 'error'; the
  // pool listens only while the connection is idle, and an unheard 'error' would end the process.
  pool.on("connect", (client) => {
    client.on("error", (error: Error & { code?: string }) => {
      options.logger?.warn("postgres.connection_lost", { code: error.code ?? null, database: where });
    });
  });
  pool.on("error", () => {
    // An idle connection broke: already logged by its own listener above; the pool replaces it.
  });
  try {
    await migratePostgres(pool);
  } catch (error) {
    await pool.end();
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`cannot open the PostgreSQL database at ${where}: ${reason}`, { cause: error });
  }
  const storage = new PostgresStorage(pool, where);
  return translatingErrors(storage, (error) => postgresFault(where, error));
}

const PATIENT_COLUMNS = "uuid, first_name, last_name, date_of_birth, primary_phone, email, preferred_provider_uuid";
/** Appointment columns under the record's names, so rows come back as AppointmentRow. */
const APPOINTMENT_COLUMNS = `uuid, patient_uuid, appointment_type_uuid, provider_uuid, location_uuid, operatory_uuid,
  start_ms AS start, end_ms AS "end", local_date, status, notes, cancellation_reason, created_at, updated_at`;
const APPOINTMENT_INSERT_COLUMNS = `org_id, uuid, patient_uuid, appointment_type_uuid, provider_uuid, location_uuid,
  operatory_uuid, start_ms, end_ms, local_date, status, notes, cancellation_reason, created_at, updated_at`;

function appointmentValues(orgId: string, a: AppointmentRow): unknown[] {
  return [
    orgId,
    a.uuid,
    a.patient_uuid,
    a.appointment_type_uuid,
    a.provider_uuid,
    a.location_uuid,
    a.operatory_uuid,
    a.start,
    a.end,
    a.local_date,
    a.status,
    a.notes,
    a.cancellation_reason,
    a.created_at,
    a.updated_at,
  ];
}

/** Builds a WHERE clause with numbered parameters. */
class Where {
  readonly params: unknown[] = [];
  private readonly conditions: string[] = [];
  /** Adds `condition`, in which `?` stands for `value`'s parameter. */
  add(condition: string, value: unknown): void {
    this.params.push(value);
    this.conditions.push(condition.replaceAll("?", `$${this.params.length}`));
  }
  get sql(): string {
    return this.conditions.join(" AND ");
  }
  /** The placeholder of one more parameter (LIMIT, OFFSET). */
  next(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }
}

type LockKind = "idempotency" | "provider" | "patient" | "location";

/** The text whose hashtextextended() is the advisory lock of one provider, patient, location or idempotency key of an org. */
export function lockKey(orgId: string, kind: LockKind, id: string): string {
  return `${orgId}|${kind}|${id}`;
}

/**
 * The advisory locks of a transaction in the one order every transaction takes them: its idempotency
 * key, then providers, patients and locations, each group sorted. Providers come before locations so that a
 * transaction waiting for a busy provider holds no location lock, which would stall every other
 * provider's bookings there. `providers` are also the in-process wait lines it queues in.
 */
function lockKeys(orgId: string, load: TransactionLoad): { all: string[]; providers: string[] } {
  const keys = (kind: LockKind, uuids: readonly string[] = []) =>
    [...new Set(uuids)].sort().map((uuid) => lockKey(orgId, kind, uuid));
  const providers = keys("provider", load.bookings?.provider_uuids);
  const idempotency = load.idempotency ? [lockKey(orgId, "idempotency", load.idempotency.key)] : [];
  const patients = keys("patient", load.bookings?.patient_uuids);
  return {
    all: [...idempotency, ...providers, ...patients, ...keys("location", load.bookings?.location_uuids)],
    providers,
  };
}

/** What the load helpers need: a pooled client inside a transaction, or `read` outside one. */
interface Queryable {
  query<R extends QueryResultRow>(sql: string, params?: unknown[]): Promise<QueryResult<R>>;
}

function isRetryable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && RETRYABLE.has(code);
}

export class PostgresStorage implements Storage {
  private readonly waitLines: WaitLines;

  constructor(
    private readonly pool: pg.Pool,
    /** Host, port and database, for the operator's log: never credentials. */
    private readonly where: string,
  ) {
    this.waitLines = new WaitLines({
      maxWaitMs: MAX_QUEUE_WAIT_MS,
      tooLong: () => new StorageError("busy", where, undefined),
      shedsQueue: (error) => postgresFault(where, error)?.kind === "busy",
    });
  }

  /** `read` for helpers that also run inside a transaction, on its client. */
  private readonly reader: Queryable = { query: (sql, params) => this.read(sql, params) };

  /** A read on any pooled connection, tried once more if the connection broke under it (failover). */
  private async read<R extends QueryResultRow>(sql: string, params: unknown[] = []): Promise<QueryResult<R>> {
    try {
      return await this.pool.query<R>(sql, params);
    } catch (error) {
      if (postgresFault(this.where, error)?.kind !== "unavailable") throw error;
      return this.pool.query<R>(sql, params);
    }
  }

  /**
   * BEGIN … COMMIT on one pooled connection; ROLLBACK if `work` throws. `phase.committing` tells the
   * caller whether a failure came after COMMIT was sent, when the outcome is unknown.
   */
  private async inTransaction<T>(
    work: (client: PoolClient) => Promise<T>,
    phase: { committing: boolean } = { committing: false },
  ): Promise<T> {
    const client = await this.pool.connect();
    let broken = false;
    try {
      await client.query("BEGIN");
      try {
        const result = await work(client);
        phase.committing = true;
        await client.query("COMMIT");
        return result;
      } catch (error) {
        if (!phase.committing) {
          await client.query("ROLLBACK").catch(() => {
            broken = true;
          });
        }
        broken ||= postgresFault(this.where, error)?.kind === "unavailable";
        throw error;
      }
    } catch (error) {
      broken ||= postgresFault(this.where, error)?.kind === "unavailable";
      throw error;
    } finally {
      // A connection that failed is closed rather than handed to the next request.
      client.release(broken);
    }
  }

  async listOrgIds(): Promise<string[]> {
    const { rows } = await this.read<{ uuid: string }>("SELECT uuid FROM orgs ORDER BY seq");
    return rows.map((r) => r.uuid);
  }

  async insertPractice(practice: PracticeRows): Promise<void> {
    await this.inTransaction(async (client) => {
      await client.query(UNBOUNDED);
      await writePractice(client, practice);
    });
  }

  async insertFirstPractice(practice: PracticeRows): Promise<boolean> {
    return this.inTransaction(async (client) => {
      // Waits, however long, for an instance that is seeding right now; then looks again.
      await client.query(UNBOUNDED);
      await client.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [SEED_LOCK_KEY]);
      const { rows } = await client.query("SELECT 1 FROM orgs LIMIT 1");
      if (rows.length > 0) return false;
      await writePractice(client, practice);
      return true;
    });
  }

  async addToken(orgId: string, tokenHash: string): Promise<string> {
    // Insert-if-absent, then read: instances registering the same token at once all get the one row.
    await this.read(
      `INSERT INTO api_tokens (id, org_id, token_hash, created_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (token_hash) DO NOTHING`,
      [randomUUID(), orgId, tokenHash, Date.now()],
    );
    const existing = await this.findToken(tokenHash);
    if (!existing) throw new Error("the token vanished while being registered");
    if (existing.org_id !== orgId) throw new Error("token already registered for another org");
    return existing.token_id;
  }

  async findToken(tokenHash: string): Promise<{ token_id: string; org_id: string } | null> {
    const { rows } = await this.read<{ token_id: string; org_id: string }>(
      "SELECT id AS token_id, org_id FROM api_tokens WHERE token_hash = $1",
      [tokenHash],
    );
    return rows[0] ?? null;
  }

  async getReference(orgId: string): Promise<ReferenceData | null> {
    // One round trip; json_agg of json documents keeps each document's text as stored.
    const docs = (table: string) =>
      `COALESCE((SELECT json_agg(doc ORDER BY seq) FROM ${table} WHERE org_id = $1), '[]'::json)`;
    const { rows } = await this.read(
      `SELECT uuid, name, booking_horizon_months, ${docs("locations")} AS locations, ${docs("providers")} AS providers,
         ${docs("appointment_types")} AS appointment_types, ${docs("shifts")} AS shifts,
         ${docs("time_off")} AS time_off, ${docs("closures")} AS closures
       FROM orgs WHERE uuid = $1`,
      [orgId],
    );
    const row = rows[0] as Record<string, unknown> | undefined;
    if (!row) return null;
    return {
      org: {
        uuid: row.uuid as string,
        name: row.name as string,
        booking_horizon_months: row.booking_horizon_months as number,
      },
      locations: row.locations as ReferenceData["locations"],
      providers: row.providers as ReferenceData["providers"],
      appointmentTypes: row.appointment_types as ReferenceData["appointmentTypes"],
      shifts: row.shifts as ReferenceData["shifts"],
      timeOff: row.time_off as ReferenceData["timeOff"],
      closures: row.closures as ReferenceData["closures"],
    };
  }

  async findBookings(orgId: string, scope: BookingScope): Promise<AppointmentRecord[]> {
    return this.loadBookings(this.reader, orgId, scope);
  }

  private async loadBookings(db: Queryable, orgId: string, scope: BookingScope): Promise<AppointmentRow[]> {
    // Index range scans (by provider, by location, by patient) united; an OR of them would scan the org.
    const overlapping = "start_ms < $2 AND start_ms > $3 AND end_ms > $4 AND status <> 'cancelled'";
    const { rows } = await db.query<AppointmentRow>(
      [
        ["provider_uuid", "$5"],
        ["location_uuid", "$6"],
        ["patient_uuid", "$7"],
      ]
        .map(
          ([column, uuids]) => `SELECT ${APPOINTMENT_COLUMNS} FROM appointments
           WHERE org_id = $1 AND ${column} = ANY(${uuids}::text[]) AND ${overlapping}`,
        )
        .join(" UNION ") + " ORDER BY start, uuid",
      [
        orgId,
        scope.window.end,
        scope.window.start - MAX_BOOKING_MS,
        scope.window.start,
        scope.provider_uuids,
        scope.location_uuids,
        scope.patient_uuids,
      ],
    );
    return rows;
  }

  async searchPatients(orgId: string, filter: PatientFilter, page: PageRequest): Promise<PageOf<PatientRecord>> {
    const where = new Where();
    where.add("org_id = ?", orgId);
    if (filter.text !== undefined) {
      where.add(
        `(first_folded LIKE ? ESCAPE '\\' OR last_folded LIKE ? ESCAPE '\\'
          OR (first_folded || ' ' || last_folded) LIKE ? ESCAPE '\\')`,
        likeContains(filter.text),
      );
    }
    if (filter.date_of_birth !== undefined) where.add("date_of_birth = ?", filter.date_of_birth);
    if (filter.phone !== undefined) where.add("primary_phone = ?", filter.phone);
    const counted = await this.read<{ total: number }>(
      `SELECT COUNT(*) AS total FROM patients WHERE ${where.sql}`,
      where.params,
    );
    const limit = where.next(page.page_size);
    const offset = where.next((page.page - 1) * page.page_size);
    const { rows } = await this.read<PatientRecord>(
      `SELECT ${PATIENT_COLUMNS} FROM patients WHERE ${where.sql}
       ORDER BY last_folded, first_folded, uuid LIMIT ${limit} OFFSET ${offset}`,
      where.params,
    );
    return { items: rows, total: counted.rows[0]?.total ?? 0 };
  }

  async getPatients(orgId: string, uuids: readonly string[]): Promise<PatientRecord[]> {
    if (uuids.length === 0) return [];
    const { rows } = await this.read<PatientRecord>(
      `SELECT ${PATIENT_COLUMNS} FROM patients WHERE org_id = $1 AND uuid = ANY($2::text[])`,
      [orgId, uuids],
    );
    return rows;
  }

  async createPatient(
    orgId: string,
    patient: PatientRow,
    audit: AuditEntry,
  ): Promise<{ created: true } | { created: false; existing_uuid: string }> {
    return this.inTransaction(async (client) => {
      // The unique index on folded names and birth date decides, atomically, across instances.
      const inserted = await client.query(
        `INSERT INTO patients (org_id, uuid, first_name, last_name, first_folded, last_folded, date_of_birth,
           primary_phone, email, preferred_provider_uuid)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (org_id, last_folded, first_folded, date_of_birth) DO NOTHING`,
        [
          orgId,
          patient.uuid,
          patient.first_name,
          patient.last_name,
          patient.first_folded,
          patient.last_folded,
          patient.date_of_birth,
          patient.primary_phone,
          patient.email,
          patient.preferred_provider_uuid,
        ],
      );
      if (inserted.rowCount === 0) {
        const { rows } = await client.query<{ uuid: string }>(
          `SELECT uuid FROM patients WHERE org_id = $1 AND first_folded = $2 AND last_folded = $3 AND date_of_birth = $4`,
          [orgId, patient.first_folded, patient.last_folded, patient.date_of_birth],
        );
        const existing = rows[0];
        if (!existing) throw new Error("a conflicting patient vanished during the duplicate check");
        return { created: false as const, existing_uuid: existing.uuid };
      }
      await insertAudit(client, orgId, audit);
      return { created: true as const };
    });
  }

  async getAppointment(orgId: string, uuid: string): Promise<AppointmentRow | null> {
    const { rows } = await this.read<AppointmentRow>(
      `SELECT ${APPOINTMENT_COLUMNS} FROM appointments WHERE org_id = $1 AND uuid = $2`,
      [orgId, uuid],
    );
    return rows[0] ?? null;
  }

  async listAppointments(
    orgId: string,
    filter: AppointmentFilter,
    page: PageRequest,
    order: AppointmentOrder = "start",
  ): Promise<PageOf<AppointmentRow>> {
    const where = new Where();
    where.add("org_id = ?", orgId);
    for (const column of ["patient_uuid", "provider_uuid", "location_uuid", "status"] as const) {
      if (filter[column] !== undefined) where.add(`${column} = ?`, filter[column]);
    }
    if (filter.start_date !== undefined) where.add("local_date >= ?", filter.start_date);
    if (filter.end_date !== undefined) where.add("local_date <= ?", filter.end_date);
    if (filter.ends_after !== undefined) where.add("end_ms > ?", filter.ends_after);
    if (filter.ended_by !== undefined) where.add("end_ms <= ?", filter.ended_by);
    const direction = order === "-start" ? "DESC" : "ASC";
    const counted = await this.read<{ total: number }>(
      `SELECT COUNT(*) AS total FROM appointments WHERE ${where.sql}`,
      where.params,
    );
    const limit = where.next(page.page_size);
    const offset = where.next((page.page - 1) * page.page_size);
    const { rows } = await this.read<AppointmentRow>(
      `SELECT ${APPOINTMENT_COLUMNS} FROM appointments WHERE ${where.sql}
       ORDER BY start_ms ${direction}, uuid ${direction} LIMIT ${limit} OFFSET ${offset}`,
      where.params,
    );
    return { items: rows, total: counted.rows[0]?.total ?? 0 };
  }

  async listNotes(orgId: string, appointmentUuids: readonly string[]): Promise<ClinicalNoteRecord[]> {
    if (appointmentUuids.length === 0) return [];
    const { rows } = await this.read<ClinicalNoteRecord>(
      `SELECT uuid, appointment_uuid, text, created_at FROM clinical_notes
       WHERE org_id = $1 AND appointment_uuid = ANY($2::text[]) ORDER BY created_at, uuid`,
      [orgId, appointmentUuids],
    );
    return rows;
  }

  async addNote(orgId: string, note: ClinicalNoteRecord, audit: AuditEntry): Promise<void> {
    await this.inTransaction(async (client) => {
      await client.query(
        "INSERT INTO clinical_notes (org_id, uuid, appointment_uuid, text, created_at) VALUES ($1, $2, $3, $4, $5)",
        [orgId, note.uuid, note.appointment_uuid, note.text, note.created_at],
      );
      await insertAudit(client, orgId, audit);
    });
  }

  async getIdempotency(orgId: string, key: string, notBefore: number): Promise<IdempotencyRecord | null> {
    return readIdempotency(this.reader, orgId, key, notBefore);
  }

  async transact<T>(
    orgId: string,
    load: TransactionLoad,
    decide: (state: TransactionState) => Decision<T>,
  ): Promise<T> {
    const locks = lockKeys(orgId, load);
    return this.waitLines.run(locks.providers, async () => {
      for (let attempt = 1; ; attempt++) {
        const phase = { committing: false };
        try {
          return await this.inTransaction((client) => this.transactOnce(client, orgId, load, locks.all, decide), phase);
        } catch (error) {
          // A connection lost before COMMIT took nothing with it: run again on a new one (failover).
          const lostBeforeCommit = !phase.committing && postgresFault(this.where, error)?.kind === "unavailable";
          if (attempt >= MAX_TRANSACTION_ATTEMPTS || !(isRetryable(error) || lostBeforeCommit)) throw error;
        }
      }
    });
  }

  private async transactOnce<T>(
    client: PoolClient,
    orgId: string,
    load: TransactionLoad,
    lockOrder: readonly string[],
    decide: (state: TransactionState) => Decision<T>,
  ): Promise<T> {
    if (lockOrder.length > 0) {
      // unnest yields the keys in array order, so the locks are taken in that order.
      await client.query("SELECT pg_advisory_xact_lock(hashtextextended(k, 0)) FROM unnest($1::text[]) AS k", [
        lockOrder,
      ]);
    }
    const state: TransactionState = {
      bookings: load.bookings ? await this.loadBookings(client, orgId, load.bookings) : [],
      appointment: null,
      idempotency: null,
    };
    if (load.appointment_uuid !== undefined) {
      const { rows } = await client.query<AppointmentRow>(
        `SELECT ${APPOINTMENT_COLUMNS} FROM appointments WHERE org_id = $1 AND uuid = $2 FOR UPDATE`,
        [orgId, load.appointment_uuid],
      );
      state.appointment = rows[0] ?? null;
    }
    if (load.idempotency) {
      state.idempotency = await readIdempotency(client, orgId, load.idempotency.key, load.idempotency.notBefore);
      if (state.idempotency === null) {
        await client.query("DELETE FROM idempotency_keys WHERE org_id = $1 AND created_at < $2", [
          orgId,
          load.idempotency.notBefore,
        ]);
      }
    }
    const decision = decide(state);
    for (const write of decision.writes) await apply(client, orgId, write);
    return decision.result;
  }

  async listAudit(orgId: string): Promise<AuditRow[]> {
    const { rows } = await this.read<AuditRow>(
      "SELECT org_id, actor_token_id, action, entity_type, entity_uuid, at FROM audit_log WHERE org_id = $1 ORDER BY id",
      [orgId],
    );
    return rows;
  }

  async close(): Promise<void> {
    if (!this.pool.ended) await this.pool.end();
  }
}

/** Inserts a whole practice on `client`, inside the caller's transaction. */
async function writePractice(client: PoolClient, practice: PracticeRows): Promise<void> {
  const orgId = practice.org.uuid;
  await client.query("INSERT INTO orgs (uuid, name, booking_horizon_months) VALUES ($1, $2, $3)", [
    orgId,
    practice.org.name,
    practice.org.booking_horizon_months ?? DEFAULT_HORIZON_MONTHS,
  ]);
  const insertDocs = async (table: string, docs: readonly object[], uuidOf?: (doc: never) => string) => {
    if (docs.length === 0) return;
    const json = docs.map((doc) => JSON.stringify(doc));
    const seqs = docs.map((_, index) => index);
    if (uuidOf) {
      await client.query(
        `INSERT INTO ${table} (org_id, uuid, seq, doc)
         SELECT $1, u, s, d::json FROM unnest($2::text[], $3::int[], $4::text[]) AS x(u, s, d)`,
        [orgId, docs.map((doc) => uuidOf(doc as never)), seqs, json],
      );
    } else {
      await client.query(
        `INSERT INTO ${table} (org_id, seq, doc) SELECT $1, s, d::json FROM unnest($2::int[], $3::text[]) AS x(s, d)`,
        [orgId, seqs, json],
      );
    }
  };
  const byUuid = (doc: { uuid: string }) => doc.uuid;
  await insertDocs("locations", practice.locations, byUuid);
  await insertDocs("providers", practice.providers, byUuid);
  await insertDocs("appointment_types", practice.appointmentTypes, byUuid);
  await insertDocs("shifts", practice.shifts);
  await insertDocs("time_off", practice.timeOff, byUuid);
  await insertDocs("closures", practice.closures);
  // Whole columns as arrays: one statement per table whatever the size of the practice.
  const column = <R, K extends keyof R>(rows: readonly R[], key: K) => rows.map((row) => row[key]);
  const p = practice.patients;
  await client.query(
    `INSERT INTO patients (org_id, uuid, first_name, last_name, first_folded, last_folded, date_of_birth,
       primary_phone, email, preferred_provider_uuid)
     SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
       $9::text[], $10::text[])`,
    [
      orgId,
      column(p, "uuid"),
      column(p, "first_name"),
      column(p, "last_name"),
      column(p, "first_folded"),
      column(p, "last_folded"),
      column(p, "date_of_birth"),
      column(p, "primary_phone"),
      column(p, "email"),
      column(p, "preferred_provider_uuid"),
    ],
  );
  const a = practice.appointments;
  await client.query(
    `INSERT INTO appointments (${APPOINTMENT_INSERT_COLUMNS})
     SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bigint[],
       $9::bigint[], $10::text[], $11::text[], $12::text[], $13::text[], $14::bigint[], $15::bigint[])`,
    [
      orgId,
      column(a, "uuid"),
      column(a, "patient_uuid"),
      column(a, "appointment_type_uuid"),
      column(a, "provider_uuid"),
      column(a, "location_uuid"),
      column(a, "operatory_uuid"),
      column(a, "start"),
      column(a, "end"),
      column(a, "local_date"),
      column(a, "status"),
      column(a, "notes"),
      column(a, "cancellation_reason"),
      column(a, "created_at"),
      column(a, "updated_at"),
    ],
  );
}

async function readIdempotency(
  db: Queryable,
  orgId: string,
  key: string,
  notBefore: number,
): Promise<IdempotencyRecord | null> {
  const { rows } = await db.query<IdempotencyRecord>(
    "SELECT key, request_hash, status, body, created_at FROM idempotency_keys WHERE org_id = $1 AND key = $2 AND created_at >= $3",
    [orgId, key, notBefore],
  );
  return rows[0] ?? null;
}

async function insertAudit(client: PoolClient, orgId: string, entry: AuditEntry): Promise<void> {
  await client.query(
    `INSERT INTO audit_log (org_id, actor_token_id, action, entity_type, entity_uuid, at) VALUES ($1, $2, $3, $4, $5, $6)`,
    [orgId, entry.actor_token_id, entry.action, entry.entity_type, entry.entity_uuid, entry.at],
  );
}

async function apply(client: PoolClient, orgId: string, write: Write): Promise<void> {
  switch (write.kind) {
    case "appointment.insert":
      await client.query(
        `INSERT INTO appointments (${APPOINTMENT_INSERT_COLUMNS})
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
        appointmentValues(orgId, write.appointment),
      );
      return;
    case "appointment.update": {
      const a = write.appointment;
      await client.query(
        `UPDATE appointments SET provider_uuid = $3, location_uuid = $4, operatory_uuid = $5, start_ms = $6, end_ms = $7,
           local_date = $8, status = $9, notes = $10, cancellation_reason = $11, updated_at = $12
         WHERE org_id = $1 AND uuid = $2`,
        [
          orgId,
          a.uuid,
          a.provider_uuid,
          a.location_uuid,
          a.operatory_uuid,
          a.start,
          a.end,
          a.local_date,
          a.status,
          a.notes,
          a.cancellation_reason,
          a.updated_at,
        ],
      );
      return;
    }
    case "idempotency.put": {
      const r = write.record;
      await client.query(
        `INSERT INTO idempotency_keys (org_id, key, request_hash, status, body, created_at)
         VALUES ($1, $2, $3, $4, $5::json, $6)
         ON CONFLICT (org_id, key) DO UPDATE SET request_hash = EXCLUDED.request_hash, status = EXCLUDED.status,
           body = EXCLUDED.body, created_at = EXCLUDED.created_at`,
        [orgId, r.key, r.request_hash, r.status, JSON.stringify(r.body), r.created_at],
      );
      return;
    }
    case "audit":
      await insertAudit(client, orgId, write.entry);
      return;
  }
}
