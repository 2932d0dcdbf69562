/**
 * The demo practice's reference data: three locations in three timezones, their operatories and
 * opening hours, the providers and their weekly shifts, and the appointment types. None of it
 * depends on the current date, so these uuids never change.
 */
import type { OpeningHours, Weekday } from "../../contract/index.js";
import type { AppointmentTypeRecord, LocationRecord, ProviderRecord, ShiftRecord } from "../domain/model.js";
import { GUIDE_APPOINTMENT_TYPES, GUIDE_UUIDS } from "./guide.js";
import { stableUuid } from "./random.js";

const WEEKDAYS: readonly Weekday[] = ["monday", "tuesday", "wednesday", "thursday", "friday"];
const LUNCH = [{ start: "12:00", end: "13:00" }];

export const LOCATION_UUIDS = {
  mainStreet: GUIDE_UUIDS.mainStreetDental,
  brooklyn: stableUuid("location:brooklyn"),
  chicago: stableUuid("location:chicago"),
} as const;

function operatories(location: string, count: number) {
  return Array.from({ length: count }, (_, i) => ({
    uuid: stableUuid(`operatory:${location}:${i + 1}`),
    name: `Operatory ${i + 1}`,
  }));
}

function weekdays(open: string, close: string): OpeningHours[] {
  return WEEKDAYS.map((day) => ({ day, open, close }));
}

export const DEMO_LOCATIONS: readonly LocationRecord[] = [
  {
    uuid: LOCATION_UUIDS.mainStreet,
    name: "Main Street Dental",
    address: { line1: "250 Main Street", city: "San Francisco", region: "CA", postal_code: "94105", country: "US" },
    phone: "+14155550100",
    timezone: "America/Los_Angeles",
    operatories: operatories("main-street", 4),
    opening_hours: [...weekdays("08:00", "18:00"), { day: "saturday", open: "08:00", close: "13:00" }],
  },
  {
    uuid: LOCATION_UUIDS.brooklyn,
    name: "Brooklyn Heights Dental",
    address: { line1: "75 Montague Street", city: "Brooklyn", region: "NY", postal_code: "11201", country: "US" },
    phone: "+17185550100",
    timezone: "America/New_York",
    operatories: operatories("brooklyn", 3),
    opening_hours: weekdays("08:00", "18:00"),
  },
  {
    uuid: LOCATION_UUIDS.chicago,
    name: "Lakeshore Family Dentistry",
    address: { line1: "401 N Michigan Avenue", city: "Chicago", region: "IL", postal_code: "60611", country: "US" },
    phone: "+13125550100",
    timezone: "America/Chicago",
    operatories: operatories("chicago", 2),
    opening_hours: weekdays("08:00", "17:00"),
  },
];

interface StaffMember {
  key: string;
  provider: Omit<ProviderRecord, "uuid" | "location_uuids" | "is_active">;
  /** Weekly schedule: location, days, hours. */
  works: { location: string; days: readonly Weekday[]; start: string; end: string; lunch: boolean }[];
  is_active?: boolean;
}

const { mainStreet, brooklyn, chicago } = LOCATION_UUIDS;

