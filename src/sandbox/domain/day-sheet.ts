/**
 * The free gaps of one local day, per operatory (chair) and per provider: the time each could be booked
 * (the same rules as bookability: a chair within the location's opening hours, a provider within a shift
 * and the opening hours, outside breaks and time off, not on a closed day) minus the bookings that
 * occupy it. Pure interval arithmetic over a ScheduleSnapshot; the services turn instants into local times.
 */
import type { BookingRecord, Interval, LocationRecord, ScheduleSnapshot } from "./model.js";
import { type DayPlan, PreparedSchedule } from "./schedule.js";

export interface ResourceDay {
  location_uuid: string;
  /** When it can be booked that day, sorted and disjoint. */
  working: Interval[];
  /** The working time no booking occupies, sorted and disjoint. */
  free: Interval[];
}

export interface DayGaps {
  operatories: (ResourceDay & { operatory_uuid: string })[];
  providers: (ResourceDay & { provider_uuid: string })[];
}

export interface DayGapsRequest {
  /** The local date, at each location. */
  date: string;
  location_uuids: readonly string[];
  /** Only these providers; omitted: every active provider with a shift at one of the locations that day. */
  provider_uuids?: readonly string[];
}

/** Sorted, disjoint intervals covering the same instants as `intervals` (empty ones dropped). */
export function normalize(intervals: readonly Interval[]): Interval[] {
  const sorted = intervals.filter((i) => i.end > i.start).sort((a, b) => a.start - b.start);
  const merged: Interval[] = [];
  for (const interval of sorted) {
    const last = merged.at(-1);
    if (last && interval.start <= last.end) last.end = Math.max(last.end, interval.end);
    else merged.push({ start: interval.start, end: interval.end });
  }
  return merged;
}

/** The instants in both `a` and `b`. */
export function intersect(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  const left = normalize(a);
  const right = normalize(b);
  const both: Interval[] = [];
  for (let i = 0, j = 0; i < left.length && j < right.length;) {
    const x = left[i] as Interval;
    const y = right[j] as Interval;
    const start = Math.max(x.start, y.start);
    const end = Math.min(x.end, y.end);
    if (end > start) both.push({ start, end });
    if (x.end < y.end) i++;
    else j++;
  }
  return both;
}

/** The instants of `from` in none of `remove`. */
export function subtract(from: readonly Interval[], remove: readonly Interval[]): Interval[] {
  const holes = normalize(remove);
  const left: Interval[] = [];
  for (const interval of normalize(from)) {
    let cursor = interval.start;
    for (const hole of holes) {
      if (hole.end <= cursor) continue;
      if (hole.start >= interval.end) break;
      if (hole.start > cursor) left.push({ start: cursor, end: hole.start });
      cursor = Math.max(cursor, hole.end);
    }
    if (cursor < interval.end) left.push({ start: cursor, end: interval.end });
  }
  return left;
}

/** A chair can be booked while the location is open, unless it is closed that day. */
export function operatoryWorkingTime(plan: DayPlan): Interval[] {
  return plan.closure ? [] : normalize(plan.opening);
}

/**
 * A provider can be booked at the location within a shift and the opening hours, outside the shift's
 * breaks and the provider's time off; nothing on a closed day or for an inactive provider.
 */
export function providerWorkingTime(snapshot: ScheduleSnapshot, plan: DayPlan, providerUuid: string): Interval[] {
  const provider = snapshot.providers.find((p) => p.uuid === providerUuid);
  if (plan.closure || !provider?.is_active) return [];
  const windows = plan.shifts.get(providerUuid) ?? [];
  // Each shift without its own breaks (a provider's shifts of one day do not overlap in any real schedule;
  // the booking rule would judge an overlap by the first shift alone).
  const shifts = normalize(windows.flatMap((window) => subtract([window], window.breaks)));
  const away = snapshot.timeOff.filter((off) => off.provider_uuid === providerUuid);
  return subtract(intersect(shifts, plan.opening), away);
}

/**
 * Each operatory's and each provider's working time and free gaps on `request.date` at the locations
 * asked for. Providers follow the locations' order, then the order of the snapshot's providers; a
 * provider working at two of the locations that day has an entry for each. Bookings: the snapshot's
 * non-cancelled ones (a provider's bookings elsewhere occupy them too).
 */
export function dayGaps(snapshot: ScheduleSnapshot, request: DayGapsRequest): DayGaps {
  const schedule = new PreparedSchedule(snapshot);
  const bookings = snapshot.bookings.filter((booking) => booking.status !== "cancelled");
  const occupied = (matches: (booking: BookingRecord) => boolean) => bookings.filter(matches);
  const locations = request.location_uuids.flatMap((uuid) => schedule.locations.get(uuid) ?? []);
  const gaps: DayGaps = { operatories: [], providers: [] };
  for (const location of locations) {
    const plan = schedule.dayPlan(location, request.date);
    const chairTime = operatoryWorkingTime(plan);
    for (const operatory of location.operatories) {
      const taken = occupied((booking) => booking.operatory_uuid === operatory.uuid);
      gaps.operatories.push({ operatory_uuid: operatory.uuid, ...resourceDay(location, chairTime, taken) });
    }
    for (const providerUuid of providersOf(snapshot, plan, request.provider_uuids)) {
      const taken = occupied((booking) => booking.provider_uuid === providerUuid);
      const working = providerWorkingTime(snapshot, plan, providerUuid);
      gaps.providers.push({ provider_uuid: providerUuid, ...resourceDay(location, working, taken) });
    }
  }
  return gaps;
}

function providersOf(snapshot: ScheduleSnapshot, plan: DayPlan, asked: readonly string[] | undefined): string[] {
  if (asked !== undefined) return asked.filter((uuid) => plan.shifts.has(uuid));
  return snapshot.providers.filter((p) => p.is_active && plan.shifts.has(p.uuid)).map((p) => p.uuid);
}

function resourceDay(location: LocationRecord, working: Interval[], taken: readonly Interval[]): ResourceDay {
  return { location_uuid: location.uuid, working, free: subtract(working, taken) };
}
