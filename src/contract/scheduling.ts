/** The Scheduling domain: what kind of visit, with whom, where and when. */
import { z } from "zod";
import {
  DateTimeInput,
  Instant,
  LocalDate,
  LocalDateTime,
  PageQuery,
  TimeOfDay,
  TimeZone,
  Uuid,
  Weekday,
  paginated,
  queryBool,
  queryInt,
  singleLine,
  text,
} from "./common.js";

// ---------------------------------------------------------------------------------------------
// Reference data: appointment types, providers, locations

export const ProviderRole = z.enum(["dentist", "hygienist"]);
export type ProviderRole = z.infer<typeof ProviderRole>;

export const AppointmentType = z.object({
  uuid: Uuid,
  code: z.string(),
  name: z.string(),
  duration_minutes: z.number().int(),
  color: z.string(),
  requires_exam: z.boolean(),
  is_active: z.boolean(),
  provider_roles: z.array(ProviderRole).describe("Roles of the providers who can perform this type"),
});
export type AppointmentType = z.infer<typeof AppointmentType>;

export const AppointmentTypeQuery = z.strictObject({
  is_active: queryBool().optional().describe("true: only active types; false: only archived ones; omit for all"),
});
export type AppointmentTypeQuery = z.input<typeof AppointmentTypeQuery>;

export const AppointmentTypeList = z.object({ items: z.array(AppointmentType), total: z.number().int() });
export type AppointmentTypeList = z.infer<typeof AppointmentTypeList>;

export const Provider = z.object({
  uuid: Uuid,
  first_name: z.string(),
  last_name: z.string(),
  title: z.string().describe("Credentials, e.g. DDS or RDH"),
  role: ProviderRole,
  location_uuids: z.array(Uuid).describe("Locations where the provider works"),
  is_active: z.boolean(),
});
export type Provider = z.infer<typeof Provider>;

export const ProviderList = z.object({ items: z.array(Provider), total: z.number().int() });
export type ProviderList = z.infer<typeof ProviderList>;

export const Operatory = z.object({ uuid: Uuid, name: z.string() });
export type Operatory = z.infer<typeof Operatory>;

export const OpeningHours = z.object({ day: Weekday, open: TimeOfDay, close: TimeOfDay });
export type OpeningHours = z.infer<typeof OpeningHours>;

export const Closure = z.object({ date: LocalDate, reason: z.string() });
export type Closure = z.infer<typeof Closure>;

export const Location = z.object({
  uuid: Uuid,
  name: z.string(),
  address: z.object({
    line1: z.string(),
    city: z.string(),
    region: z.string(),
    postal_code: z.string(),
    country: z.string().describe("ISO 3166-1 alpha-2"),
  }),
  phone: z.string().nullable(),
  timezone: TimeZone,
  operatories: z.array(Operatory),
  opening_hours: z.array(OpeningHours).describe("Days not listed are closed"),
  upcoming_closures: z.array(Closure).describe("Whole-day closures in the next 90 days"),
});
export type Location = z.infer<typeof Location>;

export const LocationList = z.object({ items: z.array(Location), total: z.number().int() });
export type LocationList = z.infer<typeof LocationList>;

// ---------------------------------------------------------------------------------------------
// Expanded references inside appointments and slots (the guide's 201 shape)

export const PatientRef = z.object({ uuid: Uuid, first_name: z.string(), last_name: z.string() });
export const AppointmentTypeRef = z.object({
  uuid: Uuid,
  name: z.string(),
  duration_minutes: z.number().int(),
  color: z.string(),
});
export const LocationRef = z.object({ uuid: Uuid, name: z.string() });
export const ProviderRef = z.object({
  uuid: Uuid,
  first_name: z.string(),
  last_name: z.string(),
  title: z.string(),
});
export type ProviderRef = z.infer<typeof ProviderRef>;

/**
 * How a provider is named to people, by the API's messages and the MCP server's texts alike (one 409 can
 * carry both): "Dr. Michael Chen" for dentists (DDS/DMD), "Sarah Lee, RDH" otherwise.
 */
export function providerName(provider: Pick<ProviderRef, "first_name" | "last_name" | "title">): string {
  return /^(DDS|DMD)$/i.test(provider.title)
    ? `Dr. ${provider.first_name} ${provider.last_name}`
    : `${provider.first_name} ${provider.last_name}, ${provider.title}`;
}

