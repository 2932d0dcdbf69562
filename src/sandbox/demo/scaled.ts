/**
 * Large generated practices for benchmarks: `providers` providers working every day 06:00-22:00,
 * spread over as many locations as needed, with `appointments` non-conflicting appointments over
 * the `days` days after today. Every location has one operatory per provider working there, so
 * operatories never limit how many appointments fit.
 */
import type { Weekday } from "../../contract/index.js";
import type {
  AppointmentTypeRecord,
  EpochMs,
  LocationRecord,
  PracticeData,
  ProviderRecord,
  ShiftRecord,
} from "../domain/model.js";
import { prepareSnapshot } from "../domain/rules.js";
import { addDays, localDate } from "../domain/time.js";
import { AppointmentBook, typesFor } from "./appointments.js";
import { DEMO_APPOINTMENT_TYPES } from "./catalog.js";
import { DEMO_ORG_UUID, GUIDE_UUIDS } from "./guide.js";
import { MAX_PATIENTS, generatePatients } from "./patients.js";
import { createRandom, stableUuid } from "./random.js";

const WEEK: readonly Weekday[] = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
const ZONES = ["America/Los_Angeles", "America/New_York", "America/Chicago", "America/Denver", "America/Phoenix"];
const PROVIDERS_PER_LOCATION = 8;
const MINUTE_MS = 60_000;
const FIRST_NAMES = ["Alex", "Jordan", "Taylor", "Morgan", "Casey", "Riley", "Avery", "Quinn", "Rowan", "Sasha"];
const LAST_NAMES = [
  "Reyes",
  "Nakamura",
  "Fischer",
  "Haddad",
  "Kowalczyk",
  "Osei",
  "Lindqvist",
  "Moreau",
  "Banerjee",
  "Costa",
];

export interface ScaledOptions {
  providers: number;
  days: number;
  appointments: number;
}

