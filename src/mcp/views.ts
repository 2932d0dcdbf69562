/**
 * What tools show of PMS records: output schemas and the mappers that fill them, with short texts for
 * reading aloud. Caller mode drops everything a member of the public must not hear (contact details,
 * notes); free text that remains is fenced as untrusted.
 */
import { z } from "zod";
import {
  AppointmentStatus,
  AppointmentTypeRef,
  Instant,
  LocalDate,
  LocalDateTime,
  LocationRef,
  Operatory,
  PatientRef,
  ProviderRef,
  TimeZone,
  Uuid,
  providerName,
  type Appointment,
  type Patient,
} from "../contract/index.js";
import type { PrivacyMode } from "./privacy.js";
import { describeLocalRange } from "./time.js";
import { fenceUntrusted } from "./untrusted.js";

/** The guide's patient; caller mode leaves out the birth date and contact details. */
export const PatientView = z.object({
  uuid: Uuid,
  first_name: z.string(),
  last_name: z.string(),
  date_of_birth: LocalDate.optional(),
  primary_phone: z.string().nullable().optional(),
  email: z.string().nullable().optional(),
  preferred_provider_uuid: Uuid.nullable(),
});
export type PatientView = z.infer<typeof PatientView>;

export function patientView(patient: Patient, privacy: PrivacyMode): PatientView {
  const { uuid, first_name, last_name, preferred_provider_uuid } = patient;
  if (privacy === "caller") return { uuid, first_name, last_name, preferred_provider_uuid };
  const { date_of_birth, primary_phone, email } = patient;
  return { uuid, first_name, last_name, date_of_birth, primary_phone, email, preferred_provider_uuid };
}

export const ClinicalNoteView = z.object({ uuid: Uuid, created_at: Instant, text: z.string() });

/**
 * The guide's appointment object (every field of its 201 body), plus the location's timezone, a spoken
 * `when` and the chair; staff mode adds the notes, clinical notes and cancellation reason, each fenced.
 */
export const AppointmentView = z.object({
  uuid: Uuid,
  status: AppointmentStatus,
  patient: PatientRef,
  appointment_type: AppointmentTypeRef,
  scheduled_start: LocalDateTime,
  scheduled_end: LocalDateTime,
  location: LocationRef,
  provider: ProviderRef,
  created_at: Instant,
  timezone: TimeZone,
  when: z.string(),
  operatory: Operatory,
  notes: z.string().nullable().optional(),
  clinical_notes: z.array(ClinicalNoteView).optional(),
  cancellation_reason: z.string().nullable().optional(),
});
export type AppointmentView = z.infer<typeof AppointmentView>;

/** A list of appointments, as every tool that lists them answers. */
export const AppointmentList = z.object({
  items: z.array(AppointmentView),
  total: z.number().int(),
  has_more: z.boolean(),
});

export function appointmentView(appointment: Appointment, privacy: PrivacyMode): AppointmentView {
  const { patient, appointment_type: type, provider, location, operatory } = appointment;
  const view: AppointmentView = {
    uuid: appointment.uuid,
    status: appointment.status,
    patient: { uuid: patient.uuid, first_name: patient.first_name, last_name: patient.last_name },
    appointment_type: { uuid: type.uuid, name: type.name, duration_minutes: type.duration_minutes, color: type.color },
    scheduled_start: appointment.scheduled_start,
    scheduled_end: appointment.scheduled_end,
    location: { uuid: location.uuid, name: location.name },
    provider: {
      uuid: provider.uuid,
      first_name: provider.first_name,
      last_name: provider.last_name,
      title: provider.title,
    },
    created_at: appointment.created_at,
    timezone: appointment.timezone,
    when: describeLocalRange(appointment.scheduled_start, appointment.scheduled_end, appointment.timezone),
    operatory: { uuid: operatory.uuid, name: operatory.name },
  };
  if (privacy === "staff") {
    view.notes = appointment.notes === null ? null : fenceUntrusted("Appointment notes", appointment.notes);
    view.clinical_notes = appointment.clinical_notes.map((note) => ({
      uuid: note.uuid,
      created_at: note.created_at,
      text: fenceUntrusted(`Clinical note of ${note.created_at}`, note.text),
    }));
    view.cancellation_reason =
      appointment.cancellation_reason === null
        ? null
        : fenceUntrusted("Cancellation reason", appointment.cancellation_reason);
  }
  return view;
}

/** "New Patient Exam for Jane Smith with Dr. Michael Chen at Main Street Dental, <when>. Status: scheduled. appointment_uuid …". */
export function appointmentLine(view: AppointmentView): string {
  return (
    `${view.appointment_type.name} for ${view.patient.first_name} ${view.patient.last_name} with ` +
    `${providerName(view.provider)} at ${view.location.name}, ${view.when}. Status: ${view.status}. ` +
    `appointment_uuid ${view.uuid}`
  );
}

/** The appointment's line, then whatever fenced text this mode shows (notes, clinical notes, cancellation reason). */
export function describeAppointment(view: AppointmentView): string {
  return [appointmentLine(view), ...fencedTexts(view)].join("\n");
}

/** The fenced free text of an appointment that this mode shows, in reading order. */
export function fencedTexts(view: AppointmentView): string[] {
  return [
    view.notes ?? "",
    ...(view.clinical_notes ?? []).map((note) => note.text),
    view.status === "cancelled" ? (view.cancellation_reason ?? "") : "",
  ].filter(Boolean);
}
