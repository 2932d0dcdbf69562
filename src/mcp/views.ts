/**
 * What tools show of PMS records: output schemas and the mappers that fill them, with short texts for
 * reading aloud. Caller mode drops everything a member of the public must not hear (contact details,
 * notes); free text that remains is fenced as untrusted.
 */
import { z } from "zod";
import {
  AppointmentStatus,
  Instant,
  LocalDate,
  LocalDateTime,
  LocationRef,
  PatientRef,
  ProviderRef,
  Uuid,
  providerName,
  type Appointment,
  type Patient,
} from "../contract/index.js";
import type { PrivacyMode } from "./privacy.js";
import { describeLocalRange } from "./time.js";
import { fenceUntrusted } from "./untrusted.js";

export const PatientView = z.object({
  uuid: Uuid,
  first_name: z.string(),
  last_name: z.string(),
  preferred_provider_uuid: Uuid.nullable(),
  date_of_birth: LocalDate.optional().describe("Staff mode only"),
  primary_phone: z.string().nullable().optional().describe("Staff mode only"),
  email: z.string().nullable().optional().describe("Staff mode only"),
});
export type PatientView = z.infer<typeof PatientView>;

export function patientView(patient: Patient, privacy: PrivacyMode): PatientView {
  const base = {
    uuid: patient.uuid,
    first_name: patient.first_name,
    last_name: patient.last_name,
    preferred_provider_uuid: patient.preferred_provider_uuid,
  };
  if (privacy === "caller") return base;
  return { ...base, date_of_birth: patient.date_of_birth, primary_phone: patient.primary_phone, email: patient.email };
}

export const AppointmentView = z.object({
  uuid: Uuid.describe(
    "The appointment's uuid: pass it to reschedule_appointment, cancel_appointment or confirm_appointment",
  ),
  status: AppointmentStatus,
  when: z.string().describe("Start and end for reading aloud, with the timezone"),
  scheduled_start: LocalDateTime,
  scheduled_end: LocalDateTime,
  timezone: z.string().describe("IANA timezone of the location; scheduled_start/end are local to it"),
  patient: PatientRef,
  appointment_type: z.object({ uuid: Uuid, name: z.string(), duration_minutes: z.number().int() }),
  provider: ProviderRef,
  location: LocationRef,
  notes: z.string().nullable().optional().describe("Fenced untrusted text; staff mode only"),
  cancellation_reason: z.string().nullable().optional().describe("Fenced untrusted text; staff mode only"),
  created_at: Instant,
});
export type AppointmentView = z.infer<typeof AppointmentView>;

export function appointmentView(appointment: Appointment, privacy: PrivacyMode): AppointmentView {
  const view: AppointmentView = {
    uuid: appointment.uuid,
    status: appointment.status,
    when: describeLocalRange(appointment.scheduled_start, appointment.scheduled_end, appointment.timezone),
    scheduled_start: appointment.scheduled_start,
    scheduled_end: appointment.scheduled_end,
    timezone: appointment.timezone,
    patient: {
      uuid: appointment.patient.uuid,
      first_name: appointment.patient.first_name,
      last_name: appointment.patient.last_name,
    },
    appointment_type: {
      uuid: appointment.appointment_type.uuid,
      name: appointment.appointment_type.name,
      duration_minutes: appointment.appointment_type.duration_minutes,
    },
    provider: {
      uuid: appointment.provider.uuid,
      first_name: appointment.provider.first_name,
      last_name: appointment.provider.last_name,
      title: appointment.provider.title,
    },
    location: { uuid: appointment.location.uuid, name: appointment.location.name },
    created_at: appointment.created_at,
  };
  if (privacy === "staff") {
    view.notes = appointment.notes === null ? null : fenceUntrusted("Appointment notes", appointment.notes);
    view.cancellation_reason =
      appointment.cancellation_reason === null
        ? null
        : fenceUntrusted("Cancellation reason", appointment.cancellation_reason);
  }
  return view;
}

/**
 * "New Patient Exam for Jane Smith with Dr. Michael Chen at Main Street Dental, <when>. Status: scheduled.
 * appointment_uuid …", then the fenced notes, if any and shown.
 */
export function describeAppointment(view: AppointmentView): string {
  const line =
    `${view.appointment_type.name} for ${view.patient.first_name} ${view.patient.last_name} with ` +
    `${providerName(view.provider)} at ${view.location.name}, ${view.when}. Status: ${view.status}. ` +
    `appointment_uuid ${view.uuid}`;
  return view.notes ? `${line}\n${view.notes}` : line;
}
