/**
 * Use cases of appointments: book, list, read, reschedule, change status, attach notes. Every write
 * that depends on the schedule runs its check and its write in one storage transaction.
 */
import { randomUUID } from "node:crypto";
import type { z } from "zod";
import {
  AppointmentStatus,
  type Appointment,
  type AppointmentCreate,
  type AppointmentPage,
  type AppointmentQuery,
  type AppointmentUpdate,
  type ClinicalNote,
  type DateTimeValue,
  type FieldError,
  type NoteCreate,
  type StatusChange,
} from "../../contract/index.js";
import { canReschedule, transition } from "../domain/lifecycle.js";
import type {
  AppointmentRecord,
  AppointmentTypeRecord,
  ClinicalNoteRecord,
  EpochMs,
  HoldRecord,
  LocationRecord,
  PatientRecord,
  ProviderRecord,
} from "../domain/model.js";
import { checkBookable, type Bookability, type Candidate } from "../domain/rules.js";
import { formatLocalDateTime, localDate, resolveDateTime } from "../domain/time.js";
import type { AppointmentRow, AuditEntry, TransactionState, Write } from "../storage/storage.js";
import { activeTypeOrFail, providerEligibleOrFail } from "./availability.js";
import { loadReference, prepareSchedule, type Caller, type Reference, type ServiceContext } from "./context.js";
import { ApiError, notFound, unknownReferences, validationFailed } from "./errors.js";
import { oldestValid, replayOrFail, requestHash, type Replay } from "./idempotency.js";
import { formatInstant, toAppointment, toClinicalNote } from "./wire-shapes.js";

type CreateBody = z.output<typeof AppointmentCreate>;
type UpdateBody = z.output<typeof AppointmentUpdate>;
type ListQuery = z.output<typeof AppointmentQuery>;
type StatusBody = z.output<typeof StatusChange>;
type NoteBody = z.output<typeof NoteCreate>;

const MINUTE_MS = 60_000;

export interface CreateOutcome extends Replay {
  /** True when the body is the stored response of an earlier request with the same Idempotency-Key. */
  replayed: boolean;
}

/** The instant a client's date-time names at the location, or the API error saying why there is none. */
function instantOrFail(value: DateTimeValue, location: LocationRecord, field: string): EpochMs {
  const resolved = resolveDateTime(value, location.timezone);
  if (resolved.ok) return resolved.instant;
  if (resolved.code === "nonexistent_local_time") {
    throw new ApiError("nonexistent_local_time", resolved.message, [{ field, message: resolved.message }]);
  }
  throw validationFailed(field, resolved.message);
}

/** A failed bookability check, as the API error the client sees. */
function bookabilityError(
  result: Exclude<Bookability, { ok: true }>,
  ref: Reference,
  location: LocationRecord,
): ApiError {
  if ("conflict" in result) {
    const { conflict } = result;
    const timezone = ref.locationsById.get(conflict.location_uuid)?.timezone ?? location.timezone;
    return new ApiError(result.code, result.message, [], {
      conflict: {
        resource: conflict.resource,
        resource_uuid: conflict.resource_uuid,
        start: formatLocalDateTime(conflict.start, timezone),
        end: formatLocalDateTime(conflict.end, timezone),
        timezone,
      },
      ...(result.held_until === undefined ? {} : { held_until: formatInstant(result.held_until) }),
    });
  }
  const field = result.field ?? "scheduled_start";
  return new ApiError(result.code, result.message, [{ field, message: result.message }]);
}

export function audit(
  caller: Caller,
  action: string,
  uuid: string,
  at: EpochMs,
  entityType: AuditEntry["entity_type"] = "appointment",
): Write {
  const entry: AuditEntry = {
    actor_token_id: caller.tokenId,
    action,
    entity_type: entityType,
    entity_uuid: uuid,
    at,
  };
  return { kind: "audit", entry };
}

export function scopeOf(candidate: Candidate) {
  return {
    provider_uuids: [candidate.provider_uuid],
    location_uuids: [candidate.location_uuid],
    patient_uuids: candidate.patient_uuid === undefined ? [] : [candidate.patient_uuid],
    window: { start: candidate.start, end: Math.max(candidate.end, candidate.start) },
  };
}

