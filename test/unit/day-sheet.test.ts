/** The free gaps of a day, per chair and per provider, on the hand-written practice of support/schedule.ts. */
import { describe, expect, it } from "vitest";
import { dayGaps, intersect, normalize, subtract } from "../../src/sandbox/domain/day-sheet.js";
import type { Interval, ScheduleSnapshot } from "../../src/sandbox/domain/model.js";
import { formatLocalDateTime } from "../../src/sandbox/domain/time.js";
import {
  CHEN,
  LA,
  NYC_UUID,
  OP1,
  OP2,
  OP_NYC,
  PATEL,
  RETIRED,
  SF_UUID,
  at,
  baseSnapshot,
  booking,
} from "./support/schedule.js";

/** A Tuesday: Dr. Chen 08:00-17:00 with lunch 12:00-13:00, Patel 09:00-15:00, Main Street open 08:00-18:00. */
const TUESDAY = "2025-05-20";
const hours = (intervals: Interval[], zone = LA) =>
  intervals.map(
    (i) => `${formatLocalDateTime(i.start, zone).slice(11, 16)}-${formatLocalDateTime(i.end, zone).slice(11, 16)}`,
  );
const tuesday = (hhmm: string) => at(`${TUESDAY}T${hhmm}`);

function gapsOf(snapshot: ScheduleSnapshot, provider_uuids?: string[]) {
  const gaps = dayGaps(snapshot, { date: TUESDAY, location_uuids: [SF_UUID], provider_uuids });
  return {
    chairs: Object.fromEntries(
      gaps.operatories.map((o) => [o.operatory_uuid, { working: hours(o.working), free: hours(o.free) }]),
    ),
    providers: Object.fromEntries(
      gaps.providers.map((p) => [p.provider_uuid, { working: hours(p.working), free: hours(p.free) }]),
    ),
  };
}

describe("interval arithmetic", () => {
  const i = (start: number, end: number): Interval => ({ start, end });
  it("normalizes to sorted, disjoint, non-empty intervals", () => {
    expect(normalize([i(5, 7), i(1, 3), i(2, 4), i(4, 5), i(9, 9)])).toEqual([i(1, 7)]);
  });
  it("intersects", () => {
    expect(intersect([i(0, 10), i(20, 30)], [i(5, 25)])).toEqual([i(5, 10), i(20, 25)]);
    expect(intersect([i(0, 10)], [i(10, 20)])).toEqual([]);
  });
  it("subtracts, leaving what no hole covers", () => {
    expect(subtract([i(0, 100)], [i(10, 20), i(15, 30), i(90, 120)])).toEqual([i(0, 10), i(30, 90)]);
    expect(subtract([i(0, 10)], [i(0, 10)])).toEqual([]);
    expect(subtract([i(0, 10), i(20, 30)], [])).toEqual([i(0, 10), i(20, 30)]);
  });
});

describe("dayGaps", () => {
  it("gives every chair the opening hours and every working provider the shift minus breaks, all free on an empty day", () => {
    const { chairs, providers } = gapsOf(baseSnapshot());
    expect(chairs).toEqual({
      [OP1]: { working: ["08:00-18:00"], free: ["08:00-18:00"] },
      [OP2]: { working: ["08:00-18:00"], free: ["08:00-18:00"] },
    });
    // Patel works Tuesdays here; the inactive provider has a Monday shift only, and would not count anyway.
    expect(providers).toEqual({
      [CHEN]: { working: ["08:00-12:00", "13:00-17:00"], free: ["08:00-12:00", "13:00-17:00"] },
      [PATEL]: { working: ["09:00-15:00"], free: ["09:00-15:00"] },
    });
  });

  it("takes the bookings out of their chair and their provider; cancelled ones occupy nothing", () => {
    const snapshot = baseSnapshot();
    snapshot.bookings = [
      booking({ provider_uuid: CHEN, operatory_uuid: OP1, start: tuesday("09:00"), end: tuesday("10:00") }),
      booking({ provider_uuid: PATEL, operatory_uuid: OP2, start: tuesday("10:00"), end: tuesday("11:30") }),
      booking({ provider_uuid: CHEN, operatory_uuid: OP2, start: tuesday("11:30"), end: tuesday("12:00") }),
      booking({
        provider_uuid: CHEN,
        operatory_uuid: OP1,
        start: tuesday("14:00"),
        end: tuesday("15:00"),
        status: "cancelled",
      }),
    ];
    const { chairs, providers } = gapsOf(snapshot);
    expect(chairs[OP1]!.free).toEqual(["08:00-09:00", "10:00-18:00"]);
    expect(chairs[OP2]!.free).toEqual(["08:00-10:00", "12:00-18:00"]);
    expect(providers[CHEN]!.free).toEqual(["08:00-09:00", "10:00-11:30", "13:00-17:00"]);
    expect(providers[PATEL]!.free).toEqual(["09:00-10:00", "11:30-15:00"]);
  });

  it("counts a provider's booking at another location against their day here", () => {
    const snapshot = baseSnapshot();
    const ny = (hhmm: string) => at(`${TUESDAY}T${hhmm}`, "America/New_York");
    snapshot.bookings = [
      booking({
        provider_uuid: PATEL,
        location_uuid: NYC_UUID,
        operatory_uuid: OP_NYC,
        start: ny("13:00"),
        end: ny("14:00"),
      }),
    ];
    // 13:00-14:00 in New York is 10:00-11:00 in Los Angeles.
    expect(gapsOf(snapshot).providers[PATEL]!.free).toEqual(["09:00-10:00", "11:00-15:00"]);
    expect(gapsOf(snapshot).chairs[OP1]!.free).toEqual(["08:00-18:00"]);
  });

  it("leaves out time off, and nothing works on a closed day", () => {
    const snapshot = baseSnapshot();
    snapshot.timeOff = [
      {
        uuid: "t1",
        provider_uuid: CHEN,
        start: tuesday("15:00"),
        end: tuesday("15:00") + 86_400_000,
        reason: "CE course",
      },
    ];
    expect(gapsOf(snapshot).providers[CHEN]).toEqual({
      working: ["08:00-12:00", "13:00-15:00"],
      free: ["08:00-12:00", "13:00-15:00"],
    });

    snapshot.closures = [{ location_uuid: SF_UUID, date: TUESDAY, reason: "Holiday" }];
    const closed = gapsOf(snapshot);
    expect(Object.values(closed.chairs)).toEqual([
      { working: [], free: [] },
      { working: [], free: [] },
    ]);
    expect(Object.values(closed.providers).every((p) => p.working.length === 0 && p.free.length === 0)).toBe(true);
  });

  it("keeps the providers asked for, where they have a shift that day", () => {
    expect(Object.keys(gapsOf(baseSnapshot(), [CHEN]).providers)).toEqual([CHEN]);
    expect(Object.keys(gapsOf(baseSnapshot(), [RETIRED]).providers)).toEqual([]);
    // Monday: Patel does not work at Main Street.
    const monday = dayGaps(baseSnapshot(), { date: "2025-05-19", location_uuids: [SF_UUID], provider_uuids: [PATEL] });
    expect(monday.providers).toEqual([]);
    expect(monday.operatories.map((o) => o.operatory_uuid)).toEqual([OP1, OP2]);
  });

  it("clips a shift to the opening hours", () => {
    const snapshot = baseSnapshot();
    snapshot.locations[0]!.opening_hours = [{ day: "tuesday", open: "10:00", close: "16:00" }];
    expect(gapsOf(snapshot).providers[CHEN]!.working).toEqual(["10:00-12:00", "13:00-16:00"]);
  });
});
