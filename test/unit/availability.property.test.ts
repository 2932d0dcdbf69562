/**
 * Properties of availability over random schedules, judged against the public rule (checkBookable)
 * and against an independent reading of the raw records.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type FoundSlot, type SlotRequest, findSlots } from "../../src/sandbox/domain/availability.js";
import { checkBookable, prepareSnapshot } from "../../src/sandbox/domain/rules.js";
import type { AppointmentRecord, ScheduleSnapshot, ShiftRecord } from "../../src/sandbox/domain/model.js";
import {
  addDays,
  daysBetween,
  formatLocalDateTime,
  localDate,
  resolveDateTime,
  wallClockBoundary,
  wallClockToInstant,
  weekdayOf,
} from "../../src/sandbox/domain/time.js";
import { parseDateTime, type Weekday } from "../../src/contract/index.js";
import { booking, location, provider, shift } from "./support/schedule.js";

const ZONES = ["America/Los_Angeles", "America/New_York", "Europe/London", "America/Santiago", "Asia/Kolkata"];
// Transition days of those zones in 2026, plus ordinary days.
const START_DATES = ["2026-03-08", "2026-11-01", "2026-03-29", "2026-10-25", "2026-09-05", "2026-04-04", "2026-06-15"];
const WEEKDAYS: Weekday[] = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
const uuid = (kind: number, n: number) => `${kind}0000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
const hhmm = (minutes: number) =>
  `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;

interface World {
  snapshot: ScheduleSnapshot;
  request: SlotRequest;
}

const shiftArb = fc.record({
  day: fc.constantFrom(...WEEKDAYS),
  startQuarter: fc.integer({ min: 0, max: 80 }), // from 00:00 to 20:00
  lengthQuarters: fc.integer({ min: 2, max: 40 }),
  breakAt: fc.option(fc.integer({ min: 1, max: 30 }), { nil: undefined }),
});

const worldArb: fc.Arbitrary<World> = fc
  .record({
    zones: fc.uniqueArray(fc.constantFrom(...ZONES), { minLength: 1, maxLength: 2 }),
    operatories: fc.integer({ min: 1, max: 3 }),
    providers: fc.integer({ min: 1, max: 3 }),
    shifts: fc.array(fc.tuple(fc.nat(), fc.nat(), shiftArb), { minLength: 1, maxLength: 10 }),
    bookings: fc.array(
      fc.record({
        who: fc.nat(),
        where: fc.nat(),
        op: fc.nat(),
        offsetMinutes: fc.integer({ min: 0, max: 4 * 24 * 60 }),
        length: fc.constantFrom(15, 30, 45, 60, 90),
        cancelled: fc.boolean(),
      }),
      { maxLength: 25 },
    ),
    timeOff: fc.array(
      fc.record({
        who: fc.nat(),
        offsetMinutes: fc.integer({ min: 0, max: 4 * 24 * 60 }),
        length: fc.integer({ min: 30, max: 24 * 60 }),
      }),
      { maxLength: 2 },
    ),
    closures: fc.array(fc.record({ where: fc.nat(), day: fc.integer({ min: 0, max: 3 }) }), { maxLength: 2 }),
    startDate: fc.constantFrom(...START_DATES),
    days: fc.integer({ min: 0, max: 2 }),
    duration: fc.constantFrom(15, 30, 45, 60, 90),
    step: fc.constantFrom(5, 15, 20, 30),
    nowOffsetMinutes: fc.integer({ min: -24 * 60, max: 12 * 60 }),
  })
  .map((g) => {
    const locations = g.zones.map((zone, l) =>
      location(
        uuid(1, l),
        `Location ${l}`,
        zone,
        Array.from({ length: g.operatories }, (_, o) => uuid(2, l * 10 + o)),
      ),
    );
    const providers = Array.from({ length: g.providers }, (_, p) =>
      provider(
        uuid(3, p),
        `P${p}`,
        p % 2 ? "hygienist" : "dentist",
        locations.map((l) => l.uuid),
      ),
    );
    const shifts: ShiftRecord[] = g.shifts.map(([who, where, s]) => {
      const start = s.startQuarter * 15;
      const end = Math.min(start + s.lengthQuarters * 15, 23 * 60 + 45);
      const lunch =
        s.breakAt !== undefined && start + s.breakAt * 15 + 30 < end
          ? [{ start: hhmm(start + s.breakAt * 15), end: hhmm(start + s.breakAt * 15 + 30) }]
          : [];
      return shift(
        providers[who % providers.length]!.uuid,
        locations[where % locations.length]!.uuid,
        s.day,
        hhmm(start),
        hhmm(end),
        lunch,
      );
    });
    const base = wallClockBoundary(g.startDate, "00:00", locations[0]!.timezone)!;
    const bookings: AppointmentRecord[] = g.bookings.map((b) => {
      const where = locations[b.where % locations.length]!;
      const start = base + b.offsetMinutes * 60_000;
      return booking({
        provider_uuid: providers[b.who % providers.length]!.uuid,
        location_uuid: where.uuid,
        operatory_uuid: where.operatories[b.op % where.operatories.length]!.uuid,
        start,
        end: start + b.length * 60_000,
        status: b.cancelled ? "cancelled" : "confirmed",
      });
    });
    const snapshot: ScheduleSnapshot = {
      locations,
      providers,
      shifts,
      timeOff: g.timeOff.map((t, i) => ({
        uuid: uuid(7, i),
        provider_uuid: providers[t.who % providers.length]!.uuid,
        start: base + t.offsetMinutes * 60_000,
        end: base + (t.offsetMinutes + t.length) * 60_000,
        reason: "away",
      })),
      closures: g.closures.map((c) => ({
        location_uuid: locations[c.where % locations.length]!.uuid,
        date: addDays(g.startDate, c.day),
        reason: "closed",
      })),
      bookings,
    };
    const request: SlotRequest = {
      duration_minutes: g.duration,
      provider_uuids: providers.map((p) => p.uuid),
      location_uuids: locations.map((l) => l.uuid),
      start_date: g.startDate,
      end_date: addDays(g.startDate, g.days),
      step_minutes: g.step,
      limit: 500,
      now: base + g.nowOffsetMinutes * 60_000,
    };
    return { snapshot, request };
  });

/** Half-open overlap; an empty interval (e.g. a break wholly inside a DST gap) overlaps nothing. */
const overlaps = (a: { start: number; end: number }, b: { start: number; end: number }) =>
  a.start < a.end && b.start < b.end && a.start < b.end && b.start < a.end;