/** Appointment rows as the guide's expanded appointments: patient names, references resolved, notes attached. */
export async function expand(
  ctx: ServiceContext,
  caller: Caller,
  ref: Reference,
  rows: AppointmentRecord[],
): Promise<Appointment[]> {
  const patientUuids = [...new Set(rows.map((r) => r.patient_uuid))];
  const [patients, notes] = await Promise.all([
    ctx.storage.getPatients(caller.orgId, patientUuids),
    ctx.storage.listNotes(
      caller.orgId,
      rows.map((r) => r.uuid),
    ),
  ]);
  const patientsById = new Map(patients.map((p) => [p.uuid, p]));
  const notesByAppointment = new Map<string, ClinicalNoteRecord[]>();
  for (const note of notes) {
    const list = notesByAppointment.get(note.appointment_uuid) ?? [];
    list.push(note);
    notesByAppointment.set(note.appointment_uuid, list);
  }
  return rows.map((r) => toAppointment(ref, r, patientsById.get(r.patient_uuid), notesByAppointment.get(r.uuid) ?? []));
}

/** The fields that place a slot, as POST /appointments and POST /schedule/holds both name them. */
interface SlotFields {
  appointment_type_uuid: string;
  location_uuid: string;
  provider_uuid: string;
  operatory_uuid?: string;
  scheduled_start: DateTimeValue;
  scheduled_end?: DateTimeValue;
}

export interface Placement {
  type: AppointmentTypeRecord;
  location: LocationRecord;
  provider: ProviderRecord;
  start: EpochMs;
  end: EpochMs;
}

/**
 * The location and provider of a placement, or the API error listing every reference that does not exist: those
 * already in `unknown`, a location, a provider, or an operatory that is not at the location.
 */
function placeOrFail(
  unknown: FieldError[],
  location: LocationRecord | undefined,
  provider: ProviderRecord | undefined,
  operatoryUuid: string | undefined,
): { location: LocationRecord; provider: ProviderRecord } {
  if (!location) unknown.push({ field: "location_uuid", message: "no location with this uuid; see GET /locations" });
  if (!provider) unknown.push({ field: "provider_uuid", message: "no provider with this uuid; see GET /providers" });
  if (location && operatoryUuid !== undefined && !location.operatories.some((o) => o.uuid === operatoryUuid)) {
    unknown.push({
      field: "operatory_uuid",
      message: "no operatory with this uuid at this location; see GET /locations",
    });
  }
  if (unknown.length > 0 || !location || !provider) throw unknownReferences(unknown);
  return { location, provider };
}

/**
 * The slot `body` names, or the API error listing every reference that does not exist (`patientFound`: false
 * when the body names a patient that does not), then an archived type or ineligible provider, then a bad time.
 */
export function placementOrFail(ref: Reference, body: SlotFields, patientFound = true): Placement {
  const candidateLocation = ref.locationsById.get(body.location_uuid);
  const candidateProvider = ref.providersById.get(body.provider_uuid);
  const unknown: FieldError[] = [];
  if (!patientFound) unknown.push({ field: "patient_uuid", message: "no patient with this uuid; see GET /patients" });
  if (!ref.typesById.has(body.appointment_type_uuid)) {
    unknown.push({
      field: "appointment_type_uuid",
      message: "no appointment type with this uuid; see GET /appointment-types",
    });
  }
  const { location, provider } = placeOrFail(unknown, candidateLocation, candidateProvider, body.operatory_uuid);
  const type = activeTypeOrFail(ref, body.appointment_type_uuid, "appointment_type_uuid");
  providerEligibleOrFail(provider, type, "provider_uuid");
  const start = instantOrFail(body.scheduled_start, location, "scheduled_start");
  const end =
    body.scheduled_end === undefined
      ? start + type.duration_minutes * MINUTE_MS
      : instantOrFail(body.scheduled_end, location, "scheduled_end");
  return { type, location, provider, start, end };
}

/**
 * The loaded holds without those expired at `now`, and the writes deleting those: a claim's transaction
 * removes the lapsed holds in its way under its own locks, so the database's no-overlap rule (schema.ts,
 * holds) never meets one and no sweeper is needed.
 */
