/**
 * Wall-clock ↔ instant conversions for a location's timezone. All timezone work goes through luxon;
 * the only arithmetic done here is on calendar dates (in UTC, where every day has 24 hours) and on
 * "wall keys", i.e. wall-clock readings encoded as numbers so they can be compared. Date-times arrive
 * already parsed by the contract's grammar (src/contract/date-time.ts): here they only meet a timezone.
 */
import { DateTime } from "luxon";
import type { DateTimeValue, WallClock, Weekday } from "../../contract/index.js";
import type { EpochMs } from "./model.js";

export type ResolvedDateTime =
  { ok: true; instant: EpochMs } | { ok: false; code: "nonexistent_local_time" | "invalid_date_time"; message: string };

const MINUTE_MS = 60_000;
const LOCAL_FORMAT = "yyyy-MM-dd'T'HH:mm:ss";
const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const HOUR_MINUTE_PATTERN = /^(\d{2}):(\d{2})$/;

const WEEKDAYS: readonly Weekday[] = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

/** How a wall-clock reading maps onto instants in a zone. */
type Resolution =
  | { kind: "instant"; instant: EpochMs }
  | { kind: "gap"; gapStart: string; gapEnd: EpochMs }
  | { kind: "invalid"; reason: string };

/** A wall-clock reading as a comparable number (ms since 1970-01-01T00:00 on that wall clock). */
function wallKey(w: WallClock): number {
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
}

function wallKeyAt(instant: EpochMs, timezone: string): number {
  return wallKey(DateTime.fromMillis(instant, { zone: timezone }));
}

/**
 * Resolves a wall-clock reading in `timezone`. Luxon silently moves readings inside a DST gap
 * forward, so gaps are detected by round-tripping. An ambiguous reading (the repeated hour when
 * clocks fall back) resolves to the EARLIER instant, i.e. its first occurrence, still on daylight
 * time: "01:30" on 2026-11-01 in Los Angeles is 01:30 PDT, not 01:30 PST.
 */
function resolveWallClock(wall: WallClock, timezone: string): Resolution {
  const cached = cachedInstant(wall, timezone);
  if (cached !== null) return { kind: "instant", instant: cached };
  const dt = DateTime.fromObject(wall, { zone: timezone });
  if (!dt.isValid) return { kind: "invalid", reason: dt.invalidExplanation ?? dt.invalidReason ?? "invalid" };
  const requested = wallKey(wall);
  if (wallKey(dt) !== requested) return { kind: "gap", ...findGap(dt.toMillis(), requested, timezone) };
  const earliest = Math.min(...dt.getPossibleOffsets().map((candidate) => candidate.toMillis()));
  return { kind: "instant", instant: Number.isFinite(earliest) ? earliest : dt.toMillis() };
}

/**
 * Finds the transition that swallowed `requested`: the first instant whose wall clock reads at or
 * after it. `shifted` (luxon's forward-moved reading) is past it; 48 hours earlier is before any gap.
 */
function findGap(shifted: EpochMs, requested: number, timezone: string): { gapStart: string; gapEnd: EpochMs } {
  let before = Math.floor(shifted / MINUTE_MS) - 48 * 60;
  let after = Math.ceil(shifted / MINUTE_MS);
  while (after - before > 1) {
    const middle = Math.floor((before + after) / 2);
    if (wallKeyAt(middle * MINUTE_MS, timezone) >= requested) after = middle;
    else before = middle;
  }
  const gapEnd = after * MINUTE_MS;
  // The wall clock just before the jump, plus that last minute, is where the skipped span begins.
  const gapStartKey = wallKeyAt(gapEnd - MINUTE_MS, timezone) + MINUTE_MS;
  return { gapStart: DateTime.fromMillis(gapStartKey, { zone: "utc" }).toFormat("HH:mm"), gapEnd };
}

/**
 * The instant a date-time names at a location: an instant (sent with Z or an offset) is itself, whatever
 * zone it was written in; a wall-clock reading is resolved in `timezone`, refused when the clock skipped
 * it (a DST gap), its first occurrence when the clock repeated it.
 */
