/**
 * What the sandbox's services need from a database, and nothing more. Narrow and async so that a
 * PostgreSQL backend can sit behind it without touching services or routes. Every call is scoped to
 * an org: no method can read or write another org's rows.
 *
 * Writes that depend on what is in the database (booking, rescheduling, status changes) go through
 * `transact`: the backend loads the rows named by `load` inside one write transaction, calls the pure
 * `decide` with them, and applies the writes it returns before committing. That keeps "check then
 * insert" atomic (no double booking) without the services holding a connection across awaits.
 */
import type {
  AppointmentRecord,
  AppointmentTypeRecord,
  BookingRecord,
  ClinicalNoteRecord,
  ClosureRecord,
  EpochMs,
  HoldRecord,
  Interval,
  LocationRecord,
  Occupancy,
  OrgRecord,
  PatientRecord,
  ProviderRecord,
  ShiftRecord,
  TimeOffRecord,
} from "../domain/model.js";

/** The configuration of a practice: everything but patients and appointments. Rarely changes. */
export interface ReferenceData {
  org: OrgRecord;
  locations: LocationRecord[];
  providers: ProviderRecord[];
  appointmentTypes: AppointmentTypeRecord[];
  shifts: ShiftRecord[];
  timeOff: TimeOffRecord[];
  closures: ClosureRecord[];
}

/** A patient with the search keys the service derived (folded: lowercase, accents stripped). */
export interface PatientRow extends PatientRecord {
  first_folded: string;
  last_folded: string;
}

/** An appointment with the local calendar date of its start at its location, for date filters. */
export interface AppointmentRow extends AppointmentRecord {
  local_date: string;
}

/** A practice to insert whole (seed, or a test org). */
export interface PracticeRows extends ReferenceData {
  patients: PatientRow[];
  appointments: AppointmentRow[];
}

export interface PageRequest {
  page: number;
  page_size: number;
}

export interface PageOf<T> {
  items: T[];
  total: number;
}

export interface PatientFilter {
  /** Folded search text; matched as a substring of first, last or "first last" (wildcards are literal). */
  text?: string;
  date_of_birth?: string;
  /** E.164. */
  phone?: string;
}

export interface AppointmentFilter {
  patient_uuid?: string;
  provider_uuid?: string;
  location_uuid?: string;
  status?: AppointmentRecord["status"];
  /** Inclusive bounds on the local date of the start. */
  start_date?: string;
  end_date?: string;
  /** Only appointments ending after this instant (not yet over at it). */
  ends_after?: EpochMs;
  /** Only appointments ending at or before this instant (over at it). */
  ended_by?: EpochMs;
}

/** By start time: soonest first, or latest first ("-start"); ties by uuid, so pages never overlap. */
export type AppointmentOrder = "start" | "-start";

/** The stored outcome of a request made with an Idempotency-Key. */
export interface IdempotencyRecord {
  key: string;
  request_hash: string;
  status: number;
  body: unknown;
  created_at: EpochMs;
}

/** One write, for the audit trail. Ids and action names only: never patient data. */
export interface AuditEntry {
  actor_token_id: string;
  action: string;
  entity_type: "patient" | "appointment" | "clinical_note" | "hold";
  entity_uuid: string;
  at: EpochMs;
}

export interface AuditRow extends AuditEntry {
  org_id: string;
}

/** Which bookings to load: those of these providers or patients, or at these locations, overlapping the window. */
export interface BookingScope {
  provider_uuids: readonly string[];
  location_uuids: readonly string[];
  patient_uuids: readonly string[];
  window: Interval;
}

export interface TransactionLoad {
  /** Loads the bookings and the holds (live or expired) of the scope. */
  bookings?: BookingScope;
  /** A hold by its uuid, whatever its slot. */
  hold_uuid?: string;
  appointment_uuid?: string;
  /** Records created before `notBefore` are expired and not returned. */
  idempotency?: { key: string; notBefore: EpochMs };
}

export interface TransactionState {
  /** Non-cancelled appointments in the scope (empty when no scope was asked for), as the rule reads them. */
  bookings: BookingRecord[];
  /** Holds of the scope's providers or at its locations overlapping its window, expired ones included. */
  holds: HoldRecord[];
  /** The hold named by `hold_uuid`, if it exists (expired or not). */
  hold: HoldRecord | null;
  appointment: AppointmentRow | null;
  idempotency: IdempotencyRecord | null;
}

export type Write =
  | { kind: "appointment.insert"; appointment: AppointmentRow }
  | { kind: "appointment.update"; appointment: AppointmentRow }
  | { kind: "hold.insert"; hold: HoldRecord }
  | { kind: "hold.delete"; uuid: string }
  | { kind: "idempotency.put"; record: IdempotencyRecord }
  | { kind: "audit"; entry: AuditEntry };

export interface Decision<T> {
  result: T;
  writes: Write[];
}

