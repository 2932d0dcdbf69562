/**
 * Dates and times as the model sends and reads them. Input: the contract's date-time grammar
 * (src/contract/date-time.ts), with a little leniency in front of it. Output: a phrase that can be read
 * aloud and always names the timezone, e.g. "Tuesday 20 May 2025, 10:00 AM PDT (America/Los_Angeles)".
 */
import { DateTime } from "luxon";
import { parseDateTime, type DateTimeParse } from "../contract/index.js";

export const DATE_TIME_EXPECTED =
  "a local date-time in the practice timezone such as 2025-05-20T10:00 (also 2025-05-20 10:00 or 2025-05-20T10:00:00)";

/**
 * A date-time as a model writes it, read by the contract's grammar. The only leniency is here: spaces
 * around it, and a space in place of the T ("2025-05-20 10:00"). Whatever the contract refuses (an
 * impossible date, 24:00, a fraction, an offset without its colon) is refused with its reason.
 */
export function readDateTime(value: string): DateTimeParse {
  return parseDateTime(value.trim().replace(/^(\d{4}-\d{2}-\d{2}) +(?=\d)/, "$1T"));
}

/**
 * The instant a date-time names at a location, as the PMS reads it: with Z or an offset, that instant; as
 * local wall-clock time, the location's reading of it (its first occurrence when clocks fall back).
 * Undefined for anything else.
 */
export function instantAt(dateTime: string, timezone: string): number | undefined {
  const parsed = parseDateTime(dateTime);
  if (!parsed.ok) return undefined;
  if (parsed.value.kind === "instant") return parsed.value.epochMs;
  const at = DateTime.fromObject(parsed.value.wall, { zone: timezone });
  if (!at.isValid) return undefined;
  return Math.min(...at.getPossibleOffsets().map((candidate) => candidate.toMillis()), at.toMillis());
}

/** An instant as the location's wall-clock time, in the PMS's form YYYY-MM-DDTHH:MM:SS. */
export function localAt(instant: number, timezone: string): string {
  return DateTime.fromMillis(instant, { zone: timezone }).toFormat("yyyy-MM-dd'T'HH:mm:ss");
}

/** A wall-clock time of a location as an instant, for ordering and "is it past" questions. */
export function localToMillis(localDateTime: string, timezone: string): number {
  return DateTime.fromISO(localDateTime, { zone: timezone }).toMillis();
}

/** "Tuesday 20 May 2025, 10:00 AM PDT (America/Los_Angeles)". */
export function describeLocal(localDateTime: string, timezone: string): string {
  const at = DateTime.fromISO(localDateTime, { zone: timezone, locale: "en-US" });
  return `${at.toFormat("cccc d LLLL yyyy, h:mm a ZZZZ")} (${timezone})`;
}

/** "Tuesday 20 May 2025, 10:00–11:00 AM PDT (America/Los_Angeles)". */
export function describeLocalRange(start: string, end: string, timezone: string): string {
  const from = DateTime.fromISO(start, { zone: timezone, locale: "en-US" });
  const to = DateTime.fromISO(end, { zone: timezone, locale: "en-US" });
  const sameHalf = from.toFormat("a") === to.toFormat("a") && from.hasSame(to, "day");
  return `${from.toFormat(sameHalf ? "cccc d LLLL yyyy, h:mm" : "cccc d LLLL yyyy, h:mm a")}–${to.toFormat("h:mm a ZZZZ")} (${timezone})`;
}

/** The current moment at a location: what the model needs to resolve "tomorrow" or "next Tuesday". */
export function nowAt(timezone: string, nowMs: number) {
  const at = DateTime.fromMillis(nowMs, { zone: timezone, locale: "en-US" });
  return {
    date: at.toFormat("yyyy-MM-dd"),
    weekday: at.toFormat("cccc"),
    time: at.toFormat("HH:mm"),
    utc_offset: at.toFormat("ZZ"),
    description: `${at.toFormat("cccc d LLLL yyyy, h:mm a ZZZZ")} (${timezone})`,
  };
}

/** Today's date at a location, YYYY-MM-DD. */
export function todayAt(timezone: string, nowMs: number): string {
  return DateTime.fromMillis(nowMs, { zone: timezone }).toFormat("yyyy-MM-dd");
}

/** "Tue" for 2025-05-20. */
export function weekdayShort(date: string): string {
  return DateTime.fromISO(date, { zone: "UTC", locale: "en-US" }).toFormat("ccc");
}

/** Whole days between two YYYY-MM-DD dates (b - a). */
export function daysBetween(a: string, b: string): number {
  return DateTime.fromISO(b, { zone: "UTC" }).diff(DateTime.fromISO(a, { zone: "UTC" }), "days").days;
}

export function addDays(date: string, days: number): string {
  return DateTime.fromISO(date, { zone: "UTC" }).plus({ days }).toFormat("yyyy-MM-dd");
}

/** "Tuesday 20 May 2025". */
export function describeDate(date: string): string {
  return DateTime.fromISO(date, { zone: "UTC", locale: "en-US" }).toFormat("cccc d LLLL yyyy");
}

/** Two wall-clock times of one day as a spoken range: "8:00–9:30 AM", "11:30 AM–12:30 PM". */
export function describeClockRange(start: string, end: string): string {
  const from = DateTime.fromISO(start, { zone: "UTC", locale: "en-US" });
  const to = DateTime.fromISO(end, { zone: "UTC", locale: "en-US" });
  const sameHalf = from.toFormat("a") === to.toFormat("a") && from.hasSame(to, "day");
  return `${from.toFormat(sameHalf ? "h:mm" : "h:mm a")}–${to.toFormat("h:mm a")}`;
}
