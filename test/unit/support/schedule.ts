/** A small hand-written practice for domain tests: one location per coast, two providers. */
import type { Weekday } from "../../../src/contract/index.js";
import type {
  AppointmentRecord,
  LocationRecord,
  ProviderRecord,
  ScheduleSnapshot,
  ShiftRecord,
} from "../../../src/sandbox/domain/model.js";
import { parseDateTime } from "../../../src/contract/index.js";
import { resolveDateTime } from "../../../src/sandbox/domain/time.js";

export const LA = "America/Los_Angeles";
export const NY = "America/New_York";
export const SF_UUID = "10000000-0000-4000-8000-000000000001";
export const NYC_UUID = "10000000-0000-4000-8000-000000000002";
export const OP1 = "20000000-0000-4000-8000-000000000001";
export const OP2 = "20000000-0000-4000-8000-000000000002";
export const OP_NYC = "20000000-0000-4000-8000-000000000003";
export const CHEN = "30000000-0000-4000-8000-000000000001";
export const PATEL = "30000000-0000-4000-8000-000000000002";
export const RETIRED = "30000000-0000-4000-8000-000000000003";

const WEEKDAYS: Weekday[] = ["monday", "tuesday", "wednesday", "thursday", "friday"];
const EVERY_DAY: Weekday[] = [...WEEKDAYS, "saturday", "sunday"];

export function location(uuid: string, name: string, timezone: string, operatories: string[]): LocationRecord {
  return {
    uuid,
    name,
    address: { line1: "1 Main St", city: "Town", region: "CA", postal_code: "94100", country: "US" },
    phone: null,
    timezone,
    operatories: operatories.map((op, index) => ({ uuid: op, name: `Operatory ${index + 1}` })),
    opening_hours: EVERY_DAY.map((day) => ({ day, open: "00:00", close: "23:59" })),
  };
}

export function provider(
  uuid: string,
  last: string,
  role: "dentist" | "hygienist",
  locations: string[],
): ProviderRecord {
  return {
    uuid,
    first_name: "Pat",
    last_name: last,
    title: role === "dentist" ? "DDS" : "RDH",
    role,
    location_uuids: locations,
    is_active: true,
  };
}

export function shift(
  provider_uuid: string,
  location_uuid: string,
  day: Weekday,
  start: string,
  end: string,
  breaks: { start: string; end: string }[] = [],
): ShiftRecord {
  return { provider_uuid, location_uuid, day, start, end, breaks };
}

/** Local wall clock → instant, failing the test on a bad fixture. */
export function at(local: string, timezone = LA): number {
  const parsed = parseDateTime(local);
  if (!parsed.ok) throw new Error(parsed.message);
  const resolved = resolveDateTime(parsed.value, timezone);
  if (!resolved.ok) throw new Error(resolved.message);
  return resolved.instant;
}

let bookingCounter = 0;
export function booking(
  fields: Partial<AppointmentRecord> & Pick<AppointmentRecord, "start" | "end">,
): AppointmentRecord {
  bookingCounter++;
  return {
    uuid: `40000000-0000-4000-8000-${String(bookingCounter).padStart(12, "0")}`,
    patient_uuid: "50000000-0000-4000-8000-000000000001",
    appointment_type_uuid: "60000000-0000-4000-8000-000000000001",
    provider_uuid: CHEN,
    location_uuid: SF_UUID,
    operatory_uuid: OP1,
    status: "scheduled",
    notes: null,
    cancellation_reason: null,
    created_at: 0,
    updated_at: 0,
    ...fields,
  };
}

/**
 * Main Street (LA, two operatories, open Mon-Sat 08:00-18:00) and Midtown (NY, one operatory,
 * open every day). Dr. Chen works weekdays 08:00-17:00 in LA with lunch 12:00-13:00; Patel RDH
 * works Tuesdays in LA and Wednesdays in NY. A third provider is inactive.
 */
export function baseSnapshot(): ScheduleSnapshot {
  const sf = location(SF_UUID, "Main Street Dental", LA, [OP1, OP2]);
  sf.opening_hours = [...WEEKDAYS, "saturday" as const].map((day) => ({ day, open: "08:00", close: "18:00" }));
  const nyc = location(NYC_UUID, "Midtown Dental", NY, [OP_NYC]);
  const retired = provider(RETIRED, "Gone", "dentist", [SF_UUID]);
  retired.is_active = false;
  return {
    locations: [sf, nyc],
    providers: [
      provider(CHEN, "Chen", "dentist", [SF_UUID]),
      provider(PATEL, "Patel", "hygienist", [SF_UUID, NYC_UUID]),
      retired,
    ],
    shifts: [
      ...WEEKDAYS.map((day) => shift(CHEN, SF_UUID, day, "08:00", "17:00", [{ start: "12:00", end: "13:00" }])),
      shift(PATEL, SF_UUID, "tuesday", "09:00", "15:00"),
      shift(PATEL, NYC_UUID, "wednesday", "09:00", "15:00"),
      shift(RETIRED, SF_UUID, "monday", "08:00", "17:00"),
    ],
    timeOff: [],
    closures: [],
    bookings: [],
  };
}