// ---------------------------------------------------------------------------------------------
// Availability

export const MAX_AVAILABILITY_DAYS = 31;

/** Parts of the day by a slot's local start: morning before 12:00, afternoon 12:00 to 17:00, evening from 17:00. */
export const PartOfDay = z.enum(["morning", "afternoon", "evening"], {
  error: 'must be one of "morning" (before 12:00), "afternoon" (12:00-17:00) or "evening" (from 17:00)',
});
export type PartOfDay = z.infer<typeof PartOfDay>;

/** The part of the day a local time of day (minutes after midnight) falls in. */
export function partOfDayOf(minuteOfDay: number): PartOfDay {
  if (minuteOfDay < 12 * 60) return "morning";
  return minuteOfDay < 17 * 60 ? "afternoon" : "evening";
}

/** With `spread`, at most this many slots of one day, at least SPREAD_GAP_MINUTES apart. */
export const SPREAD_PER_DAY = 3;
export const SPREAD_GAP_MINUTES = 60;
export const MIN_PARTY_SIZE = 2;
export const MAX_PARTY_SIZE = 6;

export const AvailabilityQuery = z.strictObject({
  appointment_type_uuid: Uuid.describe("uuid from GET /appointment-types"),
  start_date: LocalDate.optional().describe("First day to search, local to each location (default: today there)"),
  end_date: LocalDate.optional().describe(
    `Last day to search, inclusive (default: start_date + 6 days); at most ${MAX_AVAILABILITY_DAYS} days in all`,
  ),
  provider_uuid: Uuid.optional().describe("Only this provider (uuid from GET /providers)"),
  location_uuid: Uuid.optional().describe("Only this location (uuid from GET /locations)"),
  limit: queryInt(1, 500, 50).default(50).describe("Maximum slots returned, 1 to 500 (default 50)"),
  step_minutes: queryInt(5, 120, 15).default(15).describe("Spacing of candidate start times (default 15)"),
  time_of_day: PartOfDay.optional().describe("Only slots starting in this part of the day, local time"),
  spread: queryBool()
    .default(false)
    .describe(
      `Offer slots across the days of the range: at most ${SPREAD_PER_DAY} a day, ${SPREAD_GAP_MINUTES} minutes apart, ` +
        "the days taken in turn (default false: the earliest slots)",
    ),
  around: TimeOfDay.optional().describe(
    "HH:MM local: order slots by how close their start is to this time of day (ties: earliest first)",
  ),
  party_size: queryInt(MIN_PARTY_SIZE, MAX_PARTY_SIZE, 3)
    .optional()
    .describe(
      `${MIN_PARTY_SIZE} to ${MAX_PARTY_SIZE} people: offer sets of back-to-back slots at one location (each starting ` +
        "when the previous one ends, same or different providers), answered in `sets`; `limit` counts sets",
    ),
  hold_uuid: Uuid.optional().describe("Your live hold (POST /schedule/holds): its slot is offered to you"),
});
export type AvailabilityQuery = z.input<typeof AvailabilityQuery>;

export const Slot = z.object({
  scheduled_start: LocalDateTime,
  scheduled_end: LocalDateTime,
  timezone: TimeZone.describe("Timezone of the location, in which start and end are given"),
  provider: ProviderRef,
  location: LocationRef,
  operatory: Operatory.describe("A free operatory; booking without operatory_uuid picks one automatically"),
});
export type Slot = z.infer<typeof Slot>;

export const Availability = z.object({
  appointment_type: AppointmentTypeRef,
  start_date: LocalDate,
  end_date: LocalDate,
  timezones: z.array(TimeZone).describe("Timezones of the locations searched"),
  slots: z
    .array(Slot)
    .describe(
      "Bookable slots: in chronological order, or by closeness to `around`; with party_size, the members of `sets` in order",
    ),
  sets: z
    .array(z.object({ slots: z.array(Slot) }))
    .optional()
    .describe("With party_size: sets of back-to-back slots at one location, each bookable as returned"),
  has_more: z.boolean().describe("True when more slots (or sets) exist in the range than `limit` allowed"),
});
export type Availability = z.infer<typeof Availability>;

// ---------------------------------------------------------------------------------------------
// Appointments

export const AppointmentStatus = z.enum(["scheduled", "confirmed", "arrived", "completed", "cancelled"]);
export type AppointmentStatus = z.infer<typeof AppointmentStatus>;

const Notes = text(2000);

