/**
 * The demo practice: the guide's records plus a realistic multi-location practice around them,
 * with dates relative to `now` (each location's local "today"). Deterministic: the same `now`
 * always gives the same practice.
 */
import { findSlots } from "../domain/availability.js";
import type {
  AppointmentTypeRecord,
  ClosureRecord,
  EpochMs,
  LocationRecord,
  PracticeData,
  ScheduleSnapshot,
  TimeOffRecord,
} from "../domain/model.js";
import { type PreparedSchedule, prepareSnapshot } from "../domain/rules.js";
import { addDays, localDate, startOfLocalDay, wallClockToInstant } from "../domain/time.js";
import { AppointmentBook, typesFor } from "./appointments.js";
import {
  DEMO_APPOINTMENT_TYPES,
  DEMO_LOCATIONS,
  DEMO_PROVIDERS,
  DEMO_SHIFTS,
  LOCATION_UUIDS,
  PROVIDER_UUIDS,
} from "./catalog.js";
import { DEMO_ORG_UUID, GUIDE_PATIENTS, GUIDE_UUIDS } from "./guide.js";
import { generatePatients } from "./patients.js";
import { type Random, createRandom, stableUuid } from "./random.js";

const PATIENT_COUNT = 320;
const HISTORY_DAYS = 7;
const FUTURE_DAYS = 28;
const MINUTE_MS = 60_000;
/** Share of working time already booked. Dr. Chen is kept lighter so new patients can see him soon. */
const FILL = { chen: 0.4, others: [0.45, 0.6] } as const;

function location(uuid: string): LocationRecord {
  const found = DEMO_LOCATIONS.find((l) => l.uuid === uuid);
  if (!found) throw new Error(`no demo location ${uuid}`);
  return found;
}

function provider(key: string): string {
  const uuid = PROVIDER_UUIDS[key];
  if (!uuid) throw new Error(`no demo provider ${key}`);
  return uuid;
}

const today = (loc: LocationRecord, now: EpochMs) => localDate(now, loc.timezone);

function timeOff(now: EpochMs): TimeOffRecord[] {
  const brooklyn = location(LOCATION_UUIDS.brooklyn);
  const mainStreet = location(LOCATION_UUIDS.mainStreet);
  const chicago = location(LOCATION_UUIDS.chicago);
  const day = (loc: LocationRecord, offset: number) => addDays(today(loc, now), offset);
  const at = (loc: LocationRecord, offset: number, hhmm: string) =>
    wallClockToInstant(day(loc, offset), hhmm, loc.timezone) ?? startOfLocalDay(day(loc, offset), loc.timezone);
  return [
    {
      uuid: stableUuid("time-off:novak-vacation"),
      provider_uuid: provider("novak"),
      start: startOfLocalDay(day(brooklyn, 15), brooklyn.timezone),
      end: startOfLocalDay(day(brooklyn, 20), brooklyn.timezone),
      reason: "Vacation",
    },
    {
      uuid: stableUuid("time-off:kim-conference"),
      provider_uuid: provider("kim"),
      start: at(mainStreet, 6, "13:00"),
      end: at(mainStreet, 6, "18:00"),
      reason: "Dental hygiene conference",
    },
    {
      uuid: stableUuid("time-off:delgado-ce"),
      provider_uuid: provider("delgado"),
      start: startOfLocalDay(day(chicago, 3), chicago.timezone),
      end: startOfLocalDay(day(chicago, 4), chicago.timezone),
      reason: "Continuing education course",
    },
  ];
}

function closures(now: EpochMs): ClosureRecord[] {
  const brooklyn = location(LOCATION_UUIDS.brooklyn);
  const mainStreet = location(LOCATION_UUIDS.mainStreet);
  return [
    { location_uuid: brooklyn.uuid, date: addDays(today(brooklyn, now), 11), reason: "Building maintenance" },
    { location_uuid: mainStreet.uuid, date: addDays(today(mainStreet, now), 20), reason: "Staff training day" },
  ];
}

