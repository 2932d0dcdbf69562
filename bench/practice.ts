/**
 * The practice the PMS benchmarks run on (buildScaledPractice: 20 providers over 3 locations, 14 days,
 * 5,000 appointments, a fixed "now"), the availability query of issue 13, and booking bodies chosen so that
 * every one of them succeeds whatever order concurrent requests commit in.
 */
import { DateTime } from "luxon";
import { Availability, type AppointmentCreate, type Slot } from "../src/contract/index.js";
import { buildScaledPractice } from "../src/sandbox/demo/index.js";
import type { PracticeData } from "../src/sandbox/domain/model.js";

export const NOW = Date.parse("2026-03-02T15:00:00Z");
export const FIRST_DAY = "2026-03-03";
const SEEDED_DAYS = 14;

export interface ScaledPractice {
  data: PracticeData;
  /** New Patient Exam: 60 minutes, dentists only. */
  type: PracticeData["appointmentTypes"][number];
  /** GET /schedule/availability: 7 days, all providers and locations, limit 50. */
  availabilityQuery: URLSearchParams;
}

export function scaledPractice(): ScaledPractice {
  const data = buildScaledPractice(NOW, { providers: 20, days: SEEDED_DAYS, appointments: 5000 });
  const type = data.appointmentTypes.find((t) => t.is_active && t.provider_roles.includes("dentist"));
  if (!type) throw new Error("the scaled practice has no active type for dentists");
  const availabilityQuery = new URLSearchParams({
    appointment_type_uuid: type.uuid,
    start_date: FIRST_DAY,
    end_date: addDays(FIRST_DAY, 6),
    limit: "50",
  });
  return { data, type, availabilityQuery };
}

function addDays(date: string, days: number): string {
  return DateTime.fromISO(date, { zone: "UTC" }).plus({ days }).toISODate()!;
}

/** The first local date after the seeded appointments. */
export const FIRST_UNSEEDED_DAY = addDays(FIRST_DAY, SEEDED_DAYS);

interface Busy {
  start: number;
  end: number;
}

class Calendar {
  private readonly busy = new Map<string, Busy[]>();
  isFree(key: string, span: Busy): boolean {
    return !(this.busy.get(key) ?? []).some((b) => b.start < span.end && span.start < b.end);
  }
  add(key: string, span: Busy): void {
    const list = this.busy.get(key);
    if (list) list.push(span);
    else this.busy.set(key, [span]);
  }
}

/**
 * Booking bodies that all succeed, in any commit order. Why this is needed: a body without operatory_uuid
 * gets the first operatory free at commit time, and the seed leaves each location's operatories fragmented
 * (gaps of different lengths in each), so two bookings at one location whose slots were each offered "a free
 * operatory" may need the same one: whichever commits second finds no operatory free for its whole hour and
 * gets 409 slot_unavailable ("Every operatory at … is in use"). That is what 10 of 162 bodies hit on every
 * run of the old bench. So each body here names its operatory, one free against the seed and against every
 * other body chosen; bodies never overlap for one provider, nor for one patient (the sandbox does not check
 * patients today, but a practice would).
 *
 * Slots come from the sandbox's own availability answers (which know shifts, breaks, opening hours and
 * provider bookings), day by day and location by location from FIRST_DAY, until `count` bodies are found:
 * first the free slots left in the 14 seeded days, then the empty days after them.
 */
export async function bookingBodies(
  practice: ScaledPractice,
  count: number,
  availability: (query: URLSearchParams) => Promise<unknown>,
): Promise<AppointmentCreate[]> {
  const { data, type } = practice;
  const calendar = new Calendar();
  for (const a of data.appointments) {
    if (a.status === "cancelled") continue;
    calendar.add(`operatory:${a.operatory_uuid}`, a);
    calendar.add(`patient:${a.patient_uuid}`, a);
  }
  const operatoriesOf = new Map(data.locations.map((l) => [l.uuid, l.operatories.map((o) => o.uuid)]));
  const patients = data.patients.map((p) => p.uuid);
  let nextPatient = 0;
  const bodies: AppointmentCreate[] = [];

  const choose = (slot: Slot) => {
    const span = {
      start: DateTime.fromISO(slot.scheduled_start, { zone: slot.timezone }).toMillis(),
      end: DateTime.fromISO(slot.scheduled_end, { zone: slot.timezone }).toMillis(),
    };
    if (!calendar.isFree(`provider:${slot.provider.uuid}`, span)) return;
    const operatory = (operatoriesOf.get(slot.location.uuid) ?? []).find((o) =>
      calendar.isFree(`operatory:${o}`, span),
    );
    if (operatory === undefined) return;
    for (let tries = 0; tries < patients.length; tries++) {
      const patient = patients[nextPatient++ % patients.length]!;
      if (!calendar.isFree(`patient:${patient}`, span)) continue;
      for (const key of [`provider:${slot.provider.uuid}`, `operatory:${operatory}`, `patient:${patient}`]) {
        calendar.add(key, span);
      }
      bodies.push({
        patient_uuid: patient,
        appointment_type_uuid: type.uuid,
        location_uuid: slot.location.uuid,
        provider_uuid: slot.provider.uuid,
        operatory_uuid: operatory,
        scheduled_start: slot.scheduled_start,
      });
      return;
    }
  };

  const MAX_DAYS = 90;
  for (let day = 0; bodies.length < count && day < MAX_DAYS; day++) {
    const date = addDays(FIRST_DAY, day);
    for (const location of data.locations) {
      const query = new URLSearchParams({
        appointment_type_uuid: type.uuid,
        location_uuid: location.uuid,
        start_date: date,
        end_date: date,
        limit: "500",
      });
      for (const slot of Availability.parse(await availability(query)).slots) choose(slot);
    }
  }
  if (bodies.length < count) {
    throw new Error(`only ${bodies.length} conflict-free bookings found in ${MAX_DAYS} days, ${count} wanted`);
  }
  return bodies.slice(0, count);
}