/** Reads a local label back; slots must be addressable by their own scheduled_start/end. */
function readBack(instant: number, zone: string): number | undefined {
  const parsed = parseDateTime(formatLocalDateTime(instant, zone));
  const resolved = parsed.ok ? resolveDateTime(parsed.value, zone) : undefined;
  return resolved?.ok ? resolved.instant : undefined;
}

/** Checks a slot against the raw records, without the rule engine. */
function violations(snapshot: ScheduleSnapshot, slot: FoundSlot): string[] {
  const where = snapshot.locations.find((l) => l.uuid === slot.location_uuid)!;
  const zone = where.timezone;
  const date = localDate(slot.start, zone);
  const problems: string[] = [];
  if (snapshot.closures.some((c) => c.location_uuid === where.uuid && c.date === date)) problems.push("closure");
  if (snapshot.timeOff.some((t) => t.provider_uuid === slot.provider_uuid && overlaps(t, slot)))
    problems.push("time off");
  const live = snapshot.bookings.filter((b) => b.status !== "cancelled");
  if (live.some((b) => b.provider_uuid === slot.provider_uuid && overlaps(b, slot))) problems.push("provider booking");
  if (live.some((b) => b.operatory_uuid === slot.operatory_uuid && overlaps(b, slot)))
    problems.push("operatory booking");
  if (!where.operatories.some((o) => o.uuid === slot.operatory_uuid)) problems.push("foreign operatory");
  const inShift = snapshot.shifts.some((s) => {
    if (s.provider_uuid !== slot.provider_uuid || s.location_uuid !== where.uuid || s.day !== weekdayOf(date))
      return false;
    const from = wallClockBoundary(date, s.start, zone)!;
    const to = wallClockBoundary(date, s.end, zone)!;
    const lunch = s.breaks.map((b) => ({
      start: wallClockBoundary(date, b.start, zone)!,
      end: wallClockBoundary(date, b.end, zone)!,
    }));
    return from <= slot.start && slot.end <= to && !lunch.some((b) => overlaps(b, slot));
  });
  if (!inShift) problems.push("outside shift or in break");
  if (readBack(slot.start, zone) !== slot.start || readBack(slot.end, zone) !== slot.end)
    problems.push("not addressable");
  return problems;
}

