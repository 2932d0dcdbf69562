/**
 * Holds in the scheduling rule, over random holds and clocks (the clock is a parameter of the domain, so
 * expiry is tested by moving `now`, not by waiting): a live hold occupies its provider and operatory for
 * everyone but its holder, exactly as a booking would; an expired one occupies nothing.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { findSlots, type FoundSlot, type SlotRequest } from "../../src/sandbox/domain/availability.js";
import type { HoldRecord, ScheduleSnapshot } from "../../src/sandbox/domain/model.js";
import { checkBookable } from "../../src/sandbox/domain/rules.js";
import { CHEN, OP1, OP2, PATEL, SF_UUID, at, baseSnapshot, booking } from "./support/schedule.js";

const MINUTE = 60_000;
// Tuesday 2026-03-03: Chen (08:00-17:00, lunch 12-13) and Patel (09:00-15:00) both work at Main Street.
const DAY_START = at("2026-03-03T08:00:00");
const NOW = at("2026-03-03T07:00:00");
const REQUEST: SlotRequest = {
  duration_minutes: 30,
  provider_uuids: [CHEN, PATEL],
  location_uuids: [SF_UUID],
  start_date: "2026-03-03",
  end_date: "2026-03-03",
  step_minutes: 15,
  limit: 500,
  now: NOW,
};

const holdArb = fc.record({
  provider: fc.constantFrom(CHEN, PATEL),
  operatory: fc.constantFrom(OP1, OP2),
  quarter: fc.integer({ min: 0, max: 35 }),
  length: fc.constantFrom(15, 30, 45, 60),
  /** Minutes after NOW at which the hold lapses (1 to 15, as the API allows). */
  ttl: fc.integer({ min: 1, max: 15 }),
});