const STAFF: readonly StaffMember[] = [
  {
    key: "chen",
    provider: { first_name: "Michael", last_name: "Chen", title: "DDS", role: "dentist" },
    works: [{ location: mainStreet, days: WEEKDAYS, start: "08:00", end: "17:00", lunch: true }],
  },
  {
    key: "okafor",
    provider: { first_name: "Amara", last_name: "Okafor", title: "DMD", role: "dentist" },
    works: [
      { location: brooklyn, days: ["monday", "tuesday", "wednesday"], start: "08:00", end: "17:00", lunch: true },
      { location: mainStreet, days: ["thursday", "friday"], start: "09:00", end: "17:00", lunch: true },
      { location: mainStreet, days: ["saturday"], start: "08:00", end: "13:00", lunch: false },
    ],
  },
  {
    key: "delgado",
    provider: { first_name: "Rafael", last_name: "Delgado", title: "DDS", role: "dentist" },
    works: [
      {
        location: chicago,
        days: ["monday", "tuesday", "wednesday", "thursday"],
        start: "08:00",
        end: "16:30",
        lunch: true,
      },
      { location: brooklyn, days: ["friday"], start: "08:00", end: "16:00", lunch: true },
    ],
  },
  {
    key: "novak",
    provider: { first_name: "Emily", last_name: "Novak", title: "DMD", role: "dentist" },
    works: [
      {
        location: brooklyn,
        days: ["tuesday", "wednesday", "thursday", "friday"],
        start: "09:00",
        end: "18:00",
        lunch: true,
      },
    ],
  },
  {
    key: "ramirez",
    provider: { first_name: "Sofía", last_name: "Ramírez", title: "RDH", role: "hygienist" },
    works: [{ location: mainStreet, days: WEEKDAYS, start: "08:00", end: "16:00", lunch: true }],
  },
  {
    key: "kim",
    provider: { first_name: "Grace", last_name: "Kim", title: "RDH", role: "hygienist" },
    works: [
      {
        location: mainStreet,
        days: ["tuesday", "wednesday", "thursday", "friday"],
        start: "10:00",
        end: "18:00",
        lunch: true,
      },
      { location: mainStreet, days: ["saturday"], start: "08:00", end: "13:00", lunch: false },
    ],
  },
  {
    key: "oconnor",
    provider: { first_name: "Liam", last_name: "O'Connor", title: "RDH", role: "hygienist" },
    works: [
      {
        location: brooklyn,
        days: ["monday", "tuesday", "wednesday", "thursday"],
        start: "08:00",
        end: "16:00",
        lunch: true,
      },
      { location: chicago, days: ["friday"], start: "08:00", end: "16:00", lunch: true },
    ],
  },
  {
    key: "weiss",
    provider: { first_name: "Hannah", last_name: "Weiss", title: "RDH", role: "hygienist" },
    works: [{ location: chicago, days: WEEKDAYS, start: "08:00", end: "16:30", lunch: true }],
  },
  {
    key: "brooks",
    provider: { first_name: "Walter", last_name: "Brooks", title: "DDS", role: "dentist" },
    works: [],
    is_active: false, // retired: listed, but never bookable
  },
];

export const PROVIDER_UUIDS: Readonly<Record<string, string>> = Object.fromEntries(
  STAFF.map((member) => [
    member.key,
    member.key === "chen" ? GUIDE_UUIDS.michaelChen : stableUuid(`provider:${member.key}`),
  ]),
);

function uuidOf(key: string): string {
  const uuid = PROVIDER_UUIDS[key];
  if (!uuid) throw new Error(`no provider ${key}`);
  return uuid;
}

export const DEMO_PROVIDERS: readonly ProviderRecord[] = STAFF.map((member) => ({
  uuid: uuidOf(member.key),
  ...member.provider,
  location_uuids: [...new Set(member.works.map((work) => work.location))],
  is_active: member.is_active ?? true,
}));

export const DEMO_SHIFTS: readonly ShiftRecord[] = STAFF.flatMap((member) =>
  member.works.flatMap((work) =>
    work.days.map((day) => ({
      provider_uuid: uuidOf(member.key),
      location_uuid: work.location,
      day,
      start: work.start,
      end: work.end,
      breaks: work.lunch ? LUNCH.map((b) => ({ ...b })) : [],
    })),
  ),
);

function type(
  code: string,
  name: string,
  duration: number,
  color: string,
  extra: Partial<AppointmentTypeRecord> = {},
): AppointmentTypeRecord {
  return {
    uuid: stableUuid(`appointment-type:${code}`),
    code,
    name,
    duration_minutes: duration,
    color,
    requires_exam: false,
    is_active: true,
    provider_roles: ["dentist"],
    ...extra,
  };
}

export const DEMO_APPOINTMENT_TYPES: readonly AppointmentTypeRecord[] = [
  ...GUIDE_APPOINTMENT_TYPES,
  type("PER", "Periodic Exam", 30, "#0ea5e9", { requires_exam: true }),
  type("FIL", "Filling", 60, "#f59e0b"),
  type("CRN", "Crown Prep", 90, "#7c3aed"),
  type("RCT", "Root Canal", 90, "#b91c1c"),
  type("SRP", "Scaling & Root Planing", 60, "#10b981", { provider_roles: ["hygienist"] }),
  type("WHT", "Teeth Whitening", 60, "#f472b6", { is_active: false }),
];