export const AppointmentCreate = z.strictObject({
  patient_uuid: Uuid.describe("uuid from GET /patients"),
  appointment_type_uuid: Uuid.describe("uuid from GET /appointment-types"),
  location_uuid: Uuid.describe("uuid from GET /locations"),
  provider_uuid: Uuid.describe("uuid from GET /providers"),
  scheduled_start: DateTimeInput,
  scheduled_end: DateTimeInput.optional().describe("Default: start plus the type's duration"),
  operatory_uuid: Uuid.optional().describe("Default: a free operatory at the location"),
  notes: Notes.optional(),
  hold_uuid: Uuid.optional().describe(
    "A live hold of this slot (POST /schedule/holds): booked atomically and consumed; the booking must match it",
  ),
});
export type AppointmentCreate = z.input<typeof AppointmentCreate>;

export const AppointmentUpdate = z
  .strictObject({
    scheduled_start: DateTimeInput.optional(),
    scheduled_end: DateTimeInput.optional().describe("Default when rescheduling: start plus the current duration"),
    provider_uuid: Uuid.optional(),
    location_uuid: Uuid.optional(),
    operatory_uuid: Uuid.optional(),
    notes: Notes.nullable().optional(),
  })
  .refine((body) => Object.keys(body).length > 0, {
    error:
      "must change at least one of scheduled_start, scheduled_end, provider_uuid, location_uuid, operatory_uuid, notes",
  });
export type AppointmentUpdate = z.input<typeof AppointmentUpdate>;

export const StatusChange = z.strictObject({
  status: AppointmentStatus,
  reason: singleLine(500).optional().describe("Why, for a cancellation"),
});
export type StatusChange = z.input<typeof StatusChange>;

export const NoteCreate = z.strictObject({
  text: text(4000, "the note's text, e.g. Allergic to penicillin").min(1, { error: "must not be empty" }),
});
export type NoteCreate = z.input<typeof NoteCreate>;

export const ClinicalNote = z.object({ uuid: Uuid, text: z.string(), created_at: Instant });
export type ClinicalNote = z.infer<typeof ClinicalNote>;

export const Appointment = z.object({
  uuid: Uuid,
  status: AppointmentStatus,
  patient: PatientRef,
  appointment_type: AppointmentTypeRef,
  scheduled_start: LocalDateTime,
  scheduled_end: LocalDateTime,
  timezone: TimeZone.describe("Timezone of the location; scheduled_start and scheduled_end are local to it"),
  location: LocationRef,
  provider: ProviderRef,
  operatory: Operatory,
  notes: z.string().nullable(),
  clinical_notes: z.array(ClinicalNote),
  cancellation_reason: z.string().nullable(),
  created_at: Instant,
  updated_at: Instant,
});
export type Appointment = z.infer<typeof Appointment>;

export const AppointmentQuery = z.strictObject({
  patient_uuid: Uuid.optional(),
  provider_uuid: Uuid.optional(),
  location_uuid: Uuid.optional(),
  start_date: LocalDate.optional().describe("Appointments starting on or after this local date"),
  end_date: LocalDate.optional().describe("Appointments starting on or before this local date"),
  ends_after: Instant.optional().describe(
    "Appointments not yet over at this instant (ending after it), e.g. now for upcoming ones",
  ),
  ended_by: Instant.optional().describe(
    "Appointments over at this instant (ending at or before it), e.g. now for past ones",
  ),
  status: AppointmentStatus.optional(),
  sort: z
    .enum(["start", "-start"], { error: "must be start (soonest first) or -start (latest first)" })
    .default("start")
    .describe("start: by start time, soonest first (default); -start: latest first"),
  ...PageQuery,
});
export type AppointmentQuery = z.input<typeof AppointmentQuery>;

export const AppointmentPage = paginated(Appointment);
export type AppointmentPage = z.infer<typeof AppointmentPage>;

export const AppointmentPath = z.object({ appointment_uuid: Uuid });

// ---------------------------------------------------------------------------------------------
// Holds: a slot kept for someone deciding, for a few minutes

export const DEFAULT_HOLD_MINUTES = 5;
export const MAX_HOLD_MINUTES = 15;
const HOLD_MINUTES_FORM = `must be a whole number of minutes from 1 to ${MAX_HOLD_MINUTES}, e.g. ${DEFAULT_HOLD_MINUTES}`;

