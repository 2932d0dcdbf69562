import { describe, expect, it } from "vitest";
import { type SlotRequest, findSlots } from "../../src/sandbox/domain/availability.js";
import { formatLocalDateTime } from "../../src/sandbox/domain/time.js";
import type { ScheduleSnapshot } from "../../src/sandbox/domain/model.js";
import {
  CHEN,
  LA,
  NY,
  NYC_UUID,
  OP1,
  OP_NYC,
  PATEL,
  SF_UUID,
  at,
  baseSnapshot,
  booking,
  location,
  provider,
  shift,
} from "./support/schedule.js";

const NOW = at("2025-05-01T09:00");

function request(fields: Partial<SlotRequest>): SlotRequest {
  return {
    duration_minutes: 60,
    provider_uuids: [CHEN],
    location_uuids: [SF_UUID],
    start_date: "2025-05-20",
    end_date: "2025-05-20",
    step_minutes: 30,
    limit: 100,
    now: NOW,
    ...fields,
  };
}

const localStarts = (snapshot: ScheduleSnapshot, req: SlotRequest, zone = LA) =>
  findSlots(snapshot, req).slots.map((slot) => formatLocalDateTime(slot.start, zone).slice(11, 16));

describe("findSlots on a known schedule", () => {
  it("steps from the shift start and skips bookings and lunch", () => {
    const snapshot = baseSnapshot();
    snapshot.bookings.push(booking({ start: at("2025-05-20T10:00"), end: at("2025-05-20T11:00") }));
    expect(localStarts(snapshot, request({}))).toEqual([
      "08:00",
      "08:30",
      "09:00",
      "11:00",
      "13:00",
      "13:30",
      "14:00",
      "14:30",
      "15:00",
      "15:30",
      "16:00",
    ]);
    const { slots } = findSlots(snapshot, request({}));
    expect(slots[0]).toEqual({
      start: at("2025-05-20T08:00"),
      end: at("2025-05-20T09:00"),
      provider_uuid: CHEN,
      location_uuid: SF_UUID,
      operatory_uuid: OP1,
    });
  });

  it("never offers past times", () => {
    expect(localStarts(baseSnapshot(), request({ now: at("2025-05-20T14:10") }))).toEqual([
      "14:30",
      "15:00",
      "15:30",
      "16:00",
    ]);
  });

  it("stops at the limit and says there is more", () => {
    const result = findSlots(baseSnapshot(), request({ limit: 3, end_date: "2025-05-30" }));
    expect(result.slots.map((slot) => formatLocalDateTime(slot.start, LA))).toEqual([
      "2025-05-20T08:00:00",
      "2025-05-20T08:30:00",
      "2025-05-20T09:00:00",
    ]);
    expect(result.has_more).toBe(true);
    // 08:00-11:00 and 13:00-16:00 every 30 minutes: 14 one-hour slots that day.
    expect(findSlots(baseSnapshot(), request({ limit: 14 })).has_more).toBe(false);
    expect(findSlots(baseSnapshot(), request({ limit: 13 })).has_more).toBe(true);
  });

  it("orders across providers and timezones chronologically, ties by provider order", () => {
    const snapshot = baseSnapshot();
    snapshot.shifts.push(shift(PATEL, SF_UUID, "wednesday", "08:00", "10:00"));
    const result = findSlots(
      snapshot,
      request({
        provider_uuids: [PATEL, CHEN],
        location_uuids: [SF_UUID, NYC_UUID],
        start_date: "2025-05-21",
        end_date: "2025-05-21",
        limit: 6,
      }),
    );
    // Patel starts at 09:00 New York (06:00 in LA); at 08:00 LA she is free in both places (SF listed first).
    expect(
      result.slots.map((s) => [formatLocalDateTime(s.start, LA).slice(11, 16), s.provider_uuid, s.location_uuid]),
    ).toEqual([
      ["06:00", PATEL, NYC_UUID],
      ["06:30", PATEL, NYC_UUID],
      ["07:00", PATEL, NYC_UUID],
      ["07:30", PATEL, NYC_UUID],
      ["08:00", PATEL, SF_UUID],
      ["08:00", PATEL, NYC_UUID],
    ]);
    expect(result.slots[0]?.operatory_uuid).toBe(OP_NYC);
    expect(result.has_more).toBe(true);
  });

  it("offers nothing on a closure day, during time off, or for an unknown provider", () => {
    const snapshot = baseSnapshot();
    snapshot.closures.push({ location_uuid: SF_UUID, date: "2025-05-20", reason: "Holiday" });
    snapshot.timeOff.push({
      uuid: "70000000-0000-4000-8000-000000000001",
      provider_uuid: CHEN,
      start: at("2025-05-21T00:00"),
      end: at("2025-05-22T12:00"),
      reason: "Vacation",
    });
    expect(localStarts(snapshot, request({ end_date: "2025-05-21" }))).toEqual([]);
    expect(localStarts(snapshot, request({ start_date: "2025-05-22", end_date: "2025-05-22" }))).toEqual([
      "13:00",
      "13:30",
      "14:00",
      "14:30",
      "15:00",
      "15:30",
      "16:00",
    ]);
    expect(findSlots(snapshot, request({ provider_uuids: ["99999999-0000-4000-8000-000000000000"] })).slots).toEqual(
      [],
    );
  });

  it("rejects a request that would never end", () => {
    expect(() => findSlots(baseSnapshot(), request({ step_minutes: 0 }))).toThrow(/step_minutes/);
    expect(() => findSlots(baseSnapshot(), request({ duration_minutes: -5 }))).toThrow(/duration_minutes/);
  });
});