function liveHolds(state: TransactionState, now: EpochMs): { holds: HoldRecord[]; writes: Write[] } {
  const holds = state.holds.filter((h) => h.expires_at > now);
  const writes = state.holds
    .filter((h) => h.expires_at <= now)
    .map((h): Write => ({ kind: "hold.delete", uuid: h.uuid }));
  return { holds, writes };
}

/**
 * `candidate` judged against the transaction's bookings and live holds at `now`: the operatory it gets and the
 * writes deleting the lapsed holds (to come before the caller's own writes), or the API error saying why not.
 */
export function bookableOrFail(
  ref: Reference,
  state: TransactionState,
  candidate: Candidate,
  location: LocationRecord,
  now: EpochMs,
): { operatory_uuid: string; writes: Write[] } {
  const { holds, writes } = liveHolds(state, now);
  const verdict = checkBookable(prepareSchedule(ref, state.bookings, holds), candidate, now);
  if (!verdict.ok) throw bookabilityError(verdict, ref, location);
  return { operatory_uuid: verdict.operatory_uuid, writes };
}

/** The hold a booking is made under: live, and naming the very slot booked; else the API error saying why not. */
function holdOrFail(hold: HoldRecord | null, uuid: string, candidate: Candidate, typeUuid: string, now: EpochMs) {
  if (!hold || hold.expires_at <= now) {
    throw new ApiError(
      "hold_expired",
      `The hold ${uuid} has expired, been released or been used. Check availability again, or book without hold_uuid.`,
      [{ field: "hold_uuid", message: "is no longer a live hold" }],
    );
  }
  const differing: FieldError[] = (
    [
      ["appointment_type_uuid", typeUuid, hold.appointment_type_uuid],
      ["provider_uuid", candidate.provider_uuid, hold.provider_uuid],
      ["location_uuid", candidate.location_uuid, hold.location_uuid],
      ["operatory_uuid", candidate.operatory_uuid ?? hold.operatory_uuid, hold.operatory_uuid],
      ["patient_uuid", candidate.patient_uuid, hold.patient_uuid ?? candidate.patient_uuid],
      ["scheduled_start", candidate.start, hold.start],
      ["scheduled_end", candidate.end, hold.end],
    ] as const
  ).flatMap(([field, booked, held]) => (booked === held ? [] : [{ field, message: "differs from the hold's" }]));
  if (differing.length > 0) {
    throw new ApiError(
      "hold_mismatch",
      `This booking is not the slot held by ${uuid} (${differing.map((e) => e.field).join(", ")} differ). ` +
        "Book exactly the held slot, or book without hold_uuid.",
      differing,
    );
  }
  return hold;
}

