/**
 * The records of one practice as the sandbox keeps them. Storage persists them, the pure domain
 * functions reason over them, the demo seed produces them. Instants are epoch milliseconds (UTC);
 * wall-clock values exist only at the edges, converted with the location's timezone.
 */
import type { AppointmentStatus, AppointmentType, Location, Patient, Provider, Weekday } from "../../contract/index.js";

/** Epoch milliseconds. */
export type EpochMs = number;

/** Half-open interval [start, end) of instants. */
export interface Interval {
  start: EpochMs;
  end: EpochMs;
}

export interface OrgRecord {
  uuid: string;
  name: string;
  /** How far ahead appointments can be booked, in months from today (default 18, at most 120). */
  booking_horizon_months?: number;
}

/** A location without its derived `upcoming_closures` (computed from ClosureRecord rows). */
export type LocationRecord = Omit<Location, "upcoming_closures">;
export type ProviderRecord = Provider;
export type AppointmentTypeRecord = AppointmentType;
export type PatientRecord = Patient;

/** "HH:MM", 24-hour, local to the location. */
type HourMinute = string;

/** A provider's recurring working hours at one location on one weekday, with breaks (e.g. lunch). */
export interface ShiftRecord {
  provider_uuid: string;
  location_uuid: string;
  day: Weekday;
  start: HourMinute;
  end: HourMinute;
  breaks: { start: HourMinute; end: HourMinute }[];
}

/** A provider away (vacation, CE course): no bookings in [start, end) at any location. */
export interface TimeOffRecord {
  uuid: string;
  provider_uuid: string;
  start: EpochMs;
  end: EpochMs;
  reason: string;
}

/** A whole local day on which a location is closed (holiday). */
export interface ClosureRecord {
  location_uuid: string;
  date: string; // YYYY-MM-DD, local to the location
  reason: string;
}

export interface AppointmentRecord {
  uuid: string;
  patient_uuid: string;
  appointment_type_uuid: string;
  provider_uuid: string;
  location_uuid: string;
  operatory_uuid: string;
  start: EpochMs;
  end: EpochMs;
  status: AppointmentStatus;
  notes: string | null;
  cancellation_reason: string | null;
  created_at: EpochMs;
  updated_at: EpochMs;
}

/** What the scheduling rule reads of an appointment: whom, where, when, and whether it still occupies anything. */
export type BookingRecord = Pick<
  AppointmentRecord,
  "uuid" | "patient_uuid" | "provider_uuid" | "location_uuid" | "operatory_uuid" | "start" | "end" | "status"
>;

/**
 * What a booking occupies, as a search for free time reads it: its provider and its chair over [start, end), and
 * where (for the verdict that names it). A search names no patient and moves no appointment, so it reads neither
 * the patient nor the uuid (which only says which booking a move may ignore); a BookingRecord is an Occupancy too.
 */
export type Occupancy = Pick<BookingRecord, "provider_uuid" | "location_uuid" | "operatory_uuid" | "start" | "end"> & {
  uuid?: string;
};

/**
 * A slot kept for someone deciding: until `expires_at` its provider and operatory are not offered to
 * anyone else and cannot be booked but with this hold's uuid. Past `expires_at` it occupies nothing.
 */
export interface HoldRecord {
  uuid: string;
  appointment_type_uuid: string;
  provider_uuid: string;
  location_uuid: string;
  operatory_uuid: string;
  /** Whom the slot is held for, when given: then only this patient can book it. */
  patient_uuid: string | null;
  start: EpochMs;
  end: EpochMs;
  expires_at: EpochMs;
  created_at: EpochMs;
}

export interface ClinicalNoteRecord {
  uuid: string;
  appointment_uuid: string;
  text: string;
  created_at: EpochMs;
}

/** Everything one practice is made of; what the demo seed produces and storage loads. */
export interface PracticeData {
  org: OrgRecord;
  locations: LocationRecord[];
  providers: ProviderRecord[];
  appointmentTypes: AppointmentTypeRecord[];
  shifts: ShiftRecord[];
  timeOff: TimeOffRecord[];
  closures: ClosureRecord[];
  patients: PatientRecord[];
  appointments: AppointmentRecord[];
}

/** The slice of a practice's schedule that decides whether a time is bookable. */
export interface ScheduleSnapshot {
  locations: LocationRecord[];
  providers: ProviderRecord[];
  shifts: ShiftRecord[];
  timeOff: TimeOffRecord[];
  closures: ClosureRecord[];
  /** Appointments that occupy their provider and operatory: every status but cancelled. */
  bookings: BookingRecord[];
  /** The org's booking horizon (OrgRecord.booking_horizon_months); default 18. */
  horizon_months?: number;
  /** Holds in the window; those expired at the time a candidate is judged occupy nothing. */
  holds?: HoldRecord[];
}
