/** Turns a PracticeData (demo seed, test org) into storage rows: search keys, E.164 phones, local dates. */
import type { PracticeData } from "../domain/model.js";
import { MAX_HORIZON_MONTHS } from "../domain/schedule.js";
import { localDate } from "../domain/time.js";
import type { PracticeRows } from "../storage/storage.js";
import { toPatientRow } from "./patients.js";

export function toPracticeRows(data: PracticeData): PracticeRows {
  const months = data.org.booking_horizon_months;
  if (months !== undefined && (!Number.isInteger(months) || months < 1 || months > MAX_HORIZON_MONTHS)) {
    throw new RangeError(
      `booking_horizon_months must be a whole number from 1 to ${MAX_HORIZON_MONTHS}, got ${months}`,
    );
  }
  const timezoneOf = new Map(data.locations.map((l) => [l.uuid, l.timezone]));
  return {
    org: data.org,
    locations: data.locations,
    providers: data.providers,
    appointmentTypes: data.appointmentTypes,
    shifts: data.shifts,
    timeOff: data.timeOff,
    closures: data.closures,
    patients: data.patients.map(toPatientRow),
    appointments: data.appointments.map((a) => ({
      ...a,
      local_date: localDate(a.start, timezoneOf.get(a.location_uuid) ?? "UTC"),
    })),
  };
}