export async function createAppointment(
  ctx: ServiceContext,
  caller: Caller,
  body: CreateBody,
  idempotencyKey?: string,
): Promise<CreateOutcome> {
  const ref = await loadReference(ctx, caller.orgId);
  const hash = idempotencyKey === undefined ? undefined : requestHash(meaningOf(ref, body));
  if (idempotencyKey !== undefined && hash !== undefined) {
    // Fast path for a retry: answer from the stored outcome before validating anything again.
    const stored = await ctx.storage.getIdempotency(caller.orgId, idempotencyKey, oldestValid(ctx.now()));
    if (stored) return { ...replayOrFail(stored, hash), replayed: true };
  }

  const [found] = await ctx.storage.getPatients(caller.orgId, [body.patient_uuid]);
  const { type, location, provider, start, end } = placementOrFail(ref, body, found !== undefined);
  // placementOrFail has refused an unknown patient.
  const patient = found as PatientRecord;
  const candidate: Candidate = {
    provider_uuid: provider.uuid,
    location_uuid: location.uuid,
    operatory_uuid: body.operatory_uuid,
    patient_uuid: patient.uuid,
    start,
    end,
  };

  return ctx.storage.transact<CreateOutcome>(
    caller.orgId,
    {
      bookings: scopeOf(candidate),
      ...(body.hold_uuid === undefined ? {} : { hold_uuid: body.hold_uuid }),
      ...(idempotencyKey === undefined
        ? {}
        : { idempotency: { key: idempotencyKey, notBefore: oldestValid(ctx.now()) } }),
    },
    (state) => {
      if (state.idempotency && hash !== undefined) {
        return { result: { ...replayOrFail(state.idempotency, hash), replayed: true }, writes: [] };
      }
      const now = ctx.now();
      // Under a hold: booked in the held chair, judged as if the hold were not there, and the hold consumed.
      const hold =
        body.hold_uuid === undefined ? undefined : holdOrFail(state.hold, body.hold_uuid, candidate, type.uuid, now);
      const booked = hold ? { ...candidate, operatory_uuid: hold.operatory_uuid, own_hold_uuid: hold.uuid } : candidate;
      const verdict = bookableOrFail(ref, state, booked, location, now);
      const writes = verdict.writes;
      if (hold) writes.push({ kind: "hold.delete", uuid: hold.uuid });
      const record: AppointmentRow = {
        uuid: randomUUID(),
        patient_uuid: patient.uuid,
        appointment_type_uuid: type.uuid,
        provider_uuid: provider.uuid,
        location_uuid: location.uuid,
        operatory_uuid: verdict.operatory_uuid,
        start,
        end,
        local_date: localDate(start, location.timezone),
        status: "scheduled",
        notes: body.notes || null,
        cancellation_reason: null,
        created_at: now,
        updated_at: now,
      };
      const view = toAppointment(ref, record, patient, []);
      writes.push(
        { kind: "appointment.insert", appointment: record },
        audit(caller, "appointment.create", record.uuid, now),
      );
      if (idempotencyKey !== undefined && hash !== undefined) {
        writes.push({
          kind: "idempotency.put",
          record: { key: idempotencyKey, request_hash: hash, status: 201, body: view, created_at: now },
        });
      }
      return { result: { status: 201, body: view, replayed: false }, writes };
    },
  );
}

/**
 * What a booking request means, for its Idempotency-Key: the instants it names (local time, …Z and an
 * offset all name one), the end the type's duration gives when none is sent, notes with blank as absent.
 * So a retry written another way replays instead of being refused as "another request". What cannot be
 * resolved (an unknown location, a malformed time) stays as sent: that request fails validation anyway. The
 * hold_uuid is not part of it: a hold only lets the very slot be booked, so a retry with or without it asks the same.
 */
function meaningOf(ref: Reference, body: CreateBody) {
  const location = ref.locationsById.get(body.location_uuid);
  const type = ref.typesById.get(body.appointment_type_uuid);
  const instant = (value: DateTimeValue) => {
    const resolved = location ? resolveDateTime(value, location.timezone) : undefined;
    return resolved?.ok ? resolved.instant : value.text;
  };
  const start = instant(body.scheduled_start);
  const end =
    body.scheduled_end !== undefined
      ? instant(body.scheduled_end)
      : typeof start === "number" && type
        ? start + type.duration_minutes * MINUTE_MS
        : undefined;
  return {
    patient_uuid: body.patient_uuid,
    appointment_type_uuid: body.appointment_type_uuid,
    location_uuid: body.location_uuid,
    provider_uuid: body.provider_uuid,
    operatory_uuid: body.operatory_uuid,
    start,
    end,
    notes: body.notes || undefined,
  };
}

export async function listAppointments(
  ctx: ServiceContext,
  caller: Caller,
  query: ListQuery,
): Promise<AppointmentPage> {
  if (query.start_date !== undefined && query.end_date !== undefined && query.end_date < query.start_date) {
    // As availability does: an empty list would read as "no appointments", not as a swapped range.
    throw new ApiError(
      "invalid_time_range",
      `end_date ${query.end_date} is before start_date ${query.start_date}. Swap them.`,
      [{ field: "query.end_date", message: "must be on or after start_date" }],
    );
  }
  const ref = await loadReference(ctx, caller.orgId);
  const page = await ctx.storage.listAppointments(
    caller.orgId,
    {
      patient_uuid: query.patient_uuid,
      provider_uuid: query.provider_uuid,
      location_uuid: query.location_uuid,
      status: query.status,
      start_date: query.start_date,
      end_date: query.end_date,
      ends_after: query.ends_after === undefined ? undefined : Date.parse(query.ends_after),
      ended_by: query.ended_by === undefined ? undefined : Date.parse(query.ended_by),
    },
    query,
    query.sort,
  );
  return {
    items: await expand(ctx, caller, ref, page.items),
    page: query.page,
    page_size: query.page_size,
    total: page.total,
  };
}