export function resolveDateTime(value: DateTimeValue, timezone: string): ResolvedDateTime {
  if (value.kind === "instant") return { ok: true, instant: value.epochMs };
  const resolution = resolveWallClock(value.wall, timezone);
  switch (resolution.kind) {
    case "instant":
      return { ok: true, instant: resolution.instant };
    case "invalid":
      return invalid(`"${value.text}" is not a real date-time in ${clip(timezone)} (${resolution.reason})`);
    case "gap": {
      const after = formatLocalDateTime(resolution.gapEnd, timezone);
      return {
        ok: false,
        code: "nonexistent_local_time",
        message:
          `${value.text} does not exist in ${timezone}: on ${after.slice(0, 10)} the clock skips forward from ` +
          `${resolution.gapStart} to ${after.slice(11, 16)} (daylight saving time). ` +
          `Choose another time, e.g. ${after} or later.`,
      };
    }
  }
}

function invalid(message: string): ResolvedDateTime {
  return { ok: false, code: "invalid_date_time", message };
}

function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
/** Local readings written by arithmetic: years 1000 to 9999, where toISOString writes the year as luxon does. */
const FIRST_FAST_LOCAL = Date.UTC(1000, 0, 1);
const END_FAST_LOCAL = Date.UTC(10000, 0, 1);
const MAX_CACHED_HOURS = 100_000;

/**
 * Per zone, the UTC offset (ms) of each UTC hour asked about, or null for an hour in which it changes. An
 * instant's wall clock is then one addition, instead of an Intl formatToParts (luxon) per call: formatting slots
 * and bookings was a tenth of an availability query. Bounded: past MAX_CACHED_HOURS a zone's map starts over.
 */
const hourOffsets = new Map<string, Map<number, number | null>>();

function hourOffset(instant: EpochMs, timezone: string): number | null {
  let hours = hourOffsets.get(timezone);
  if (!hours) {
    hours = new Map();
    hourOffsets.set(timezone, hours);
  }
  const hour = Math.floor(instant / HOUR_MS);
  let offset = hours.get(hour);
  if (offset === undefined) {
    const first = DateTime.fromMillis(hour * HOUR_MS, { zone: timezone }).offset;
    const last = DateTime.fromMillis((hour + 1) * HOUR_MS - 1, { zone: timezone }).offset;
    // NaN (an unknown zone) equals nothing, so it is never used: luxon answers as before.
    offset = first === last ? first * MINUTE_MS : null;
    if (hours.size >= MAX_CACHED_HOURS) hours.clear();
    hours.set(hour, offset);
  }
  return offset;
}

/**
 * The instant `wall` names in `timezone` by cached offsets, or null where that is not sure (then luxon judges it).
 * As luxon's getPossibleOffsets (and Temporal) do: the zone's offsets a day before and a day after are the only
 * ones the reading can have (zones change offset at most once in two days); each gives a candidate instant,
 * which the reading names if the zone really has that offset then. Two such: the repeated hour of a fall-back,
 * whose first occurrence (the earlier instant) is meant. None: a gap, which luxon's path explains. Luxon's
 * Intl offset lookups were half the CPU of resolving a booking's start.
 */
function cachedInstant(wall: WallClock, timezone: string): EpochMs | null {
  const key = wallKey(wall);
  if (!(key >= FIRST_FAST_LOCAL && key < END_FAST_LOCAL) || !isReading(key, wall)) return null;
  const before = hourOffset(key - DAY_MS, timezone);
  const after = hourOffset(key + DAY_MS, timezone);
  // Local mean times are offsets of odd seconds: left to luxon, which rounds them its own way.
  if (before === null || after === null || before % MINUTE_MS !== 0 || after % MINUTE_MS !== 0) return null;
  let earliest: EpochMs | null = null;
  for (const offset of before === after ? [before] : [before, after]) {
    const instant = key - offset;
    const actual = hourOffset(instant, timezone);
    if (actual === null) return null;
    if (actual === offset && (earliest === null || instant < earliest)) earliest = instant;
  }
  return earliest;
}

