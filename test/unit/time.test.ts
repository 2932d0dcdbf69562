import fc from "fast-check";
import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import { parseDateTime } from "../../src/contract/index.js";
import {
  addDays,
  addMonths,
  daysBetween,
  formatLocalDateTime,
  localDate,
  resolveDateTime,
  startOfLocalDay,
  wallClockBoundary,
  wallClockToInstant,
  weekdayOf,
} from "../../src/sandbox/domain/time.js";

const LA = "America/Los_Angeles";
const LONDON = "Europe/London";
const utc = (iso: string) => Date.parse(iso);

/** What the API does with a date-time: the contract parses the text, the domain resolves it at the location. */
function resolve(input: string, zone: string) {
  const parsed = parseDateTime(input);
  if (!parsed.ok) throw new Error(`the contract refused ${input}: ${parsed.message}`);
  return resolveDateTime(parsed.value, zone);
}

function instantOf(input: string, zone: string): number {
  const resolved = resolve(input, zone);
  if (!resolved.ok) throw new Error(resolved.message);
  return resolved.instant;
}

/** Zones with DST both ways, half- and quarter-hour offsets, a 30-minute DST shift, and local mean time. */
const OFFSET_ZONES = [
  LA,
  LONDON,
  "Australia/Lord_Howe",
  "Asia/Kathmandu",
  "America/St_Johns",
  "Pacific/Chatham",
  "Europe/Amsterdam",
  "UTC",
];

/** Instants from 1850 to 9999, and around the clock changes of 2026 to the millisecond. */
const anyInstant = fc.oneof(
  fc.integer({ min: Date.UTC(1850, 0, 1), max: Date.UTC(9999, 11, 31) }),
  fc.integer({ min: Date.UTC(2026, 2, 1), max: Date.UTC(2026, 3, 15) }),
  fc.integer({ min: Date.UTC(2026, 8, 20), max: Date.UTC(2026, 10, 10) }),
);

/** Spring-forward and fall-back instants of 2026 in Los Angeles and Lord Howe (a half-hour change). */
const CLOCK_CHANGES = [
  [LA, utc("2026-03-08T10:00:00Z")],
  [LA, utc("2026-11-01T09:00:00Z")],
  ["Australia/Lord_Howe", utc("2026-04-04T15:00:00Z")],
  ["Australia/Lord_Howe", utc("2026-10-03T15:30:00Z")],
] as const;

describe("resolveDateTime: a parsed date-time at a location", () => {
  it("reads wall-clock time in the location's zone, with or without seconds and zero fractions", () => {
    expect(instantOf("2025-05-20T10:00:00", LA)).toBe(utc("2025-05-20T17:00:00Z"));
    expect(instantOf("2025-05-20T10:00", LA)).toBe(utc("2025-05-20T17:00:00Z"));
    expect(instantOf("2025-01-20T10:00:30.000", LA)).toBe(utc("2025-01-20T18:00:30Z"));
    expect(instantOf("2025-07-01T09:15", LONDON)).toBe(utc("2025-07-01T08:15:00Z"));
  });

  it("converts values with Z or an offset as instants, whatever the location's zone", () => {
    expect(instantOf("2025-05-20T17:00:00Z", LA)).toBe(utc("2025-05-20T17:00:00Z"));
    expect(instantOf("2025-05-20T13:00:00-04:00", LA)).toBe(utc("2025-05-20T17:00:00Z"));
    expect(instantOf("2025-05-20T22:30:00+05:30", LONDON)).toBe(utc("2025-05-20T17:00:00Z"));
    expect(instantOf("2025-05-20T19:00+02:00", LA)).toBe(utc("2025-05-20T17:00:00Z"));
  });

  it("rejects a time skipped by spring forward and suggests the first valid time after the gap", () => {
    const la = resolve("2026-03-08T02:30", LA);
    expect(la).toMatchObject({ ok: false, code: "nonexistent_local_time" });
    if (la.ok) return;
    expect(la.message).toContain("skips forward from 02:00 to 03:00");
    expect(la.message).toContain("2026-03-08T03:00:00");

    const london = resolve("2026-03-29T01:00:00", LONDON);
    expect(london).toMatchObject({ ok: false, code: "nonexistent_local_time" });
    if (!london.ok) expect(london.message).toContain("2026-03-29T02:00:00");
  });

  it("accepts the times right around the gap", () => {
    expect(instantOf("2026-03-08T01:59", LA)).toBe(utc("2026-03-08T09:59:00Z"));
    expect(instantOf("2026-03-08T03:00", LA)).toBe(utc("2026-03-08T10:00:00Z"));
  });

  it("resolves the repeated fall-back hour to its first (daylight-time) occurrence", () => {
    expect(instantOf("2026-11-01T01:30", LA)).toBe(utc("2026-11-01T08:30:00Z")); // 01:30 PDT
    expect(instantOf("2026-11-01T02:00", LA)).toBe(utc("2026-11-01T10:00:00Z")); // after the repeat
    expect(instantOf("2026-10-25T01:30", LONDON)).toBe(utc("2026-10-25T00:30:00Z")); // 01:30 BST
  });

  it.each([
    "2025-02-30T10:00",
    "2025-13-01T10:00",
    "2025-05-20T24:00",
    "2025-05-20T10:60",
    "2025-05-20 10:00",
    "2025-05-20",
    "10:00",
    "next tuesday",
    "",
    "2025-05-20T10:00:00+25:00",
  ])("never receives malformed %j: the contract refuses it with a message naming the expected form", (input) => {
    const parsed = parseDateTime(input);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message).toMatch(/^must .*(e\.g\.|such as|use|\(\d\d:\d\d)/);
  });

  it("rejects an unknown timezone instead of throwing", () => {
    expect(resolve("2025-05-20T10:00", "Mars/Olympus_Mons")).toMatchObject({ ok: false, code: "invalid_date_time" });
  });
});