export interface Storage {
  /** Org ids in creation order. */
  listOrgIds(): Promise<string[]>;
  /** Inserts a whole practice and its org in one transaction; fails if the org exists. */
  insertPractice(practice: PracticeRows): Promise<void>;
  /**
   * Inserts the practice only if the database holds no org yet, checked in the same transaction, so
   * that instances starting together on one empty database seed it once. Returns whether it did.
   */
  insertFirstPractice(practice: PracticeRows): Promise<boolean>;
  /** Registers a token (by its hash) for an org; returns the token id used as audit actor. Idempotent. */
  addToken(orgId: string, tokenHash: string): Promise<string>;
  findToken(tokenHash: string): Promise<{ token_id: string; org_id: string } | null>;

  getReference(orgId: string): Promise<ReferenceData | null>;
  findBookings(orgId: string, scope: BookingScope): Promise<AppointmentRecord[]>;
  /**
   * The same bookings (not cancelled) with only what a search for free time reads of them, in no particular order:
   * for searches that judge many times against them.
   */
  findOccupying(orgId: string, scope: BookingScope): Promise<Occupancy[]>;
  /** Holds of the scope (as TransactionState.holds), expired ones included: the rules ignore those. */
  findHolds(orgId: string, scope: BookingScope): Promise<HoldRecord[]>;

  searchPatients(orgId: string, filter: PatientFilter, page: PageRequest): Promise<PageOf<PatientRecord>>;
  getPatients(orgId: string, uuids: readonly string[]): Promise<PatientRecord[]>;
  /** Inserts unless a patient with the same folded names and date of birth exists (checked atomically). */
  createPatient(
    orgId: string,
    patient: PatientRow,
    audit: AuditEntry,
  ): Promise<{ created: true } | { created: false; existing_uuid: string }>;

  getAppointment(orgId: string, uuid: string): Promise<AppointmentRow | null>;
  listAppointments(
    orgId: string,
    filter: AppointmentFilter,
    page: PageRequest,
    order?: AppointmentOrder,
  ): Promise<PageOf<AppointmentRow>>;
  listNotes(orgId: string, appointmentUuids: readonly string[]): Promise<ClinicalNoteRecord[]>;
  addNote(orgId: string, note: ClinicalNoteRecord, audit: AuditEntry): Promise<void>;

  getIdempotency(orgId: string, key: string, notBefore: EpochMs): Promise<IdempotencyRecord | null>;
  /**
   * Loads `load` and runs `decide` inside one write transaction; applies its writes, then commits.
   * If `decide` throws, nothing is written and the error propagates.
   */
  transact<T>(orgId: string, load: TransactionLoad, decide: (state: TransactionState) => Decision<T>): Promise<T>;

  /** The audit trail of an org, oldest first (for tests and operators). */
  listAudit(orgId: string): Promise<AuditRow[]>;
  close(): Promise<void>;
}

/**
 * What can go wrong with the database itself, whatever the request: it cannot be reached or lost the
 * connection (`unavailable`), it is overloaded or a lock is held too long (`busy`), its disk is full
 * (`full`) or it only allows reading (`read_only`). The last two are definite: nothing was written.
 */
export type StorageFaultKind = "unavailable" | "busy" | "full" | "read_only";

/**
 * A database failure, raised by both backends from their drivers' errors. `where` names the data
 * directory or database host for the operator's log; it never reaches an API response.
 */
export class StorageError extends Error {
  override readonly name = "StorageError";
  constructor(
    readonly kind: StorageFaultKind,
    readonly where: string,
    /** The driver's code (SQLITE_FULL, a PostgreSQL SQLSTATE such as 57P01), when it gave one. */
    readonly driverCode: string | undefined,
    cause?: unknown,
  ) {
    super(`storage ${kind} (${driverCode ?? "no code"}) at ${where}`, { cause });
  }
}

/**
 * `storage` with every driver error that `classify` recognises rethrown as the StorageError it
 * returns, so that no method of a backend can leak a raw driver error (and none can be forgotten).
 */
export function translatingErrors<S extends object>(
  storage: S,
  classify: (error: unknown) => StorageError | undefined,
): S {
  return new Proxy(storage, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== "function") return value;
      return async (...args: unknown[]) => {
        try {
          return await (value as (...a: unknown[]) => unknown).apply(target, args);
        } catch (error) {
          throw error instanceof StorageError ? error : (classify(error) ?? error);
        }
      };
    },
  });
}

/**
 * Bookings never last longer than this; lets backends bound the start-time index scan when looking
 * for overlaps (an appointment starting before `window.start - MAX_BOOKING_MS` cannot overlap).
 */
export const MAX_BOOKING_MS = 24 * 60 * 60 * 1000;

/** A LIKE pattern matching `text` anywhere, its wildcards escaped so they match literally (with ESCAPE '\'). */
export function likeContains(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