export async function getAppointment(ctx: ServiceContext, caller: Caller, uuid: string): Promise<Appointment> {
  const row = await ctx.storage.getAppointment(caller.orgId, uuid);
  if (!row) throw notFound("appointment", uuid);
  const ref = await loadReference(ctx, caller.orgId);
  const [view] = await expand(ctx, caller, ref, [row]);
  return view as Appointment;
}

/** Thrown inside a transaction when the appointment changed since it was read; the use case retries. */
class ChangedMeanwhile extends Error {}
const MAX_ATTEMPTS = 5;

async function withRetry<T>(attempt: () => Promise<T>): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof ChangedMeanwhile)) throw error;
      if (i >= MAX_ATTEMPTS) {
        throw new ApiError(
          "unavailable",
          "The appointment is being changed by other requests right now. Retry in a moment.",
        );
      }
    }
  }
}

function unchangedOrRetry(state: TransactionState, read: AppointmentRow): AppointmentRow {
  const current = state.appointment;
  if (!current || current.updated_at !== read.updated_at || current.status !== read.status)
    throw new ChangedMeanwhile();
  return current;
}

const RESCHEDULABLE = AppointmentStatus.options.filter(canReschedule);

/** Reschedule (time, provider, location, operatory) and/or change the notes. */
export async function updateAppointment(
  ctx: ServiceContext,
  caller: Caller,
  uuid: string,
  body: UpdateBody,
): Promise<Appointment> {
  const ref = await loadReference(ctx, caller.orgId);
  const updated = await withRetry(async () => {
    const current = await ctx.storage.getAppointment(caller.orgId, uuid);
    if (!current) throw notFound("appointment", uuid);
    const reschedules =
      body.scheduled_start !== undefined ||
      body.scheduled_end !== undefined ||
      body.provider_uuid !== undefined ||
      body.location_uuid !== undefined ||
      body.operatory_uuid !== undefined;
    const notes = body.notes === undefined ? current.notes : body.notes;
    if (!reschedules) {
      return ctx.storage.transact(caller.orgId, { appointment_uuid: uuid }, (state) => {
        const now = ctx.now();
        const next = { ...unchangedOrRetry(state, current), notes, updated_at: Math.max(now, current.updated_at + 1) };
        return {
          result: next,
          writes: [
            { kind: "appointment.update", appointment: next },
            audit(caller, "appointment.update_notes", uuid, now),
          ],
        };
      });
    }
    if (!canReschedule(current.status)) {
      throw new ApiError(
        "invalid_transition",
        `This appointment is ${current.status} and can no longer be rescheduled; only ${RESCHEDULABLE.join(" or ")} ` +
          "appointments can. Book a new appointment instead.",
        [],
        { current_status: current.status, allowed_statuses: RESCHEDULABLE },
      );
    }
    const candidate = rescheduleCandidate(ref, current, body);
    const location = ref.locationsById.get(candidate.location_uuid) as LocationRecord;
    return ctx.storage.transact(caller.orgId, { appointment_uuid: uuid, bookings: scopeOf(candidate) }, (state) => {
      const existing = unchangedOrRetry(state, current);
      const now = ctx.now();
      const { holds, writes: lapsed } = liveHolds(state, now);
      const snapshot = prepareSchedule(ref, state.bookings, holds);
      let verdict = checkBookable(snapshot, candidate, now);
      // Keep the appointment in its operatory when it can; otherwise any free one at the location.
      if (
        !verdict.ok &&
        verdict.code === "slot_unavailable" &&
        body.operatory_uuid === undefined &&
        candidate.operatory_uuid !== undefined
      ) {
        verdict = checkBookable(snapshot, { ...candidate, operatory_uuid: undefined }, now);
      }
      if (!verdict.ok) throw bookabilityError(verdict, ref, location);
      const next: AppointmentRow = {
        ...existing,
        provider_uuid: candidate.provider_uuid,
        location_uuid: candidate.location_uuid,
        operatory_uuid: verdict.operatory_uuid,
        start: candidate.start,
        end: candidate.end,
        local_date: localDate(candidate.start, location.timezone),
        notes,
        updated_at: Math.max(now, existing.updated_at + 1),
      };
      return {
        result: next,
        writes: [
          ...lapsed,
          { kind: "appointment.update", appointment: next },
          audit(caller, "appointment.reschedule", uuid, now),
        ],
      };
    });
  });
  const [view] = await expand(ctx, caller, ref, [updated]);
  return view as Appointment;
}