export function buildDemoPractice(now: EpochMs): PracticeData {
  const random = createRandom("demo:appointments");
  const providers = DEMO_PROVIDERS.map((p) => ({ ...p, location_uuids: [...p.location_uuids] }));
  const activeProviderUuids = providers.filter((p) => p.is_active).map((p) => p.uuid);
  const patients = generatePatients(PATIENT_COUNT, activeProviderUuids);
  const snapshot: ScheduleSnapshot = {
    locations: DEMO_LOCATIONS.map((l) => structuredClone(l)),
    providers,
    shifts: DEMO_SHIFTS.map((s) => structuredClone(s)),
    timeOff: timeOff(now),
    closures: closures(now),
    bookings: [],
  };
  const schedule = prepareSnapshot(snapshot);
  const book = new AppointmentBook(schedule, random, now);
  // The guide's patients keep a clean record, so the guide's walkthrough reads as written.
  const bookable = patients.filter((p) => p.uuid !== GUIDE_UUIDS.janeSmith && p.uuid !== GUIDE_UUIDS.jonathanSmith);

  for (let offset = -HISTORY_DAYS; offset < FUTURE_DAYS; offset++) {
    for (const loc of snapshot.locations) {
      const plan = schedule.dayPlan(loc, addDays(today(loc, now), offset));
      if (plan.closure) continue;
      for (const prov of providers) {
        const types = typesFor(prov, DEMO_APPOINTMENT_TYPES);
        const fill =
          prov.uuid === GUIDE_UUIDS.michaelChen
            ? FILL.chen
            : FILL.others[0] + random.next() * (FILL.others[1] - FILL.others[0]);
        for (const window of plan.shifts.get(prov.uuid) ?? []) {
          const breakMinutes = window.breaks.reduce((sum, b) => sum + (b.end - b.start), 0) / MINUTE_MS;
          const workMinutes = (window.end - window.start) / MINUTE_MS - breakMinutes;
          let booked = 0;
          for (let attempt = 0; attempt < 60 && booked < fill * workMinutes; attempt++) {
            const chosen = pickType(types, random);
            if (!chosen) break;
            const quarters = Math.floor(((window.end - window.start) / MINUTE_MS - chosen.duration_minutes) / 15);
            if (quarters < 0) continue;
            const start = window.start + random.int(0, quarters) * 15 * MINUTE_MS;
            const candidate = {
              provider_uuid: prov.uuid,
              location_uuid: loc.uuid,
              start,
              end: start + chosen.duration_minutes * MINUTE_MS,
            };
            const record = book.tryBook(candidate, chosen, bookable);
            if (record && record.status !== "cancelled") booked += chosen.duration_minutes;
          }
        }
      }
    }
  }
  bookJonathansCleaning(book, schedule, now);

  return {
    org: { uuid: DEMO_ORG_UUID, name: "Smile Bright Dental Group" },
    locations: snapshot.locations,
    providers,
    appointmentTypes: DEMO_APPOINTMENT_TYPES.map((t) => ({ ...t, provider_roles: [...t.provider_roles] })),
    shifts: snapshot.shifts,
    timeOff: snapshot.timeOff,
    closures: snapshot.closures,
    patients,
    appointments: book.appointments.sort((a, b) => a.start - b.start || a.uuid.localeCompare(b.uuid)),
  };
}

/** How common each type is in a day's book (types not listed: weight 1). */
const TYPE_WEIGHTS: Readonly<Record<string, number>> = {
  HYG: 8,
  SRP: 2,
  PER: 6,
  FIL: 5,
  NPE: 2,
  EMG: 1,
  CRN: 2,
  RCT: 2,
};

function pickType(types: readonly AppointmentTypeRecord[], random: Random): AppointmentTypeRecord | undefined {
  const total = types.reduce((sum, t) => sum + (TYPE_WEIGHTS[t.code] ?? 1), 0);
  let roll = random.next() * total;
  return types.find((t) => (roll -= TYPE_WEIGHTS[t.code] ?? 1) < 0) ?? types.at(-1);
}

/** Jonathan Smith has his next cleaning with Sofía Ramírez at Main Street in about ten days. */
function bookJonathansCleaning(book: AppointmentBook, schedule: PreparedSchedule, now: EpochMs): void {
  const mainStreet = location(LOCATION_UUIDS.mainStreet);
  const hygiene = DEMO_APPOINTMENT_TYPES.find((t) => t.uuid === GUIDE_UUIDS.hygiene);
  const jonathan = GUIDE_PATIENTS.find((p) => p.uuid === GUIDE_UUIDS.jonathanSmith);
  if (!hygiene || !jonathan) return;
  const first = addDays(today(mainStreet, now), 9);
  const { slots } = findSlots(schedule, {
    duration_minutes: hygiene.duration_minutes,
    provider_uuids: [provider("ramirez")],
    location_uuids: [mainStreet.uuid],
    start_date: first,
    end_date: addDays(first, 6),
    step_minutes: 15,
    limit: 1,
    now,
  });
  const slot = slots[0];
  if (slot) book.tryBook(slot, hygiene, [jonathan]);
}