describe("formatting and calendar dates", () => {
  it("formats instants as local wall clock on both sides of each transition", () => {
    expect(formatLocalDateTime(utc("2026-03-08T09:59:00Z"), LA)).toBe("2026-03-08T01:59:00");
    expect(formatLocalDateTime(utc("2026-03-08T10:00:00Z"), LA)).toBe("2026-03-08T03:00:00");
    expect(formatLocalDateTime(utc("2026-11-01T08:30:00Z"), LA)).toBe("2026-11-01T01:30:00");
    expect(formatLocalDateTime(utc("2026-11-01T09:30:00Z"), LA)).toBe("2026-11-01T01:30:00");
    expect(localDate(utc("2026-01-01T05:00:00Z"), LA)).toBe("2025-12-31");
    expect(localDate(utc("2026-01-01T05:00:00Z"), LONDON)).toBe("2026-01-01");
  });

  it("does calendar arithmetic on dates", () => {
    expect(addDays("2024-02-28", 1)).toBe("2024-02-29");
    expect(addDays("2026-03-07", 2)).toBe("2026-03-09");
    expect(addDays("2026-01-01", -1)).toBe("2025-12-31");
    expect(daysBetween("2026-03-01", "2026-03-31")).toBe(30);
    expect(daysBetween("2026-03-31", "2026-03-01")).toBe(-30);
    expect(daysBetween("2026-10-30", "2026-11-02")).toBe(3);
    expect(weekdayOf("2025-05-20")).toBe("tuesday");
    expect(weekdayOf("2026-03-08")).toBe("sunday");
    expect(() => addDays("2026-02-30", 1)).toThrow(RangeError);
    expect(() => weekdayOf("20260301")).toThrow(/YYYY-MM-DD/);
  });

  it("maps shift boundaries to instants, with null or the gap's end inside a gap", () => {
    expect(wallClockToInstant("2026-03-08", "02:30", LA)).toBeNull();
    expect(wallClockBoundary("2026-03-08", "02:30", LA)).toBe(utc("2026-03-08T10:00:00Z"));
    expect(wallClockToInstant("2026-03-08", "08:00", LA)).toBe(utc("2026-03-08T15:00:00Z"));
    expect(wallClockToInstant("2026-11-01", "01:00", LA)).toBe(utc("2026-11-01T08:00:00Z"));
    expect(wallClockToInstant("2026-11-01", "8:00", LA)).toBeNull();
  });

  it("finds the start of a local day, even where midnight does not exist", () => {
    expect(startOfLocalDay("2026-03-08", LA)).toBe(utc("2026-03-08T08:00:00Z"));
    expect(startOfLocalDay("2026-03-09", LA)).toBe(utc("2026-03-09T07:00:00Z"));
    // Chile springs forward at midnight: 2026-09-06 begins at 01:00 -03:00.
    expect(startOfLocalDay("2026-09-06", "America/Santiago")).toBe(utc("2026-09-06T04:00:00Z"));
  });
});

