/**
 * Availability: bookable slots for a duration across providers and locations over a range of local
 * dates. Candidates come from the providers' shifts and are judged by the booking rule itself
 * (rules.ts `evaluate`), so every slot returned can be booked as returned.
 *
 * DST: candidate starts are wall-clock readings stepped from the shift's start ("08:00, 08:15, …").
 * A reading inside a spring-forward gap does not exist and yields no slot. A slot is only offered
 * when both its start and end can be written unambiguously as local times (each reading resolves
 * back to that very instant; ambiguous readings mean the first occurrence). So in a fall-back
 * night's repeated hour, slots are offered once, during its first (daylight-time) occurrence; slots
 * starting or ending in the second occurrence are not offered, as the API could not address them.
 */
import type { EpochMs, ScheduleSnapshot } from "./model.js";
import { type DayPlan, type PreparedSchedule, type ShiftWindow, asPrepared } from "./schedule.js";
import { evaluate } from "./rules.js";
import { addDays, daysBetween, formatLocalDateTime, startOfLocalDay, wallClockToInstant } from "./time.js";

export interface SlotRequest {
  duration_minutes: number;
  provider_uuids: string[];
  location_uuids: string[];
  /** First and last local dates searched (inclusive), local to each location. */
  start_date: string;
  end_date: string;
  step_minutes: number;
  limit: number;
  now: EpochMs;
  /** The asker's own hold: its slot is offered to them. */
  own_hold_uuid?: string;
}

export interface FoundSlot {
  start: EpochMs;
  end: EpochMs;
  provider_uuid: string;
  location_uuid: string;
  operatory_uuid: string;
}

const MINUTE_MS = 60_000;

/**
 * Slots in chronological order, ties broken by the order of `provider_uuids`, then of
 * `location_uuids`; at most `limit`, with `has_more` when more exist. Unknown or inactive providers
 * and unknown locations contribute nothing. Throws RangeError on a non-positive duration or step, a
 * negative limit or a malformed date (callers validate requests before this point).
 */
export function findSlots(
  schedule: ScheduleSnapshot | PreparedSchedule,
  request: SlotRequest,
): { slots: FoundSlot[]; has_more: boolean } {
  const search = searchByDate(asPrepared(schedule), request);
  let step = search.next();
  while (!step.done) step = search.next();
  return step.value;
}

/**
 * findSlots with the bookings loaded a date at a time: `loadDate(date)` is awaited before each local date is
 * searched, and adds that date's bookings (and anything else that occupies a resource then) to `prepared`.
 * Most searches are settled on their first date, so later dates are never loaded.
 */
export async function findSlotsLoadingDates(
  prepared: PreparedSchedule,
  request: SlotRequest,
  loadDate: (date: string) => Promise<void>,
): Promise<{ slots: FoundSlot[]; has_more: boolean }> {
  const search = searchByDate(prepared, request);
  let step = search.next();
  while (!step.done) {
    await loadDate(step.value);
    step = search.next();
  }
  return step.value;
}