export const HoldCreate = z.strictObject({
  appointment_type_uuid: Uuid.describe("uuid from GET /appointment-types"),
  provider_uuid: Uuid.describe("The slot's provider (GET /schedule/availability)"),
  location_uuid: Uuid.describe("The slot's location"),
  scheduled_start: DateTimeInput,
  operatory_uuid: Uuid.optional().describe("The slot's operatory (default: a free one at the location)"),
  patient_uuid: Uuid.optional().describe("Whom the slot is held for: then only this patient can book it"),
  ttl_minutes: z
    .number({ error: HOLD_MINUTES_FORM })
    .int({ error: HOLD_MINUTES_FORM })
    .min(1, { error: HOLD_MINUTES_FORM })
    .max(MAX_HOLD_MINUTES, { error: HOLD_MINUTES_FORM })
    .default(DEFAULT_HOLD_MINUTES)
    .describe(`How long the hold lasts, 1 to ${MAX_HOLD_MINUTES} minutes (default ${DEFAULT_HOLD_MINUTES})`),
});
export type HoldCreate = z.input<typeof HoldCreate>;

export const Hold = z.object({
  uuid: Uuid.describe("Pass as hold_uuid to POST /appointments to book the held slot"),
  expires_at: Instant.describe("When the hold lapses by itself and the slot is free again"),
  appointment_type: AppointmentTypeRef,
  scheduled_start: LocalDateTime,
  scheduled_end: LocalDateTime,
  timezone: TimeZone.describe("Timezone of the location, in which start and end are given"),
  provider: ProviderRef,
  location: LocationRef,
  operatory: Operatory,
  patient_uuid: Uuid.nullable().describe("Whom the slot is held for, when given"),
});
export type Hold = z.infer<typeof Hold>;

export const HoldPath = z.object({ hold_uuid: Uuid });

// ---------------------------------------------------------------------------------------------
// A day's schedule: the day sheet of a location and/or a provider

/** At most this many appointments in one day's answer; `has_more` says when there are more. */
export const MAX_DAY_APPOINTMENTS = 60;

export const DayScheduleQuery = z
  .strictObject({
    date: LocalDate.optional().describe("The local day (default: today at the location, or where the provider works)"),
    location_uuid: Uuid.optional().describe("This location's day (uuid from GET /locations)"),
    provider_uuid: Uuid.optional().describe("This provider's day (uuid from GET /providers)"),
    status: AppointmentStatus.optional().describe(
      "Only appointments in this status (default: every one but cancelled)",
    ),
  })
  .refine((query) => query.location_uuid !== undefined || query.provider_uuid !== undefined, {
    error: "is required unless provider_uuid is given: a day is a location's, a provider's, or both",
    path: ["location_uuid"],
  });
export type DayScheduleQuery = z.input<typeof DayScheduleQuery>;

/** A free or working stretch of a day, local to the location. */
export const TimeSpan = z.object({ start: LocalDateTime, end: LocalDateTime });
export type TimeSpan = z.infer<typeof TimeSpan>;

const ResourceDay = {
  location: LocationRef,
  timezone: TimeZone,
  working: z
    .array(TimeSpan)
    .describe("When it can be booked that day: opening hours, or shifts minus breaks and time off"),
  free: z.array(TimeSpan).describe("The working time not taken by a booking"),
};

export const DaySchedule = z.object({
  date: LocalDate,
  items: z.array(Appointment).describe(`The day's appointments by start time, at most ${MAX_DAY_APPOINTMENTS}`),
  total: z.number().int().describe("Matching appointments that day"),
  has_more: z.boolean().describe(`True when more than ${MAX_DAY_APPOINTMENTS} appointments match`),
  operatories: z.array(z.object({ operatory: Operatory, ...ResourceDay })).describe("Each chair's day"),
  providers: z.array(z.object({ provider: ProviderRef, ...ResourceDay })).describe("Each working provider's day"),
});
export type DaySchedule = z.infer<typeof DaySchedule>;

/** The lifecycle of the guide: scheduled → confirmed → arrived → completed; any non-final state → cancelled. */
export const ALLOWED_TRANSITIONS: Readonly<Record<AppointmentStatus, readonly AppointmentStatus[]>> = {
  scheduled: ["confirmed", "arrived", "cancelled"],
  confirmed: ["arrived", "cancelled"],
  arrived: ["completed", "cancelled"],
  completed: [],
  cancelled: [],
};
