/**
 * The searches callers ask for, as a selection over the engine's candidate slots (availability.ts gives
 * every bookable slot of the range, in its order): a part of the day, slots spread across days, slots
 * ordered by closeness to a time of day, and sets of back-to-back slots for a party. Pure: the engine
 * judged bookability; this only chooses among what it found.
 *
 * A party's set is `party_size` slots at one location, each starting when the previous one ends (same or
 * different providers; the same provider is kept where possible). Members lie at disjoint times, so a set
 * whose members are each bookable is bookable as a whole. One set per location and start time.
 *
 * The unit chosen is a set (a single slot without party_size); its first slot decides its day, its part
 * of the day and its closeness to `around`.
 */
import { partOfDayOf, SPREAD_GAP_MINUTES, SPREAD_PER_DAY, type PartOfDay } from "../../contract/index.js";
import type { EpochMs } from "./model.js";

/** A candidate slot with its local reading at its location. */
export interface SelectableSlot {
  start: EpochMs;
  end: EpochMs;
  provider_uuid: string;
  location_uuid: string;
  /** Local date of the start, YYYY-MM-DD. */
  date: string;
  /** Local time of day of the start, in minutes after midnight. */
  minute: number;
}

export interface Selection {
  limit: number;
  time_of_day?: PartOfDay;
  spread: boolean;
  /** Minutes after local midnight: closest starts first. */
  around?: number;
  party_size?: number;
}

export interface Selected<T> {
  /** The chosen units in order: single slots, or a party's set. */
  sets: T[][];
  /** More units exist than `limit` allowed. */
  has_more: boolean;
}

const MINUTE_MS = 60_000;

/** Whether the selection needs every candidate of the range rather than the earliest `limit`. */
export function selectsBeyondEarliest(selection: Selection): boolean {
  return (
    selection.spread ||
    selection.around !== undefined ||
    selection.party_size !== undefined ||
    selection.time_of_day !== undefined
  );
}

/** `candidates` in the engine's order (chronological, ties by provider then location order). */
export function selectSlots<T extends SelectableSlot>(candidates: readonly T[], selection: Selection): Selected<T> {
  let units =
    selection.party_size === undefined ? candidates.map((slot) => [slot]) : partySets(candidates, selection.party_size);
  if (selection.time_of_day !== undefined) {
    const part = selection.time_of_day;
    units = units.filter((unit) => partOfDayOf(lead(unit).minute) === part);
  }
  if (selection.around !== undefined) {
    const around = selection.around;
    const distance = (unit: T[]) => Math.abs(lead(unit).minute - around);
    // Array.prototype.sort is stable: equally close units keep the engine's order.
    units = [...units].sort((a, b) => distance(a) - distance(b));
  }
  const chosen = selection.spread ? spreadAcrossDays(units, selection.limit) : units.slice(0, selection.limit);
  return { sets: chosen, has_more: units.length > chosen.length };
}

function lead<T>(unit: readonly T[]): T {
  return unit[0] as T;
}

/**
 * Per (location, start), the first chain of `size` back-to-back candidates: each next member starts at
 * the previous one's end at the same location, with the same provider if free, else the first free one.
 */
function partySets<T extends SelectableSlot>(candidates: readonly T[], size: number): T[][] {
  const byPlaceAndStart = new Map<string, T[]>();
  for (const slot of candidates) {
    const key = `${slot.location_uuid}|${slot.start}`;
    const list = byPlaceAndStart.get(key);
    if (list) list.push(slot);
    else byPlaceAndStart.set(key, [slot]);
  }
  const sets: T[][] = [];
  for (const [key, firsts] of byPlaceAndStart) {
    const location = key.slice(0, key.indexOf("|"));
    const set = [lead(firsts)];
    while (set.length < size) {
      const previous = set[set.length - 1] as T;
      const next = byPlaceAndStart.get(`${location}|${previous.end}`);
      if (!next) break;
      set.push(next.find((slot) => slot.provider_uuid === previous.provider_uuid) ?? lead(next));
    }
    if (set.length === size) sets.push(set);
  }
  // Map iteration follows first insertion, which is the engine's order of each set's first slot.
  return sets;
}

/**
 * At most SPREAD_PER_DAY units a day, at least SPREAD_GAP_MINUTES apart (taken in the given order), the
 * days taken in turn (each day's best, then each day's second, ...), until `limit`; returned in the
 * given order.
 */
function spreadAcrossDays<T extends SelectableSlot>(units: readonly T[][], limit: number): T[][] {
  const picksByDay = new Map<string, { unit: T[]; rank: number }[]>();
  units.forEach((unit, rank) => {
    const first = lead(unit);
    const picks = picksByDay.get(first.date) ?? [];
    if (picks.length >= SPREAD_PER_DAY) return;
    if (picks.some((pick) => Math.abs(lead(pick.unit).start - first.start) < SPREAD_GAP_MINUTES * MINUTE_MS)) return;
    picks.push({ unit, rank });
    picksByDay.set(first.date, picks);
  });
  const days = [...picksByDay.keys()].sort();
  const taken: { unit: T[]; rank: number }[] = [];
  for (let turn = 0; turn < SPREAD_PER_DAY && taken.length < limit; turn++) {
    for (const day of days) {
      const pick = picksByDay.get(day)?.[turn];
      if (pick && taken.length < limit) taken.push(pick);
    }
  }
  return taken.sort((a, b) => a.rank - b.rank).map((pick) => pick.unit);
}