/** Every stepped wall-clock start of every shift, judged one by one with checkBookable. */
function bruteForce(snapshot: ScheduleSnapshot, request: SlotRequest): string[] {
  const prepared = prepareSnapshot(snapshot);
  const keys: string[] = [];
  for (let d = 0; d <= daysBetween(request.start_date, request.end_date); d++) {
    const date = addDays(request.start_date, d);
    for (const s of snapshot.shifts) {
      const where = snapshot.locations.find((l) => l.uuid === s.location_uuid)!;
      if (s.day !== weekdayOf(date)) continue;
      const [sh, sm] = s.start.split(":").map(Number) as [number, number];
      const [eh, em] = s.end.split(":").map(Number) as [number, number];
      for (let m = sh * 60 + sm; m < eh * 60 + em; m += request.step_minutes) {
        const start = wallClockToInstant(date, hhmm(m), where.timezone);
        if (start === null) continue;
        const end = start + request.duration_minutes * 60_000;
        const verdict = checkBookable(
          prepared,
          { provider_uuid: s.provider_uuid, location_uuid: where.uuid, start, end },
          request.now,
        );
        if (verdict.ok && readBack(end, where.timezone) === end) keys.push(`${start}|${s.provider_uuid}|${where.uuid}`);
      }
    }
  }
  return [...new Set(keys)].sort();
}

const keyOf = (slot: FoundSlot) => `${slot.start}|${slot.provider_uuid}|${slot.location_uuid}`;
const RUNS = { numRuns: 60, seed: 20260308 };

describe("findSlots properties", () => {
  it("generates worlds that do offer slots (the properties below are not vacuous)", () => {
    const worlds = fc.sample(worldArb, { numRuns: RUNS.numRuns, seed: RUNS.seed });
    const withSlots = worlds.filter(({ snapshot, request }) => findSlots(snapshot, request).slots.length > 0);
    expect(withSlots.length).toBeGreaterThan(worlds.length / 3);
  });

  it("returns sorted, unique slots, each bookable by checkBookable with the same operatory", () => {
    fc.assert(
      fc.property(worldArb, ({ snapshot, request }) => {
        const { slots } = findSlots(snapshot, request);
        for (const [i, slot] of slots.entries()) {
          expect(checkBookable(snapshot, slot, request.now)).toEqual({ ok: true, operatory_uuid: slot.operatory_uuid });
          expect(slot.end - slot.start).toBe(request.duration_minutes * 60_000);
          if (i > 0) expect(slot.start).toBeGreaterThanOrEqual(slots[i - 1]!.start);
        }
        expect(new Set(slots.map(keyOf)).size).toBe(slots.length);
      }),
      RUNS,
    );
  });

  it("no slot overlaps a break, time off, closure or booking, and each is addressable in local time", () => {
    fc.assert(
      fc.property(worldArb, ({ snapshot, request }) => {
        for (const slot of findSlots(snapshot, request).slots) expect(violations(snapshot, slot)).toEqual([]);
      }),
      RUNS,
    );
  });

  it("finds exactly the stepped starts that checkBookable accepts", () => {
    fc.assert(
      fc.property(worldArb, ({ snapshot, request }) => {
        const result = findSlots(snapshot, request);
        expect(result.has_more).toBe(false);
        expect(result.slots.map(keyOf).sort()).toEqual(bruteForce(snapshot, request));
      }),
      RUNS,
    );
  });

  it("after booking a returned slot, nothing overlapping it for that provider or operatory is returned", () => {
    fc.assert(
      fc.property(worldArb, fc.nat(), ({ snapshot, request }, pick) => {
        const before = findSlots(snapshot, request).slots;
        fc.pre(before.length > 0);
        const chosen = before[pick % before.length]!;
        const booked = { ...snapshot, bookings: [...snapshot.bookings, booking({ ...chosen, status: "scheduled" })] };
        const after = findSlots(booked, request).slots;
        expect(after.map(keyOf)).not.toContain(keyOf(chosen));
        for (const slot of after) {
          if (overlaps(slot, chosen)) {
            expect(slot.provider_uuid).not.toBe(chosen.provider_uuid);
            expect(slot.operatory_uuid).not.toBe(chosen.operatory_uuid);
          }
        }
        // Everything else still offered before remains offered unless it needed that provider or operatory.
        const afterKeys = new Set(after.map(keyOf));
        for (const slot of before) {
          if (!overlaps(slot, chosen) && slot.provider_uuid !== chosen.provider_uuid)
            expect(afterKeys.has(keyOf(slot))).toBe(true);
        }
      }),
      RUNS,
    );
  });

  it("a limit returns the earliest slots of the unlimited answer and says whether more exist", () => {
    fc.assert(
      fc.property(worldArb, fc.integer({ min: 0, max: 20 }), ({ snapshot, request }, limit) => {
        const all = findSlots(snapshot, request).slots;
        const limited = findSlots(snapshot, { ...request, limit });
        expect(limited.slots).toEqual(all.slice(0, limit));
        expect(limited.has_more).toBe(all.length > limit);
      }),
      RUNS,
    );
  });
});
