/**
 * Records → the contract's wire shapes (`toPatient`, `toAppointment`, ...). The only place the expanded
 * Appointment of the guide is assembled, so every endpoint returns it identically. (What the MCP tools
 * show of these shapes to a model is another matter: src/mcp/views.ts.)
 */
import type {
  Appointment,
  AppointmentType,
  ClinicalNote,
  Hold,
  Location,
  Operatory,
  Patient,
  Provider,
  ProviderRef,
} from "../../contract/index.js";
import type {
  AppointmentRecord,
  ClinicalNoteRecord,
  EpochMs,
  HoldRecord,
  LocationRecord,
  PatientRecord,
  ProviderRecord,
} from "../domain/model.js";
import { addDays, formatLocalDateTime, localDate } from "../domain/time.js";
import type { Reference } from "./context.js";

/** Whole-second UTC timestamp, as the guide writes them: 2025-05-10T14:32:00Z. */
export function formatInstant(instant: EpochMs): string {
  return `${new Date(instant).toISOString().slice(0, 19)}Z`;
}

export function toPatient(p: PatientRecord): Patient {
  return {
    uuid: p.uuid,
    first_name: p.first_name,
    last_name: p.last_name,
    date_of_birth: p.date_of_birth,
    primary_phone: p.primary_phone,
    email: p.email,
    preferred_provider_uuid: p.preferred_provider_uuid,
  };
}

export function toAppointmentType(t: AppointmentType): AppointmentType {
  return { ...t, provider_roles: [...t.provider_roles] };
}

export function toProvider(p: ProviderRecord): Provider {
  return { ...p, location_uuids: [...p.location_uuids] };
}

export function toProviderRef(p: ProviderRecord): ProviderRef {
  return { uuid: p.uuid, first_name: p.first_name, last_name: p.last_name, title: p.title };
}

/** A location with the closures of the next 90 days (local dates at the location). */
export function toLocation(ref: Reference, location: LocationRecord, now: EpochMs): Location {
  const today = localDate(now, location.timezone);
  const horizon = addDays(today, 90);
  const upcoming = ref.closures
    .filter((c) => c.location_uuid === location.uuid && c.date >= today && c.date <= horizon)
    .sort((a, b) => a.date.localeCompare(b.date))
    .map((c) => ({ date: c.date, reason: c.reason }));
  return { ...location, upcoming_closures: upcoming };
}

export function operatoryOf(location: LocationRecord | undefined, uuid: string): Operatory {
  const operatory = location?.operatories.find((o) => o.uuid === uuid);
  return operatory ? { uuid: operatory.uuid, name: operatory.name } : { uuid, name: "" };
}

export function toClinicalNote(n: ClinicalNoteRecord): ClinicalNote {
  return { uuid: n.uuid, text: n.text, created_at: formatInstant(n.created_at) };
}

/** The guide's expanded appointment. References are resolved from the org's reference data. */
export function toAppointment(
  ref: Reference,
  a: AppointmentRecord,
  patient: PatientRecord | undefined,
  notes: readonly ClinicalNoteRecord[],
): Appointment {
  const location = ref.locationsById.get(a.location_uuid);
  const provider = ref.providersById.get(a.provider_uuid);
  const type = ref.typesById.get(a.appointment_type_uuid);
  const timezone = location?.timezone ?? "UTC";
  return {
    uuid: a.uuid,
    status: a.status,
    patient: patient
      ? { uuid: patient.uuid, first_name: patient.first_name, last_name: patient.last_name }
      : { uuid: a.patient_uuid, first_name: "", last_name: "" },
    appointment_type: type
      ? { uuid: type.uuid, name: type.name, duration_minutes: type.duration_minutes, color: type.color }
      : {
          uuid: a.appointment_type_uuid,
          name: "",
          duration_minutes: Math.round((a.end - a.start) / 60_000),
          color: "",
        },
    scheduled_start: formatLocalDateTime(a.start, timezone),
    scheduled_end: formatLocalDateTime(a.end, timezone),
    timezone,
    location: { uuid: a.location_uuid, name: location?.name ?? "" },
    provider: provider ? toProviderRef(provider) : { uuid: a.provider_uuid, first_name: "", last_name: "", title: "" },
    operatory: operatoryOf(location, a.operatory_uuid),
    notes: a.notes,
    clinical_notes: notes.map(toClinicalNote),
    cancellation_reason: a.cancellation_reason,
    created_at: formatInstant(a.created_at),
    updated_at: formatInstant(a.updated_at),
  };
}

/** A hold as POST /schedule/holds answers it; its references were resolved when it was made. */
export function toHold(ref: Reference, h: HoldRecord): Hold {
  const location = ref.locationsById.get(h.location_uuid) as LocationRecord;
  const provider = ref.providersById.get(h.provider_uuid) as ProviderRecord;
  const type = ref.typesById.get(h.appointment_type_uuid) as AppointmentType;
  return {
    uuid: h.uuid,
    expires_at: formatInstant(h.expires_at),
    appointment_type: { uuid: type.uuid, name: type.name, duration_minutes: type.duration_minutes, color: type.color },
    scheduled_start: formatLocalDateTime(h.start, location.timezone),
    scheduled_end: formatLocalDateTime(h.end, location.timezone),
    timezone: location.timezone,
    provider: toProviderRef(provider),
    location: { uuid: location.uuid, name: location.name },
    operatory: operatoryOf(location, h.operatory_uuid),
    patient_uuid: h.patient_uuid,
  };
}
