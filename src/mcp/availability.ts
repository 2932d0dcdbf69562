/**
 * Free slots for the model: the view of a slot, and the nearest alternatives to offer when a requested
 * time turns out to be taken (409; errors.ts words them).
 */
import { DateTime } from "luxon";
import { z } from "zod";
import { LocalDateTime, LocationRef, ProviderRef, type Slot } from "../contract/index.js";
import type { PmsApi } from "../pms/api.js";
import { addDays, instantAt, localToMillis, todayAt } from "./time.js";

export const SlotView = z.object({
  scheduled_start: LocalDateTime.describe("Pass as scheduled_start to book_appointment"),
  scheduled_end: LocalDateTime,
  timezone: z.string(),
  provider: ProviderRef.describe("Pass provider.uuid as provider_uuid to book_appointment"),
  location: LocationRef.describe("Pass location.uuid as location_uuid to book_appointment"),
  set: z.number().int().optional().describe("With party_size: the set (1, 2, ...) this slot belongs to"),
});
export type SlotView = z.infer<typeof SlotView>;

export function slotView(slot: Slot): SlotView {
  return {
    scheduled_start: slot.scheduled_start,
    scheduled_end: slot.scheduled_end,
    timezone: slot.timezone,
    provider: {
      uuid: slot.provider.uuid,
      first_name: slot.provider.first_name,
      last_name: slot.provider.last_name,
      title: slot.provider.title,
    },
    location: { uuid: slot.location.uuid, name: slot.location.name },
  };
}

/** Enough slots around a taken time to find the nearest free ones. */
const NEARBY_BATCH = 200;

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
    const query = { ...search, provider_uuid, limit: NEARBY_BATCH };
    const { slots } = await pms.checkAvailability({ query }, { signal });
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