export function buildScaledPractice(now: EpochMs, options: ScaledOptions): PracticeData {
  const { providers: providerCount, days, appointments: appointmentCount } = options;
  for (const [name, value] of Object.entries(options)) {
    if (!Number.isInteger(value) || value < 0)
      throw new RangeError(`${name} must be a whole number of at least 0, got ${value}`);
  }
  if (providerCount < 1 || days < 1) throw new RangeError("providers and days must be at least 1");

  const locationCount = Math.ceil(providerCount / PROVIDERS_PER_LOCATION);
  const providers: ProviderRecord[] = Array.from({ length: providerCount }, (_, i) => {
    const role = i % 3 === 2 ? "hygienist" : "dentist";
    return {
      uuid: i === 0 ? GUIDE_UUIDS.michaelChen : stableUuid(`scaled:provider:${i}`),
      first_name: i === 0 ? "Michael" : (FIRST_NAMES[i % FIRST_NAMES.length] as string),
      last_name:
        i === 0 ? "Chen" : `${LAST_NAMES[Math.floor(i / FIRST_NAMES.length) % LAST_NAMES.length] as string}-${i}`,
      title: role === "dentist" ? "DDS" : "RDH",
      role,
      location_uuids: [locationUuid(i % locationCount)],
      is_active: true,
    };
  });
  const locations: LocationRecord[] = Array.from({ length: locationCount }, (_, l) => {
    const staff = providers.filter((_, i) => i % locationCount === l).length;
    return {
      uuid: locationUuid(l),
      name: l === 0 ? "Main Street Dental" : `Scaled Dental ${l + 1}`,
      address: {
        line1: `${100 + l} Main Street`,
        city: "Springfield",
        region: "CA",
        postal_code: "94105",
        country: "US",
      },
      phone: null,
      timezone: ZONES[l % ZONES.length] as string,
      operatories: Array.from({ length: staff }, (_, o) => ({
        uuid: stableUuid(`scaled:operatory:${l}:${o}`),
        name: `Operatory ${o + 1}`,
      })),
      opening_hours: WEEK.map((day) => ({ day, open: "06:00", close: "22:00" })),
    };
  });
  const shifts: ShiftRecord[] = providers.flatMap((p) =>
    WEEK.map((day) => ({
      provider_uuid: p.uuid,
      location_uuid: p.location_uuids[0] as string,
      day,
      start: "06:00",
      end: "22:00",
      breaks: [{ start: "12:00", end: "12:30" }],
    })),
  );
  const patients = generatePatients(
    Math.min(MAX_PATIENTS, Math.max(300, Math.ceil(appointmentCount / 5))),
    providers.map((p) => p.uuid),
  );
  const snapshot = { locations, providers, shifts, timeOff: [], closures: [], bookings: [] };
  const schedule = prepareSnapshot(snapshot);
  const random = createRandom(`scaled:${providerCount}:${days}:${appointmentCount}`);
  const book = new AppointmentBook(schedule, random, now);

  // Spread the appointments evenly over provider-days, then pack each day from the shift start.
  const providerDays = providerCount * days;
  for (let d = 0; d < days; d++) {
    for (const [i, provider] of providers.entries()) {
      const index = d * providerCount + i;
      const wanted = Math.floor(appointmentCount / providerDays) + (index < appointmentCount % providerDays ? 1 : 0);
      const location = locations[i % locationCount] as LocationRecord;
      const date = addDays(localDate(now, location.timezone), d + 1);
      const placed = packDay(
        book,
        schedule.dayPlan(location, date).shifts.get(provider.uuid) ?? [],
        provider,
        location,
        wanted,
        typesFor(provider, DEMO_APPOINTMENT_TYPES),
        patients,
        random,
      );
      if (placed < wanted) {
        throw new RangeError(
          `${appointmentCount} appointments do not fit ${providerCount} providers over ${days} days ` +
            `(${provider.role}s fit about ${placed} a day); ask for fewer appointments or more providers or days`,
        );
      }
    }
  }

  return {
    org: { uuid: DEMO_ORG_UUID, name: `Scaled practice (${providerCount} providers)` },
    locations,
    providers,
    appointmentTypes: DEMO_APPOINTMENT_TYPES.map((t) => ({ ...t, provider_roles: [...t.provider_roles] })),
    shifts,
    timeOff: [],
    closures: [],
    patients,
    appointments: book.appointments,
  };
}

function locationUuid(index: number): string {
  return index === 0 ? GUIDE_UUIDS.mainStreetDental : stableUuid(`scaled:location:${index}`);
}

/** Books `wanted` appointments back to back (with a little slack when there is room); returns how many fit. */
function packDay(
  book: AppointmentBook,
  windows: readonly { start: EpochMs; end: EpochMs; breaks: readonly { start: EpochMs; end: EpochMs }[] }[],
  provider: ProviderRecord,
  location: LocationRecord,
  wanted: number,
  types: readonly AppointmentTypeRecord[],
  patients: PracticeData["patients"],
  random: ReturnType<typeof createRandom>,
): number {
  const shortest = [...types].sort((a, b) => a.duration_minutes - b.duration_minutes)[0];
  if (!shortest || wanted === 0) return 0;
  const short = types.filter((t) => t.duration_minutes <= 60);
  let placed = 0;
  for (const window of windows) {
    let cursor = window.start;
    while (placed < wanted && cursor < window.end) {
      const tight = window.end - cursor < (wanted - placed) * 60 * MINUTE_MS;
      const type = tight ? shortest : random.pick(short);
      const candidate = {
        provider_uuid: provider.uuid,
        location_uuid: location.uuid,
        start: cursor,
        end: cursor + type.duration_minutes * MINUTE_MS,
      };
      const lunch = window.breaks.find((b) => b.start < candidate.end && candidate.start < b.end);
      if (lunch) {
        cursor = lunch.end;
        continue;
      }
      if (book.tryBook(candidate, type, patients) ?? book.tryBook(candidate, type, patients)) {
        placed++;
        cursor = candidate.end + (tight || !random.chance(0.2) ? 0 : 15 * MINUTE_MS);
      } else {
        cursor += 15 * MINUTE_MS;
      }
    }
  }
  return placed;
}