const worldArb = fc
  .record({ holds: fc.array(holdArb, { maxLength: 6 }), bookings: fc.array(holdArb, { maxLength: 3 }) })
  .map(({ holds, bookings }) => {
    const snapshot: ScheduleSnapshot = baseSnapshot();
    snapshot.bookings = bookings.map((b) => {
      const start = DAY_START + b.quarter * 15 * MINUTE;
      return booking({ provider_uuid: b.provider, operatory_uuid: b.operatory, start, end: start + b.length * MINUTE });
    });
    snapshot.holds = holds.map((h, i): HoldRecord => {
      const start = DAY_START + h.quarter * 15 * MINUTE;
      return {
        uuid: `70000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
        appointment_type_uuid: "60000000-0000-4000-8000-000000000001",
        provider_uuid: h.provider,
        location_uuid: SF_UUID,
        operatory_uuid: h.operatory,
        patient_uuid: null,
        start,
        end: start + h.length * MINUTE,
        expires_at: NOW + h.ttl * MINUTE,
        created_at: NOW,
      };
    });
    return snapshot;
  });

const overlaps = (a: { start: number; end: number }, b: { start: number; end: number }) =>
  a.start < b.end && b.start < a.end;
const keyOf = (slot: FoundSlot) => `${slot.start}|${slot.provider_uuid}|${slot.operatory_uuid}`;
const RUNS = { numRuns: 150, seed: 12 };

/** One of the world's holds (worlds without any are skipped). */
function oneHoldOf(snapshot: ScheduleSnapshot, pick: number) {
  const holds = snapshot.holds ?? [];
  fc.pre(holds.length > 0);
  return { holds, hold: holds[pick % holds.length]! };
}

/** The same world with the holds live at `now` turned into bookings and the others dropped. */
function holdsAsBookings(snapshot: ScheduleSnapshot, now: number): ScheduleSnapshot {
  const live = (snapshot.holds ?? []).filter((h) => h.expires_at > now);
  return {
    ...snapshot,
    holds: [],
    bookings: [...snapshot.bookings, ...live.map((h) => booking({ ...h, patient_uuid: h.uuid, status: "scheduled" }))],
  };
}

describe("holds in the scheduling rule", () => {
  it("a live hold is offered to nobody: availability equals the one with live holds as bookings", () => {
    fc.assert(
      fc.property(worldArb, fc.integer({ min: 0, max: 20 }), (snapshot, minutesLater) => {
        const now = NOW + minutesLater * MINUTE;
        const offered = findSlots(snapshot, { ...REQUEST, now }).slots;
        expect(offered.map(keyOf)).toEqual(
          findSlots(holdsAsBookings(snapshot, now), { ...REQUEST, now }).slots.map(keyOf),
        );
        for (const slot of offered) {
          for (const hold of snapshot.holds ?? []) {
            if (hold.expires_at <= now || !overlaps(slot, hold)) continue;
            expect(slot.provider_uuid).not.toBe(hold.provider_uuid);
            expect(slot.operatory_uuid).not.toBe(hold.operatory_uuid);
          }
        }
      }),
      RUNS,
    );
  });

  it("a held slot cannot be booked by another party (slot_held or already taken), and can by its holder", () => {
    fc.assert(
      fc.property(worldArb, fc.nat(), (snapshot, pick) => {
        const { holds, hold } = oneHoldOf(snapshot, pick);
        const slot = { provider_uuid: hold.provider_uuid, location_uuid: SF_UUID, operatory_uuid: hold.operatory_uuid };
        const candidate = { ...slot, start: hold.start, end: hold.end };
        const other = checkBookable(snapshot, candidate, NOW);
        expect(other.ok).toBe(false);
        if (!other.ok) expect(["slot_held", "slot_unavailable", "outside_working_hours"]).toContain(other.code);
        // The holder is judged as if its own hold were not there.
        const withoutIt = { ...snapshot, holds: holds.filter((h) => h.uuid !== hold.uuid) };
        expect(checkBookable(snapshot, { ...candidate, own_hold_uuid: hold.uuid }, NOW)).toEqual(
          checkBookable(withoutIt, candidate, NOW),
        );
      }),
      RUNS,
    );
  });

  it("after expiry the held slot is offered again and bookable by anyone", () => {
    fc.assert(
      fc.property(worldArb, fc.nat(), (snapshot, pick) => {
        const { holds, hold } = oneHoldOf(snapshot, pick);
        const later = hold.expires_at;
        const expired = { ...snapshot, holds: holds.filter((h) => h.expires_at > later) };
        expect(findSlots(snapshot, { ...REQUEST, now: later }).slots).toEqual(
          findSlots(expired, { ...REQUEST, now: later }).slots,
        );
        const candidate = {
          provider_uuid: hold.provider_uuid,
          location_uuid: SF_UUID,
          start: hold.start,
          end: hold.end,
        };
        expect(checkBookable(snapshot, candidate, later)).toEqual(checkBookable(expired, candidate, later));
      }),
      RUNS,
    );
  });

  it("says slot_held with the hold's window and when it lapses", () => {
    const snapshot = baseSnapshot();
    const start = at("2026-03-03T09:00:00");
    snapshot.holds = [OP1, OP2].map((operatory, i) => ({
      uuid: `70000000-0000-4000-8000-00000000000${i}`,
      appointment_type_uuid: "60000000-0000-4000-8000-000000000001",
      provider_uuid: i === 0 ? CHEN : PATEL,
      location_uuid: SF_UUID,
      operatory_uuid: operatory,
      patient_uuid: null,
      start,
      end: start + 30 * MINUTE,
      expires_at: NOW + 5 * MINUTE,
      created_at: NOW,
    }));
    const candidate = { provider_uuid: CHEN, location_uuid: SF_UUID, start, end: start + 30 * MINUTE };
    expect(checkBookable(snapshot, candidate, NOW)).toMatchObject({
      ok: false,
      code: "slot_held",
      conflict: { resource: "provider", resource_uuid: CHEN, start, end: start + 30 * MINUTE },
      held_until: NOW + 5 * MINUTE,
    });
    const own = snapshot.holds[0]!.uuid;
    expect(checkBookable(snapshot, { ...candidate, own_hold_uuid: own }, NOW)).toEqual({
      ok: true,
      operatory_uuid: OP1,
    });
    // The holder asking for the other chair meets Patel's hold on it.
    expect(checkBookable(snapshot, { ...candidate, own_hold_uuid: own, operatory_uuid: OP2 }, NOW)).toMatchObject({
      ok: false,
      code: "slot_held",
      conflict: { resource: "operatory", resource_uuid: OP2 },
    });
    expect(checkBookable(snapshot, candidate, NOW + 5 * MINUTE)).toEqual({ ok: true, operatory_uuid: OP1 });
  });
});