/** Whether `key` (wallKey of `wall`) reads as `wall`: Date.UTC carries an out-of-range field over (Feb 30 → Mar 2). */
function isReading(key: number, wall: WallClock): boolean {
  const back = new Date(key);
  return (
    back.getUTCFullYear() === wall.year &&
    back.getUTCMonth() === wall.month - 1 &&
    back.getUTCDate() === wall.day &&
    back.getUTCHours() === wall.hour &&
    back.getUTCMinutes() === wall.minute &&
    back.getUTCSeconds() === wall.second
  );
}

/** The wall clock of `instant` in `timezone` as "YYYY-MM-DDTHH:MM:SS" by arithmetic, or null where that is not sure. */
function cachedLocal(instant: EpochMs, timezone: string): string | null {
  const offset = Number.isFinite(instant) ? hourOffset(instant, timezone) : null;
  if (offset === null) return null;
  const local = instant + offset;
  return local >= FIRST_FAST_LOCAL && local < END_FAST_LOCAL ? new Date(local).toISOString().slice(0, 19) : null;
}

/**
 * formatLocalDateTime's answers by zone and instant: an availability answer writes a hundred slot bounds, the
 * same few days' over and over, and a Date and its ISO text per bound were a tenth of a search. Bounded: past
 * MAX_FORMATTED instants a zone's map starts over.
 */
const formatted = new Map<string, Map<EpochMs, string>>();
const MAX_FORMATTED = 100_000;

/** The wall clock of `instant` in `timezone`, "YYYY-MM-DDTHH:MM:SS" (the API's LocalDateTime). */
export function formatLocalDateTime(instant: EpochMs, timezone: string): string {
  let texts = formatted.get(timezone);
  if (!texts) {
    texts = new Map();
    formatted.set(timezone, texts);
  }
  let text = texts.get(instant);
  if (text === undefined) {
    text = cachedLocal(instant, timezone) ?? DateTime.fromMillis(instant, { zone: timezone }).toFormat(LOCAL_FORMAT);
    if (texts.size >= MAX_FORMATTED) texts.clear();
    texts.set(instant, text);
  }
  return text;
}

/** The local calendar date of `instant` in `timezone`, "YYYY-MM-DD". */
export function localDate(instant: EpochMs, timezone: string): string {
  return (
    cachedLocal(instant, timezone)?.slice(0, 10) ??
    DateTime.fromMillis(instant, { zone: timezone }).toFormat("yyyy-MM-dd")
  );
}

/**
 * Midnight UTC of a real calendar date "YYYY-MM-DD" of years 1000 to 9999 (where every day has 24 hours, so days
 * are added and counted by arithmetic), or null for anything else, which calendarDate (luxon) judges as before.
 */
function utcDay(date: string): EpochMs | null {
  const match = DATE_PATTERN.exec(date);
  if (!match || date < "1000") return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const ms = Date.UTC(year, month - 1, day);
  const back = new Date(ms);
  return back.getUTCMonth() === month - 1 && back.getUTCDate() === day ? ms : null;
}

function calendarDate(date: string): DateTime {
  const match = DATE_PATTERN.exec(date);
  const dt = match ? DateTime.fromISO(date, { zone: "utc" }) : DateTime.invalid("not YYYY-MM-DD");
  if (!dt.isValid) throw new RangeError(`date must be a real calendar date YYYY-MM-DD, got "${clip(date)}"`);
  return dt;
}

/** `date` plus `days` calendar days (negative to go back). Throws RangeError on a malformed date. */
export function addDays(date: string, days: number): string {
  const day = utcDay(date);
  const sum = day === null ? NaN : day + days * DAY_MS;
  if (sum >= FIRST_FAST_LOCAL && sum < END_FAST_LOCAL) return new Date(sum).toISOString().slice(0, 10);
  return calendarDate(date).plus({ days }).toFormat("yyyy-MM-dd");
}

