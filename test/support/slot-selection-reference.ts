/**
 * The searches callers ask for (spread, around, party_size, time_of_day), read plainly and slowly: the
 * reference the domain's selection (src/sandbox/domain/slot-selection.ts) and the tool's answers are
 * checked against, over every bookable slot of the same days in the engine's order.
 */
import { SPREAD_GAP_MINUTES, SPREAD_PER_DAY, partOfDayOf } from "../../src/contract/index.js";
import type { Selection } from "../../src/sandbox/domain/slot-selection.js";

export interface Candidate {
  start: number;
  end: number;
  provider_uuid: string;
  location_uuid: string;
  /** Local date and minute of the day of the start. */
  date: string;
  minute: number;
}

const MINUTE = 60_000;

/** The rules read plainly: units, part of the day, order by closeness, spread across days, limit. */
export function referenceSelection(all: readonly Candidate[], selection: Selection): { keys: string[]; more: boolean } {
  const size = selection.party_size ?? 1;
  const firsts: Candidate[] = [];
  for (const slot of all) {
    // Single slots are offered per provider; a party's sets once per location and start.
    if (size > 1 && firsts.some((f) => f.location_uuid === slot.location_uuid && f.start === slot.start)) continue;
    const chain = Array.from({ length: size }, (_, i) =>
      all.some((s) => s.location_uuid === slot.location_uuid && s.start === slot.start + i * (slot.end - slot.start)),
    );
    if (chain.every(Boolean)) firsts.push(slot);
  }
  let units = firsts.filter(
    (f) => selection.time_of_day === undefined || partOfDayOf(f.minute) === selection.time_of_day,
  );
  if (selection.around !== undefined) {
    const around = selection.around;
    units = units
      .map((unit, index) => ({ unit, index }))
      .sort((a, b) => Math.abs(a.unit.minute - around) - Math.abs(b.unit.minute - around) || a.index - b.index)
      .map(({ unit }) => unit);
  }
  let chosen = units.slice(0, selection.limit);
  if (selection.spread) {
    const perDay = new Map<string, Candidate[]>();
    for (const unit of units) {
      const picks = perDay.get(unit.date) ?? [];
      const apart = picks.every((p) => Math.abs(p.start - unit.start) >= SPREAD_GAP_MINUTES * MINUTE);
      if (picks.length < SPREAD_PER_DAY && apart) perDay.set(unit.date, [...picks, unit]);
    }
    const turns: Candidate[] = [];
    for (let turn = 0; turn < SPREAD_PER_DAY; turn++) {
      for (const day of [...perDay.keys()].sort()) {
        const pick = perDay.get(day)![turn];
        if (pick) turns.push(pick);
      }
    }
    const taken = new Set(turns.slice(0, selection.limit));
    chosen = units.filter((unit) => taken.has(unit));
  }
  return {
    keys: chosen.map((unit) => `${unit.location_uuid}|${unit.start}|${size > 1 ? "" : unit.provider_uuid}`),
    more: units.length > chosen.length,
  };
}