describe("findSlots on DST days", () => {
  const NIGHT = "30000000-0000-4000-8000-00000000000a";
  const DAY = "30000000-0000-4000-8000-00000000000b";
  const OPEN = "10000000-0000-4000-8000-00000000000a";

  function dstSnapshot(timezone: string): ScheduleSnapshot {
    return {
      locations: [
        location(OPEN, "Always Open", timezone, [
          "20000000-0000-4000-8000-00000000000a",
          "20000000-0000-4000-8000-00000000000b",
        ]),
      ],
      providers: [provider(NIGHT, "Night", "dentist", [OPEN]), provider(DAY, "Day", "dentist", [OPEN])],
      shifts: (["sunday", "monday"] as const).flatMap((day) => [
        shift(NIGHT, OPEN, day, "01:00", "04:00"),
        shift(DAY, OPEN, day, "08:00", "17:00"),
      ]),
      timeOff: [],
      closures: [],
      bookings: [],
    };
  }
  const dstRequest = (date: string, providerUuid: string, duration: number): SlotRequest => ({
    duration_minutes: duration,
    provider_uuids: [providerUuid],
    location_uuids: [OPEN],
    start_date: date,
    end_date: date,
    step_minutes: 15,
    limit: 500,
    now: at("2026-01-01T00:00"),
  });
  const labels = (snapshot: ScheduleSnapshot, req: SlotRequest, zone: string) =>
    findSlots(snapshot, req).slots.map(
      (slot) =>
        `${formatLocalDateTime(slot.start, zone).slice(11, 16)}-${formatLocalDateTime(slot.end, zone).slice(11, 16)}`,
    );

  it("spring forward: the skipped hour has no slots, and slots across it last their real duration", () => {
    const slots = labels(dstSnapshot(LA), dstRequest("2026-03-08", NIGHT, 30), LA);
    expect(slots).toEqual([
      "01:00-01:30",
      "01:15-01:45",
      "01:30-03:00",
      "01:45-03:15",
      "03:00-03:30",
      "03:15-03:45",
      "03:30-04:00",
    ]);
  });

  it("fall back: the repeated hour is offered once, in its first occurrence, with addressable ends", () => {
    const snapshot = dstSnapshot(LA);
    const slots = findSlots(snapshot, dstRequest("2026-11-01", NIGHT, 30)).slots;
    expect(slots.map((s) => formatLocalDateTime(s.start, LA).slice(11, 16))).toEqual([
      "01:00",
      "01:15",
      "02:00",
      "02:15",
      "02:30",
      "02:45",
      "03:00",
      "03:15",
      "03:30",
    ]);
    expect(slots[0]?.start).toBe(Date.parse("2026-11-01T08:00:00Z")); // 01:00 PDT
    expect(slots[2]?.start).toBe(Date.parse("2026-11-01T10:00:00Z")); // 02:00 PST
    expect(new Set(slots.map((s) => s.start)).size).toBe(slots.length);
  });

  it.each([
    [LA, "2026-03-08"],
    [LA, "2026-11-01"],
    ["Europe/London", "2026-03-29"],
    ["Europe/London", "2026-10-25"],
  ])("a daytime 08:00-17:00 shift in %s on %s has the same slots as on a normal day", (zone, date) => {
    const snapshot = dstSnapshot(zone);
    const onDstDay = labels(snapshot, dstRequest(date, DAY, 60), zone);
    expect(onDstDay).toHaveLength(33);
    expect(onDstDay[0]).toBe("08:00-09:00");
    expect(onDstDay.at(-1)).toBe("16:00-17:00");
    expect(labels(snapshot, dstRequest("2026-06-14", DAY, 60), zone)).toEqual(onDstDay);
  });

  it("London spring forward: 01:00-02:00 does not exist", () => {
    const slots = labels(dstSnapshot("Europe/London"), dstRequest("2026-03-29", NIGHT, 60), "Europe/London");
    expect(slots).toEqual(["02:00-03:00", "02:15-03:15", "02:30-03:30", "02:45-03:45", "03:00-04:00"]);
  });

  it("New York is unaffected by a Los Angeles transition hour", () => {
    const slots = labels(dstSnapshot(NY), dstRequest("2026-06-14", NIGHT, 60), NY);
    expect(slots).toHaveLength(9);
  });
});