/** `date` plus `months` calendar months, the day clamped to the month's last (2026-08-31 + 6 → 2027-02-28). */
export function addMonths(date: string, months: number): string {
  // By arithmetic where utcDay reads the date and the result is of years 1000 to 9999 (every availability
  // search asks for its horizon, and luxon took tens of microseconds); luxon otherwise, as before.
  const day = Number.isInteger(months) ? utcDay(date) : null;
  if (day !== null) {
    const from = new Date(day);
    const month = from.getUTCFullYear() * 12 + from.getUTCMonth() + months;
    const year = Math.floor(month / 12);
    // Date.UTC reads years 0 to 99 as 1900 to 1999: only years it takes as they are.
    if (year >= 1000 && year <= 9999) {
      const lastOfMonth = new Date(Date.UTC(year, (month % 12) + 1, 0)).getUTCDate();
      const sum = Date.UTC(year, month % 12, Math.min(from.getUTCDate(), lastOfMonth));
      return new Date(sum).toISOString().slice(0, 10);
    }
  }
  return calendarDate(date).plus({ months }).toFormat("yyyy-MM-dd");
}

/** Calendar days from `a` to `b`: positive when b is later, e.g. daysBetween("2026-03-01", "2026-03-08") = 7. */
export function daysBetween(a: string, b: string): number {
  const from = utcDay(a);
  const to = utcDay(b);
  if (from !== null && to !== null) return Math.round((to - from) / DAY_MS);
  return Math.round(calendarDate(b).diff(calendarDate(a), "days").days);
}

export function weekdayOf(date: string): Weekday {
  return WEEKDAYS[calendarDate(date).weekday - 1] as Weekday;
}

function wallClockOfDay(date: string, hhmm: string): WallClock | null {
  const d = DATE_PATTERN.exec(date);
  const t = HOUR_MINUTE_PATTERN.exec(hhmm);
  if (!d || !t) return null;
  return {
    year: Number(d[1]),
    month: Number(d[2]),
    day: Number(d[3]),
    hour: Number(t[1]),
    minute: Number(t[2]),
    second: 0,
  };
}

/**
 * The instant the wall clock of `timezone` reads `hhmm` on `date`; null when that reading does not
 * exist (a DST gap) or the input is malformed. Ambiguous readings give the earlier instant.
 */
export function wallClockToInstant(date: string, hhmm: string, timezone: string): EpochMs | null {
  const wall = wallClockOfDay(date, hhmm);
  const resolution = wall ? resolveWallClock(wall, timezone) : null;
  return resolution?.kind === "instant" ? resolution.instant : null;
}

/**
 * Like wallClockToInstant, but a reading inside a DST gap maps to the instant the gap ends, which
 * is what a boundary such as "the shift starts at 02:00" means on a spring-forward night.
 * Null only for malformed input or an unknown timezone.
 */
export function wallClockBoundary(date: string, hhmm: string, timezone: string): EpochMs | null {
  const wall = wallClockOfDay(date, hhmm);
  const resolution = wall ? resolveWallClock(wall, timezone) : null;
  if (resolution?.kind === "instant") return resolution.instant;
  if (resolution?.kind === "gap") return resolution.gapEnd;
  return null;
}

/** startOfLocalDay's answers by zone and date: searches ask for the same few days over and over. Bounded. */
const dayStarts = new Map<string, EpochMs>();
const MAX_CACHED_DAY_STARTS = 100_000;

/** The first instant of local `date` (01:00 in zones where the clock skips midnight). */
export function startOfLocalDay(date: string, timezone: string): EpochMs {
  const key = `${timezone}|${date}`;
  let start: EpochMs | null | undefined = dayStarts.get(key);
  if (start !== undefined) return start;
  start = wallClockBoundary(date, "00:00", timezone);
  if (start === null) throw new RangeError(`cannot find the start of "${clip(date)}" in timezone "${clip(timezone)}"`);
  if (dayStarts.size >= MAX_CACHED_DAY_STARTS) dayStarts.clear();
  dayStarts.set(key, start);
  return start;
}