/** The search, yielding each local date just before it is searched, and returning the slots found. */
function* searchByDate(
  prepared: PreparedSchedule,
  request: SlotRequest,
): Generator<string, { slots: FoundSlot[]; has_more: boolean }, void> {
  assertRequest(request);
  // Each named once: a (start, provider, location) is offered once however often the request names them.
  const locations = [...new Set(request.location_uuids)].flatMap((uuid) => prepared.locations.get(uuid) ?? []);
  const providers = [...new Set(request.provider_uuids)].filter((uuid) => prepared.providers.get(uuid)?.is_active);
  const days = daysBetween(request.start_date, request.end_date);
  const found: FoundSlot[] = [];

  for (let offset = 0; offset <= days; offset++) {
    const date = addDays(request.start_date, offset);
    const nextDate = addDays(date, 1);
    yield date;
    let settledBefore = Infinity;
    for (const location of locations) {
      const dayEnd = startOfLocalDay(nextDate, location.timezone);
      settledBefore = Math.min(settledBefore, dayEnd);
      if (dayEnd <= request.now) continue;
      const plan = prepared.dayPlan(location, date);
      if (plan.closure) continue;
      for (const providerUuid of providers) {
        const windows = plan.shifts.get(providerUuid) ?? [];
        // Two shifts of a provider on one day may overlap: a start they share is judged once (the verdict and
        // whether its end is addressable do not depend on the shift it came from).
        const judged = windows.length > 1 ? new Set<EpochMs>() : undefined;
        for (const window of windows) {
          // The end of the provider's booking that an earlier start of this window overlapped: every start before
          // it overlaps that booking too (starts come in order, all of one duration), so it cannot be bookable.
          let busyUntil = -Infinity;
          for (const start of candidateStarts(plan, window, request.step_minutes)) {
            const end = start + request.duration_minutes * MINUTE_MS;
            if (start < request.now || start < busyUntil) continue;
            if (judged) {
              if (judged.has(start)) continue;
              judged.add(start);
            }
            // Most candidates of a busy day fall on the provider's own bookings, which the rule refuses whatever
            // else holds: found here, from the same timeline the rule reads, without building a verdict.
            const busy = prepared.providerConflict(providerUuid, start, end);
            if (busy) {
              busyUntil = busy.end;
              continue;
            }
            const candidate = {
              provider_uuid: providerUuid,
              location_uuid: location.uuid,
              start,
              end,
              own_hold_uuid: request.own_hold_uuid,
            };
            const verdict = evaluate(prepared, candidate, request.now, plan);
            if (!verdict.ok || !addressable(end, location.timezone, window)) continue;
            found.push({
              provider_uuid: providerUuid,
              location_uuid: location.uuid,
              start,
              end,
              operatory_uuid: verdict.operatory_uuid,
            });
          }
        }
      }
    }
    // No later date can produce a slot before the earliest next-day start among the locations.
    if (countBefore(found, settledBefore) > request.limit) break;
  }

  const providerRank = new Map(request.provider_uuids.map((uuid, index) => [uuid, index]));
  const locationRank = new Map(request.location_uuids.map((uuid, index) => [uuid, index]));
  found.sort(
    (a, b) =>
      a.start - b.start ||
      (providerRank.get(a.provider_uuid) ?? 0) - (providerRank.get(b.provider_uuid) ?? 0) ||
      (locationRank.get(a.location_uuid) ?? 0) - (locationRank.get(b.location_uuid) ?? 0),
  );
  return { slots: found.slice(0, request.limit), has_more: found.length > request.limit };
}

function assertRequest(request: SlotRequest): void {
  const positive = (value: number, name: string) => {
    if (!Number.isInteger(value) || value <= 0)
      throw new RangeError(`${name} must be a positive whole number, got ${value}`);
  };
  positive(request.duration_minutes, "duration_minutes");
  positive(request.step_minutes, "step_minutes");
  if (!Number.isInteger(request.limit) || request.limit < 0) {
    throw new RangeError(`limit must be a whole number of at least 0, got ${request.limit}`);
  }
}

function countBefore(slots: FoundSlot[], instant: EpochMs): number {
  let count = 0;
  for (const slot of slots) if (slot.start < instant) count++;
  return count;
}

function minutesOf(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

function hhmm(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
}

/** A shift spans as many real minutes as wall-clock minutes exactly when no DST transition falls inside it. */
function isRegular(window: ShiftWindow): boolean {
  return window.end - window.start === (minutesOf(window.shift.end) - minutesOf(window.shift.start)) * MINUTE_MS;
}

/**
 * The candidate starts of each shift window, by step. A window belongs to a day plan that every search of that
 * location and day shares (DayPlanCache), so its starts are worked out once rather than once per search; held
 * weakly, they go with the plan.
 */
const startsByWindow = new WeakMap<ShiftWindow, Map<number, readonly EpochMs[]>>();

function candidateStarts(plan: DayPlan, window: ShiftWindow, step: number): readonly EpochMs[] {
  let byStep = startsByWindow.get(window);
  if (!byStep) {
    byStep = new Map();
    startsByWindow.set(window, byStep);
  }
  let starts = byStep.get(step);
  if (!starts) {
    starts = [...steppedStarts(plan, window, step)];
    byStep.set(step, starts);
  }
  return starts;
}

/** Instants whose wall clock reads shift start + k·step, in order; readings in a DST gap are skipped. */
function* steppedStarts(plan: DayPlan, window: ShiftWindow, step: number): Generator<EpochMs> {
  const first = minutesOf(window.shift.start);
  const last = minutesOf(window.shift.end);
  const regular = isRegular(window);
  for (let minute = first; minute < last; minute += step) {
    if (regular) {
      yield window.start + (minute - first) * MINUTE_MS;
      continue;
    }
    const instant = wallClockToInstant(plan.date, hhmm(minute), plan.location.timezone);
    if (instant !== null) yield instant;
  }
}

/** Whether `end` written as local time reads back as itself (always so inside a regular shift). */
function addressable(end: EpochMs, timezone: string, window: ShiftWindow): boolean {
  if (end <= window.end && isRegular(window)) return true;
  const local = formatLocalDateTime(end, timezone);
  return wallClockToInstant(local.slice(0, 10), local.slice(11, 16), timezone) === end;
}