/** The new placement: given fields replace the current ones; a new start alone keeps the duration. */
function rescheduleCandidate(ref: Reference, current: AppointmentRow, body: UpdateBody): Candidate {
  const unknown: FieldError[] = [];
  const candidateLocation = ref.locationsById.get(body.location_uuid ?? current.location_uuid);
  const candidateProvider = ref.providersById.get(body.provider_uuid ?? current.provider_uuid);
  const { location, provider } = placeOrFail(unknown, candidateLocation, candidateProvider, body.operatory_uuid);
  const type = ref.typesById.get(current.appointment_type_uuid);
  if (type && body.provider_uuid !== undefined && body.provider_uuid !== current.provider_uuid) {
    providerEligibleOrFail(provider, type, "provider_uuid");
  }
  const start =
    body.scheduled_start === undefined
      ? current.start
      : instantOrFail(body.scheduled_start, location, "scheduled_start");
  const end =
    body.scheduled_end !== undefined
      ? instantOrFail(body.scheduled_end, location, "scheduled_end")
      : body.scheduled_start !== undefined
        ? start + (current.end - current.start)
        : current.end;
  const sameLocation = location.uuid === current.location_uuid;
  return {
    provider_uuid: provider.uuid,
    location_uuid: location.uuid,
    operatory_uuid: body.operatory_uuid ?? (sameLocation ? current.operatory_uuid : undefined),
    patient_uuid: current.patient_uuid,
    start,
    end,
    ignore_appointment_uuid: current.uuid,
  };
}

export async function changeStatus(
  ctx: ServiceContext,
  caller: Caller,
  uuid: string,
  body: StatusBody,
): Promise<Appointment> {
  const ref = await loadReference(ctx, caller.orgId);
  const updated = await ctx.storage.transact(caller.orgId, { appointment_uuid: uuid }, (state) => {
    const current = state.appointment;
    if (!current) throw notFound("appointment", uuid);
    const verdict = transition(current.status, body.status);
    if (!verdict.ok) {
      const allowed = verdict.allowed.length === 0 ? "none (final state)" : verdict.allowed.join(", ");
      throw new ApiError(
        "invalid_transition",
        `${verdict.message} Allowed next statuses: ${allowed}.`,
        [{ field: "status", message: verdict.message }],
        {
          current_status: current.status,
          allowed_statuses: verdict.allowed,
        },
      );
    }
    const now = ctx.now();
    const next: AppointmentRow = {
      ...current,
      status: body.status,
      cancellation_reason: body.status === "cancelled" ? (body.reason ?? null) : current.cancellation_reason,
      updated_at: Math.max(now, current.updated_at + 1),
    };
    return {
      result: next,
      writes: [
        { kind: "appointment.update", appointment: next },
        audit(caller, `appointment.${body.status === "cancelled" ? "cancel" : body.status}`, uuid, now),
      ],
    };
  });
  const [view] = await expand(ctx, caller, ref, [updated]);
  return view as Appointment;
}

export async function addNote(
  ctx: ServiceContext,
  caller: Caller,
  uuid: string,
  body: NoteBody,
): Promise<ClinicalNote> {
  const appointment = await ctx.storage.getAppointment(caller.orgId, uuid);
  if (!appointment) throw notFound("appointment", uuid);
  const now = ctx.now();
  const note: ClinicalNoteRecord = { uuid: randomUUID(), appointment_uuid: uuid, text: body.text, created_at: now };
  await ctx.storage.addNote(caller.orgId, note, {
    actor_token_id: caller.tokenId,
    action: "clinical_note.create",
    entity_type: "clinical_note",
    entity_uuid: note.uuid,
    at: now,
  });
  return toClinicalNote(note);
}