describe("formatLocalDateTime and localDate by cached offsets", () => {
  const luxon = (instant: number, zone: string) => DateTime.fromMillis(instant, { zone });

  it("write what luxon writes, at every zone transition and at random instants from 1850 to 9999", () => {
    fc.assert(
      fc.property(fc.constantFrom(...OFFSET_ZONES), anyInstant, (zone, instant) => {
        expect(formatLocalDateTime(instant, zone)).toBe(luxon(instant, zone).toFormat("yyyy-MM-dd'T'HH:mm:ss"));
        expect(localDate(instant, zone)).toBe(luxon(instant, zone).toFormat("yyyy-MM-dd"));
      }),
      { numRuns: 3000 },
    );
  });

  it("write each minute around the spring-forward and fall-back hours of Los Angeles and Lord Howe", () => {
    for (const [zone, at] of CLOCK_CHANGES) {
      for (let minute = -90; minute <= 90; minute++) {
        const instant = at + minute * 60_000 - 1;
        expect(formatLocalDateTime(instant, zone)).toBe(luxon(instant, zone).toFormat("yyyy-MM-dd'T'HH:mm:ss"));
      }
    }
  });
});

describe("wall clocks resolved by cached offsets", () => {
  /** What resolveDateTime answered when luxon resolved every reading: its instant, or that there is none. */
  function byLuxon(text: string, zone: string): number | "gap" {
    const parsed = parseDateTime(text);
    if (!parsed.ok || parsed.value.kind !== "wall_clock") throw new Error(`not a wall clock: ${text}`);
    const dt = DateTime.fromObject(parsed.value.wall, { zone });
    if (dt.toFormat("yyyy-MM-dd'T'HH:mm:ss") !== parsed.value.text) return "gap";
    return Math.min(...dt.getPossibleOffsets().map((candidate) => candidate.toMillis()));
  }
  const resolved = (text: string, zone: string) => {
    const result = resolve(text, zone);
    return result.ok ? result.instant : result.code === "nonexistent_local_time" ? "gap" : result.message;
  };
  /** The wall clock `minutes` after what `instant` reads in `zone`: readings in gaps and repeated hours alike. */
  const readingNear = (instant: number, zone: string, minutes: number) =>
    DateTime.fromMillis(instant, { zone })
      .toUTC(0, { keepLocalTime: true })
      .plus({ minutes })
      .toFormat("yyyy-MM-dd'T'HH:mm:ss");

  it("name the instant luxon names, around every transition and at random from 1850 to 9999", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...OFFSET_ZONES),
        anyInstant,
        fc.integer({ min: -120, max: 120 }),
        (zone, instant, minutes) => {
          const text = readingNear(instant, zone, minutes);
          expect(resolved(text, zone)).toBe(byLuxon(text, zone));
        },
      ),
      { numRuns: 5000 },
    );
  });

  it("name each minute around the spring-forward and fall-back hours of Los Angeles and Lord Howe as luxon does", () => {
    for (const [zone, at] of CLOCK_CHANGES) {
      for (let minute = -150; minute <= 150; minute++) {
        const text = readingNear(at, zone, minute);
        expect(resolved(text, zone)).toBe(byLuxon(text, zone));
      }
    }
  });
});

describe("addDays and daysBetween by arithmetic", () => {
  const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  const dates = fc.integer({ min: Date.UTC(1000, 0, 1), max: Date.UTC(9999, 11, 31) }).map(iso);

  it("give what luxon's calendar gives, for every date of years 1000 to 9999", () => {
    fc.assert(
      fc.property(dates, dates, fc.integer({ min: -800, max: 800 }), (a, b, days) => {
        const luxonA = DateTime.fromISO(a, { zone: "utc" });
        const luxonSum = luxonA.plus({ days });
        if (luxonSum.year <= 9999 && luxonSum.year >= 1000)
          expect(addDays(a, days)).toBe(luxonSum.toFormat("yyyy-MM-dd"));
        expect(daysBetween(a, b)).toBe(Math.round(DateTime.fromISO(b, { zone: "utc" }).diff(luxonA, "days").days));
      }),
      { numRuns: 3000 },
    );
  });
});

describe("addMonths", () => {
  it("is luxon's plus({ months }), the day clamped to the month's last, for any date and count", () => {
    const luxon = (date: string, months: number) =>
      DateTime.fromISO(date, { zone: "utc" }).plus({ months }).toFormat("yyyy-MM-dd");
    fc.assert(
      fc.property(
        fc.date({ min: new Date("1000-01-01T00:00:00Z"), max: new Date("9999-12-31T00:00:00Z"), noInvalidDate: true }),
        fc.integer({ min: -130_000, max: 130_000 }),
        (day, months) => {
          const date = day.toISOString().slice(0, 10);
          expect(addMonths(date, months)).toBe(luxon(date, months));
        },
      ),
      { numRuns: 2000, seed: 20261124 },
    );
    expect(addMonths("2026-08-31", 6)).toBe("2027-02-28");
    expect(addMonths("2024-01-31", 1)).toBe("2024-02-29");
  });
});
