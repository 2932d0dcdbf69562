/**
 * Existing appointments for generated practices. Every one is placed with the booking rule itself
 * (checkBookable against a PreparedSchedule that sees the previous ones), so none conflict.
 */
import type {
  AppointmentRecord,
  AppointmentTypeRecord,
  EpochMs,
  Interval,
  PatientRecord,
  ProviderRecord,
} from "../domain/model.js";
import { type Candidate, type PreparedSchedule, checkBookable } from "../domain/rules.js";
import type { Random } from "./random.js";

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;
const CANCELLATION_REASONS = ["Patient rescheduled", "Patient is unwell", "Schedule conflict at work", "Travelling"];
const NOTES = [
  "Prefers morning appointments",
  "Nervous patient: explain each step",
  "Bring insurance card",
  "Follow-up from last visit",
];

/** Appointments of a practice in the making; the schedule knows who is busy when. */
export class AppointmentBook {
  readonly appointments: AppointmentRecord[] = [];

  constructor(
    private readonly schedule: PreparedSchedule,
    private readonly random: Random,
    private readonly now: EpochMs,
  ) {}

  /**
   * Books `type` for a free patient from `patients` if the rule allows it. History is generated too,
   * so the rule's "not in the past" check is waived: the candidate's own start stands in for now.
   */
  tryBook(
    candidate: Candidate,
    type: AppointmentTypeRecord,
    patients: readonly PatientRecord[],
  ): AppointmentRecord | null {
    const verdict = checkBookable(this.schedule, candidate, candidate.start);
    if (!verdict.ok) return null;
    const patient = this.freePatient(patients, candidate);
    if (!patient) return null;
    const record = this.record(candidate, verdict.operatory_uuid, type, patient);
    this.appointments.push(record);
    this.schedule.addBooking(record); // cancelled ones are ignored by the index
    return record;
  }

  /** A patient without another appointment then (the booking rule's patient check, asked directly). */
  private freePatient(patients: readonly PatientRecord[], slot: Interval): PatientRecord | null {
    for (let attempt = 0; attempt < 5; attempt++) {
      const patient = this.random.pick(patients);
      if (!this.schedule.patientConflict(patient.uuid, slot.start, slot.end)) return patient;
    }
    return null;
  }

  private record(
    candidate: Candidate,
    operatory: string,
    type: AppointmentTypeRecord,
    patient: PatientRecord,
  ): AppointmentRecord {
    const { start, end } = candidate;
    const status = this.statusFor(start, end);
    const created = roundToMinute(
      Math.min(start, this.now) - this.random.int(1, 30) * DAY_MS - this.random.int(0, 600) * MINUTE_MS,
    );
    const updated =
      status === "scheduled"
        ? created
        : status === "completed" || status === "arrived"
          ? Math.min(this.now, Math.max(created, start))
          : roundToMinute(Math.max(created, Math.min(this.now, start - DAY_MS)));
    return {
      uuid: this.random.uuid(),
      patient_uuid: patient.uuid,
      appointment_type_uuid: type.uuid,
      provider_uuid: candidate.provider_uuid,
      location_uuid: candidate.location_uuid,
      operatory_uuid: operatory,
      start,
      end,
      status,
      notes: this.random.chance(0.15) ? this.random.pick(NOTES) : null,
      cancellation_reason: status === "cancelled" ? this.random.pick(CANCELLATION_REASONS) : null,
      created_at: created,
      updated_at: updated,
    };
  }

  private statusFor(start: EpochMs, end: EpochMs): AppointmentRecord["status"] {
    if (end <= this.now) return this.random.chance(0.1) ? "cancelled" : "completed";
    if (start <= this.now) return "arrived";
    if (this.random.chance(0.04)) return "cancelled";
    const confirmRate = start - this.now < 2 * DAY_MS ? 0.7 : 0.25;
    return this.random.chance(confirmRate) ? "confirmed" : "scheduled";
  }
}

function roundToMinute(instant: EpochMs): EpochMs {
  return Math.floor(instant / MINUTE_MS) * MINUTE_MS;
}

/** Active types a provider can perform. */
export function typesFor(provider: ProviderRecord, types: readonly AppointmentTypeRecord[]): AppointmentTypeRecord[] {
  return types.filter((type) => type.is_active && type.provider_roles.includes(provider.role));
}
