/**
 * Finding free slots for the model: filling a small result after filtering by time of day, and the
 * nearest alternatives to offer when a requested time turns out to be taken (409; errors.ts words them).
 */
import { DateTime } from "luxon";
import { z } from "zod";
import { LocalDateTime, LocationRef, ProviderRef, type Slot } from "../contract/index.js";
import type { PmsApi } from "../pms/api.js";
import { addDays, describeLocal, instantAt, localToMillis, todayAt } from "./time.js";

export const SlotView = z.object({
  scheduled_start: LocalDateTime.describe("Pass as scheduled_start to book_appointment"),
  scheduled_end: LocalDateTime,
  timezone: z.string(),
  when: z.string().describe("The start for reading aloud, with the timezone"),
  provider: ProviderRef.describe("Pass provider.uuid as provider_uuid to book_appointment"),
  location: LocationRef.describe("Pass location.uuid as location_uuid to book_appointment"),
});
export type SlotView = z.infer<typeof SlotView>;

export function slotView(slot: Slot): SlotView {
  return {
    scheduled_start: slot.scheduled_start,
    scheduled_end: slot.scheduled_end,
    timezone: slot.timezone,
    when: describeLocal(slot.scheduled_start, slot.timezone),
    provider: {
      uuid: slot.provider.uuid,
      first_name: slot.provider.first_name,
      last_name: slot.provider.last_name,
      title: slot.provider.title,
    },
    location: { uuid: slot.location.uuid, name: slot.location.name },
  };
}

export interface SlotSearch {
  appointment_type_uuid: string;
  start_date?: string;
  end_date?: string;
  provider_uuid?: string;
  location_uuid?: string;
}

export interface CollectedSlots {
  slots: Slot[];
  hasMore: boolean;
  appointmentType: { uuid: string; name: string; duration_minutes: number };
  startDate: string;
  endDate: string;
}

/** Large enough to survive a time-of-day filter, small enough to stay cheap. */
const FILTERED_BATCH = 200;
const MAX_ROUNDS = 5;

/**
 * Up to `want` slots that pass `keep`, in chronological order. The API has no cursor, so a later round
 * restarts from the day of the last slot seen and drops the repeats.
 */
export async function collectSlots(
  pms: PmsApi,
  search: SlotSearch,
  want: number,
  keep: ((slot: Slot) => boolean) | undefined,
  signal: AbortSignal,
): Promise<CollectedSlots> {
  const seen = new Set<string>();
  const kept: Slot[] = [];
  let query = { ...search };
  let first: { appointmentType: CollectedSlots["appointmentType"]; startDate: string; endDate: string } | undefined;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const limit = keep ? FILTERED_BATCH : want + 1;
    const page = await pms.checkAvailability({ query: { ...query, limit } }, { signal });
    first ??= {
      appointmentType: {
        uuid: page.appointment_type.uuid,
        name: page.appointment_type.name,
        duration_minutes: page.appointment_type.duration_minutes,
      },
      startDate: page.start_date,
      endDate: page.end_date,
    };
    for (const slot of page.slots) {
      const key = `${slot.scheduled_start}|${slot.provider.uuid}|${slot.location.uuid}|${slot.operatory.uuid}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (!keep || keep(slot)) kept.push(slot);
    }
    const last = page.slots.at(-1);
    if (kept.length > want || !page.has_more || !last) {
      return { ...first, slots: kept.slice(0, want), hasMore: kept.length > want || page.has_more };
    }
    const lastDay = last.scheduled_start.slice(0, 10);
    // A day with more slots than one batch would loop forever: move past it.
    const nextStart = lastDay === page.start_date ? addDays(lastDay, 1) : lastDay;
    if (nextStart > page.end_date) return { ...first, slots: kept.slice(0, want), hasMore: false };
    query = { ...query, start_date: nextStart, end_date: page.end_date };
  }
  return { ...first!, slots: kept.slice(0, want), hasMore: true };
}

const ALTERNATIVES = 3;
/** How far either side of a taken time the alternatives are looked for. */
export const ALTERNATIVES_WITHIN_DAYS = 3;

/**
 * The free slots nearest in time to a requested start that was taken: same type, provider and location
 * first; if that provider has nothing nearby, any provider at the location.
 */
export async function nearestAlternatives(
  pms: PmsApi,
  request: { appointment_type_uuid: string; provider_uuid: string; location_uuid: string; scheduled_start: string },
  nowMs: number,
  signal: AbortSignal,
): Promise<Slot[] | undefined> {
  try {
    return await searchNearest(pms, request, nowMs, signal);
  } catch {
    // The conflict itself is what matters; without alternatives the model is sent to check_availability.
    return undefined;
  }
}

async function searchNearest(
  pms: PmsApi,
  request: { appointment_type_uuid: string; provider_uuid: string; location_uuid: string; scheduled_start: string },
  nowMs: number,
  signal: AbortSignal,
): Promise<Slot[]> {
  const locations = await pms.listLocations({}, { signal });
  const timezone = locations.items.find((l) => l.uuid === request.location_uuid)?.timezone;
  if (!timezone) return [];
  const wanted = instantAt(request.scheduled_start, timezone);
  if (wanted === undefined) return [];
  const distance = (slot: Slot) => Math.abs(localToMillis(slot.scheduled_start, slot.timezone) - wanted);
  const requestedDay = DateTime.fromMillis(wanted, { zone: timezone }).toFormat("yyyy-MM-dd");
  const today = todayAt(timezone, nowMs);
  const earliest = addDays(requestedDay, -ALTERNATIVES_WITHIN_DAYS);
  const from = earliest < today ? today : earliest;
  const to = addDays(requestedDay, ALTERNATIVES_WITHIN_DAYS);
  if (to < from) return [];

  const search = {
    appointment_type_uuid: request.appointment_type_uuid,
    location_uuid: request.location_uuid,
    start_date: from,
    end_date: to,
  };
  for (const provider_uuid of [request.provider_uuid, undefined]) {
    const { slots } = await collectSlots(pms, { ...search, provider_uuid }, FILTERED_BATCH, undefined, signal);
    const nearest = slots
      .filter(
        (s) => localToMillis(s.scheduled_start, s.timezone) !== wanted || s.provider.uuid !== request.provider_uuid,
      )
      .sort((a, b) => distance(a) - distance(b))
      .filter(onePerStartAndProvider())
      .slice(0, ALTERNATIVES);
    if (nearest.length > 0) return nearest;
  }
  return [];
}

function onePerStartAndProvider() {
  const seen = new Set<string>();
  return (slot: Slot) => {
    const key = `${slot.scheduled_start}|${slot.provider.uuid}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  };
}
