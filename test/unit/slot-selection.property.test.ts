/**
 * The searches callers ask for (part of the day, spread, around, party sets), over the engine's slots,
 * checked against a brute-force search of the same days: every stepped start of every shift judged one by
 * one with checkBookable, then chosen by a plain reading of each rule.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_PARTY_SIZE, SPREAD_GAP_MINUTES, SPREAD_PER_DAY, type PartOfDay } from "../../src/contract/index.js";
import { findSlots, type FoundSlot, type SlotRequest } from "../../src/sandbox/domain/availability.js";
import type { ScheduleSnapshot } from "../../src/sandbox/domain/model.js";
import { checkBookable, prepareSnapshot } from "../../src/sandbox/domain/rules.js";
import { selectSlots, type Selection } from "../../src/sandbox/domain/slot-selection.js";
import { referenceSelection } from "../support/slot-selection-reference.js";
import { addDays, formatLocalDateTime, wallClockToInstant } from "../../src/sandbox/domain/time.js";
import { CHEN, NYC_UUID, PATEL, SF_UUID, at, baseSnapshot, booking, shift } from "./support/schedule.js";

const MINUTE = 60_000;
const FIRST_DAY = "2026-03-02"; // a Monday
const PROVIDERS = [CHEN, PATEL];
const LOCATIONS = [SF_UUID, NYC_UUID];

interface World {
  snapshot: ScheduleSnapshot;
  request: SlotRequest;
  selection: Selection;
}

const worldArb: fc.Arbitrary<World> = fc
  .record({
    bookings: fc.array(
      fc.record({
        who: fc.constantFrom(CHEN, PATEL),
        day: fc.integer({ min: 0, max: 2 }),
        quarter: fc.integer({ min: 32, max: 68 }),
        length: fc.constantFrom(15, 30, 60),
      }),
      { maxLength: 8 },
    ),
    days: fc.integer({ min: 0, max: 2 }),
    duration: fc.constantFrom(15, 30, 45, 60),
    limit: fc.integer({ min: 1, max: 12 }),
    spread: fc.boolean(),
    around: fc.option(fc.integer({ min: 0, max: 23 * 60 + 59 }), { nil: undefined }),
    party: fc.option(fc.integer({ min: 2, max: MAX_PARTY_SIZE }), { nil: undefined }),
    part: fc.option(fc.constantFrom<PartOfDay>("morning", "afternoon", "evening"), { nil: undefined }),
  })
  .map((g) => {
    const snapshot = baseSnapshot();
    // Patel also works Mondays at Main Street, so that two providers share a day there.
    snapshot.shifts.push(shift(PATEL, SF_UUID, "monday", "10:00", "18:00"));
    snapshot.bookings = g.bookings.map((b) => {
      const start = at(`${addDays(FIRST_DAY, b.day)}T00:00:00`) + b.quarter * 15 * MINUTE;
      return booking({ provider_uuid: b.who, start, end: start + b.length * MINUTE });
    });
    const request: SlotRequest = {
      duration_minutes: g.duration,
      provider_uuids: PROVIDERS,
      location_uuids: LOCATIONS,
      start_date: FIRST_DAY,
      end_date: addDays(FIRST_DAY, g.days),
      step_minutes: 15,
      limit: Number.MAX_SAFE_INTEGER,
      now: at(`${FIRST_DAY}T07:00:00`),
    };
    const selection: Selection = {
      limit: g.limit,
      spread: g.spread,
      around: g.around,
      party_size: g.party,
      time_of_day: g.part,
    };
    return { snapshot, request, selection };
  });

type Local = FoundSlot & { date: string; minute: number };

function localOf(snapshot: ScheduleSnapshot, slot: FoundSlot): Local {
  const zone = snapshot.locations.find((l) => l.uuid === slot.location_uuid)!.timezone;
  const local = formatLocalDateTime(slot.start, zone);
  return { ...slot, date: local.slice(0, 10), minute: Number(local.slice(11, 13)) * 60 + Number(local.slice(14, 16)) };
}

/** Every stepped start of every shift, judged alone, in the engine's order (start, provider, location). */
function bruteForce(snapshot: ScheduleSnapshot, request: SlotRequest): Local[] {
  const prepared = prepareSnapshot(snapshot);
  const found: Local[] = [];
  for (let d = 0; d <= (Date.parse(request.end_date) - Date.parse(request.start_date)) / 86_400_000; d++) {
    const date = addDays(request.start_date, d);
    for (const location of snapshot.locations) {
      for (let m = 0; m < 24 * 60; m += request.step_minutes) {
        const hhmm = `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
        const start = wallClockToInstant(date, hhmm, location.timezone);
        if (start === null) continue;
        const end = start + request.duration_minutes * MINUTE;
        for (const provider of request.provider_uuids) {
          const slot = { provider_uuid: provider, location_uuid: location.uuid, start, end };
          const verdict = checkBookable(prepared, slot, request.now);
          if (verdict.ok) found.push(localOf(snapshot, { ...slot, operatory_uuid: verdict.operatory_uuid }));
        }
      }
    }
  }
  const rank = (list: string[], uuid: string) => list.indexOf(uuid);
  return found.sort(
    (a, b) =>
      a.start - b.start ||
      rank(PROVIDERS, a.provider_uuid) - rank(PROVIDERS, b.provider_uuid) ||
      rank(LOCATIONS, a.location_uuid) - rank(LOCATIONS, b.location_uuid),
  );
}

const RUNS = { numRuns: 120, seed: 2026 };

describe("selectSlots against a brute-force search of the same days", () => {
  it("generates worlds with answers (the properties below are not vacuous)", () => {
    const worlds = fc.sample(worldArb, { numRuns: RUNS.numRuns, seed: RUNS.seed });
    const answered = worlds.filter(({ snapshot, request, selection }) => {
      const candidates = findSlots(snapshot, request).slots.map((slot) => localOf(snapshot, slot));
      return selectSlots(candidates, selection).sets.length > 0;
    });
    expect(answered.length).toBeGreaterThan(worlds.length / 2);
    expect(answered.some(({ selection }) => selection.party_size !== undefined)).toBe(true);
  });

  it("chooses the same units as the plain reading of the rules, and says whether more exist", () => {
    fc.assert(
      fc.property(worldArb, ({ snapshot, request, selection }) => {
        const candidates = findSlots(snapshot, request).slots.map((slot) => localOf(snapshot, slot));
        const all = bruteForce(snapshot, request);
        expect(candidates.map((c) => `${c.start}|${c.provider_uuid}|${c.location_uuid}`)).toEqual(
          all.map((c) => `${c.start}|${c.provider_uuid}|${c.location_uuid}`),
        );
        const { sets, has_more } = selectSlots(candidates, selection);
        const expected = referenceSelection(all, selection);
        const single = selection.party_size === undefined;
        const keys = sets.map(
          (set) => `${set[0]!.location_uuid}|${set[0]!.start}|${single ? set[0]!.provider_uuid : ""}`,
        );
        expect(keys).toEqual(expected.keys);
        expect(has_more).toBe(expected.more);
      }),
      RUNS,
    );
  });

  it("spread: at most 3 a day, an hour apart; around: never a farther slot before a closer one", () => {
    fc.assert(
      fc.property(worldArb, ({ snapshot, request, selection }) => {
        const candidates = findSlots(snapshot, request).slots.map((slot) => localOf(snapshot, slot));
        const firsts = selectSlots(candidates, selection).sets.map((set) => set[0]!);
        if (selection.spread) {
          for (const date of new Set(firsts.map((slot) => slot.date))) {
            const picks = firsts.filter((slot) => slot.date === date);
            expect(picks.length).toBeLessThanOrEqual(SPREAD_PER_DAY);
            for (const [i, a] of picks.entries())
              for (const b of picks.slice(i + 1))
                expect(Math.abs(a.start - b.start)).toBeGreaterThanOrEqual(SPREAD_GAP_MINUTES * MINUTE);
          }
        }
        if (selection.around !== undefined) {
          const distances = firsts.map((slot) => Math.abs(slot.minute - selection.around!));
          expect(distances).toEqual([...distances].sort((a, b) => a - b));
        }
      }),
      RUNS,
    );
  });

  it("party sets: back-to-back at one location, and bookable together as returned", () => {
    fc.assert(
      fc.property(worldArb, ({ snapshot, request, selection }) => {
        fc.pre(selection.party_size !== undefined);
        const candidates = findSlots(snapshot, request).slots.map((slot) => localOf(snapshot, slot));
        for (const set of selectSlots(candidates, selection).sets) {
          expect(set).toHaveLength(selection.party_size!);
          let world = snapshot;
          for (const [i, member] of set.entries()) {
            expect(member.location_uuid).toBe(set[0]!.location_uuid);
            if (i > 0) expect(member.start).toBe(set[i - 1]!.end);
            // Each member books into the schedule the previous members were booked into, by another patient.
            const patient_uuid = `50000000-0000-4000-8000-00000000010${i}`;
            const verdict = checkBookable(world, { ...member, patient_uuid }, request.now);
            expect(verdict).toEqual({ ok: true, operatory_uuid: member.operatory_uuid });
            world = { ...world, bookings: [...world.bookings, booking({ ...member, patient_uuid })] };
          }
        }
      }),
      RUNS,
    );
  });
});
