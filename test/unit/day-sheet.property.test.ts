/**
 * Properties of a day's free gaps over random schedules (DST days included): a gap never overlaps a
 * booking of its chair or provider and lies within working time; gaps and bookings together cover the
 * working time; and a provider's working time is exactly where the booking rule (checkBookable, on the
 * same schedule without bookings) would take them.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { dayGaps, intersect, normalize } from "../../src/sandbox/domain/day-sheet.js";
import type { AppointmentRecord, Interval, ScheduleSnapshot, ShiftRecord } from "../../src/sandbox/domain/model.js";
import { checkBookable, prepareSnapshot } from "../../src/sandbox/domain/rules.js";
import { startOfLocalDay, weekdayOf } from "../../src/sandbox/domain/time.js";
import { booking, location, provider, shift } from "./support/schedule.js";

const ZONES = ["America/Los_Angeles", "America/New_York", "Europe/London", "Asia/Kolkata"];
// Transition days of those zones in 2026, and ordinary days.
const DATES = ["2026-03-08", "2026-11-01", "2026-03-29", "2026-10-25", "2026-06-16", "2026-09-05"];
const MINUTE = 60_000;
const uuid = (kind: number, n: number) => `${kind}0000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
const hhmm = (minutes: number) =>
  `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;

interface World {
  snapshot: ScheduleSnapshot;
  date: string;
  dayStart: number;
}

const worldArb: fc.Arbitrary<World> = fc
  .record({
    zone: fc.constantFrom(...ZONES),
    date: fc.constantFrom(...DATES),
    operatories: fc.integer({ min: 1, max: 3 }),
    providers: fc.integer({ min: 1, max: 3 }),
    opening: fc.tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 4, max: 56 })),
    shifts: fc.array(
      fc.record({
        who: fc.nat(),
        startQuarter: fc.integer({ min: 0, max: 80 }),
        lengthQuarters: fc.integer({ min: 2, max: 40 }),
        breakAt: fc.option(fc.integer({ min: 1, max: 30 }), { nil: undefined }),
      }),
      { minLength: 1, maxLength: 5 },
    ),
    bookings: fc.array(
      fc.record({
        who: fc.nat(),
        op: fc.nat(),
        offsetMinutes: fc.integer({ min: -120, max: 25 * 60 }),
        length: fc.constantFrom(15, 30, 45, 60, 90),
        cancelled: fc.boolean(),
      }),
      { maxLength: 20 },
    ),
    timeOff: fc.array(
      fc.record({
        who: fc.nat(),
        offsetMinutes: fc.integer({ min: -600, max: 24 * 60 }),
        length: fc.integer({ min: 30, max: 12 * 60 }),
      }),
      { maxLength: 2 },
    ),
    closed: fc.integer({ min: 0, max: 9 }).map((n) => n < 2),
  })
  .map((g) => {
    const where = location(
      uuid(1, 0),
      "Location",
      g.zone,
      Array.from({ length: g.operatories }, (_, o) => uuid(2, o)),
    );
    const day = weekdayOf(g.date);
    const [openQuarter, openLength] = g.opening;
    where.opening_hours = [
      { day, open: hhmm(openQuarter * 15), close: hhmm(Math.min(openQuarter * 15 + openLength * 15, 23 * 60 + 45)) },
    ];
    const providers = Array.from({ length: g.providers }, (_, p) =>
      provider(uuid(3, p), `P${p}`, "dentist", [where.uuid]),
    );
    const shifts: ShiftRecord[] = g.shifts
      .map((s) => {
        const start = s.startQuarter * 15;
        const end = Math.min(start + s.lengthQuarters * 15, 23 * 60 + 45);
        const lunch =
          s.breakAt !== undefined && start + s.breakAt * 15 + 30 < end
            ? [{ start: hhmm(start + s.breakAt * 15), end: hhmm(start + s.breakAt * 15 + 30) }]
            : [];
        return { who: providers[s.who % providers.length]!.uuid, start, end, lunch };
      })
      // One provider's shifts of a day never overlap (the booking rule would judge by the first one alone).
      .filter((s, i, all) => !all.slice(0, i).some((t) => t.who === s.who && t.start < s.end && s.start < t.end))
      .map((s) => shift(s.who, where.uuid, day, hhmm(s.start), hhmm(s.end), s.lunch));
    const dayStart = startOfLocalDay(g.date, g.zone);
    const bookings: AppointmentRecord[] = g.bookings.map((b) => {
      const start = dayStart + b.offsetMinutes * MINUTE;
      return booking({
        provider_uuid: providers[b.who % providers.length]!.uuid,
        location_uuid: where.uuid,
        operatory_uuid: where.operatories[b.op % where.operatories.length]!.uuid,
        start,
        end: start + b.length * MINUTE,
        status: b.cancelled ? "cancelled" : "confirmed",
      });
    });
    const snapshot: ScheduleSnapshot = {
      locations: [where],
      providers,
      shifts,
      timeOff: g.timeOff.map((t, i) => ({
        uuid: uuid(7, i),
        provider_uuid: providers[t.who % providers.length]!.uuid,
        start: dayStart + t.offsetMinutes * MINUTE,
        end: dayStart + (t.offsetMinutes + t.length) * MINUTE,
        reason: "away",
      })),
      closures: g.closed ? [{ location_uuid: where.uuid, date: g.date, reason: "closed" }] : [],
      bookings,
    };
    return { snapshot, date: g.date, dayStart };
  });

const total = (intervals: readonly Interval[]) => intervals.reduce((sum, i) => sum + (i.end - i.start), 0);
const overlaps = (a: Interval, b: Interval) => a.start < b.end && b.start < a.end;
const within = (inner: Interval, outer: readonly Interval[]) =>
  outer.some((o) => o.start <= inner.start && inner.end <= o.end);

function resources(world: World) {
  const gaps = dayGaps(world.snapshot, { date: world.date, location_uuids: [world.snapshot.locations[0]!.uuid] });
  const live = world.snapshot.bookings.filter((b) => b.status !== "cancelled");
  return [
    ...gaps.operatories.map((o) => ({ ...o, taken: live.filter((b) => b.operatory_uuid === o.operatory_uuid) })),
    ...gaps.providers.map((p) => ({ ...p, taken: live.filter((b) => b.provider_uuid === p.provider_uuid) })),
  ];
}

describe("dayGaps over random schedules", () => {
  it("gaps lie within working time, overlap no booking, and with the bookings cover the working time", () => {
    fc.assert(
      fc.property(worldArb, (world) => {
        for (const resource of resources(world)) {
          expect(normalize(resource.free)).toEqual(resource.free);
          expect(normalize(resource.working)).toEqual(resource.working);
          for (const gap of resource.free) {
            expect(within(gap, resource.working)).toBe(true);
            expect(resource.taken.some((b) => overlaps(b, gap))).toBe(false);
          }
          const booked = intersect(resource.working, resource.taken);
          expect(total(resource.free) + total(booked)).toBe(total(resource.working));
        }
      }),
      { numRuns: 300 },
    );
  });

  it("a provider works exactly where the booking rule would take them (minute by minute, bookings aside)", () => {
    fc.assert(
      fc.property(worldArb, fc.integer({ min: 0, max: 14 }), (world, offset) => {
        const empty = { ...world.snapshot, bookings: [] };
        const prepared = prepareSnapshot(empty);
        const where = world.snapshot.locations[0]!;
        const gaps = dayGaps(empty, { date: world.date, location_uuids: [where.uuid] });
        const now = world.dayStart - 60 * MINUTE;
        for (const p of world.snapshot.providers) {
          const working = gaps.providers.find((g) => g.provider_uuid === p.uuid)?.working ?? [];
          // Every 15 minutes of the day (from a random first minute), a one-minute visit.
          for (
            let start = world.dayStart + offset * MINUTE;
            start < world.dayStart + 24 * 60 * MINUTE;
            start += 15 * MINUTE
          ) {
            const minute = { start, end: start + MINUTE };
            const candidate = { provider_uuid: p.uuid, location_uuid: where.uuid, ...minute };
            expect(within(minute, working), `${p.uuid} at ${new Date(start).toISOString()}`).toBe(
              checkBookable(prepared, candidate, now).ok,
            );
          }
        }
      }),
      { numRuns: 150 },
    );
  });
});
