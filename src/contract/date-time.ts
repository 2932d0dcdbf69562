/**
 * The one grammar of the date-times clients send (scheduled_start, scheduled_end), for both sides of the
 * wire: the API validates with it, the PMS client validates with it before sending, and the MCP tools put
 * only their leniency in front of it (src/mcp/time.ts). Pure text → value; which instant a wall-clock
 * reading names depends on the location's timezone, which the sandbox's domain resolves (DST gaps there).
 *
 *   YYYY-MM-DDTHH:MM[:SS[.000…]][Z|±HH:MM]
 *
 * Decisions, each with the error that explains it:
 * - Seconds may be omitted (10:00 is 10:00:00); a fraction of a second only when it is zero (.000, as
 *   toISOString writes it): the API shows whole seconds, so 10:00:00.250 could not be shown honestly.
 * - Offsets are written ±HH:MM (RFC 3339) or Z. +0100 is refused, naming +01:00.
 * - Hours run 00 to 23: T24:00 is refused, naming 00:00 of the next day, rather than guessed at.
 * - The date must exist in the (proleptic Gregorian) calendar, years 0000 to 9999.
 */

/** What a clock on the wall reads, without saying where: whole seconds. */
export interface WallClock {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

interface Written {
  readonly wall: WallClock;
  /** The canonical text: YYYY-MM-DDTHH:MM:SS, then the offset if any (Z, or ±HH:MM). */
  readonly text: string;
  /** JSON carries the canonical text, so a parsed body serialises back to what the API reads. */
  toJSON(): string;
}

/** A date-time as sent: a wall-clock reading at the location, or an instant (with Z or an offset). */
export type DateTimeValue =
  | (Written & { readonly kind: "wall_clock" })
  | (Written & { readonly kind: "instant"; readonly offsetMinutes: number; readonly epochMs: number });

export type DateTimeParse = { ok: true; value: DateTimeValue } | { ok: false; message: string; form: boolean };

/** What is expected, for messages: the API's form (the MCP tools name their own, more lenient one). */
export const DATE_TIME_FORM =
  "an ISO 8601 date-time such as 2025-05-20T10:00:00 (the location's local time) or 2025-05-20T17:00:00Z";

/** The grammar as the API documents it (OpenAPI `pattern`); values (dates, hours, offsets) are checked too. */
export const DATE_TIME_PATTERN = "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.0{1,9})?)?(Z|[+-]\\d{2}:\\d{2})?$";

/** The grammar, loosely: anything matching it is judged by parseDateTime on its values. */
const GRAMMAR = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2}|[+-]\d{2})?$/;

/** Parses the date-time grammar above, or says precisely what is wrong and what to write instead. */
export function parseDateTime(text: string): DateTimeParse {
  const match = GRAMMAR.exec(text);
  if (!match) return refuse(`must be ${DATE_TIME_FORM}`, true);
  const [, y, mo, d, h, mi, s = "00", fraction, offset] = match;
  const wall: WallClock = {
    year: Number(y),
    month: Number(mo),
    day: Number(d),
    hour: Number(h),
    minute: Number(mi),
    second: Number(s),
  };
  const date = `${y}-${mo}-${d}`;
  if (wall.month < 1 || wall.month > 12 || wall.day < 1 || wall.day > daysInMonth(wall.year, wall.month)) {
    return refuse(`must be a real date and time: ${date} is not a day of the calendar (e.g. 2025-05-20T10:00:00)`);
  }
  if (wall.hour === 24 && wall.minute === 0 && wall.second === 0) {
    return refuse(
      `must be a time from 00:00 to 23:59: for midnight at the end of ${date} use 00:00 of the next day, ` +
        `${nextDay(wall)}T00:00:00`,
    );
  }
  if (wall.hour > 23 || wall.minute > 59 || wall.second > 59) {
    return refuse(`must be a real date and time: ${h}:${mi}:${s} is not a time of day (00:00:00 to 23:59:59)`);
  }
  if (fraction !== undefined && /[1-9]/.test(fraction)) {
    return refuse(`must be on a whole second, e.g. ${date}T${h}:${mi}:${s} (drop the fraction of a second)`);
  }
  const local = `${date}T${h}:${mi}:${s}`;
  if (offset === undefined) return { ok: true, value: written({ kind: "wall_clock", wall, text: local }) };
  if (offset === "Z") {
    return {
      ok: true,
      value: written({ kind: "instant", wall, text: `${local}Z`, offsetMinutes: 0, epochMs: utcMs(wall) }),
    };
  }
  if (!/^[+-]\d{2}:\d{2}$/.test(offset)) {
    const hours = offset.slice(1, 3);
    const minutes = offset.length > 3 ? offset.slice(-2) : "00";
    return refuse(`must write the offset as ±HH:MM or Z, e.g. ${offset[0]}${hours}:${minutes} instead of ${offset}`);
  }
  const offsetHours = Number(offset.slice(1, 3));
  const offsetMins = Number(offset.slice(4, 6));
  if (offsetHours > 23 || offsetMins > 59) return refuse(`must have an offset from -23:59 to +23:59, e.g. -07:00`);
  const offsetMinutes = (offset.startsWith("-") ? -1 : 1) * (offsetHours * 60 + offsetMins);
  return {
    ok: true,
    value: written({
      kind: "instant",
      wall,
      text: `${local}${offset}`,
      offsetMinutes,
      epochMs: utcMs(wall) - offsetMinutes * 60_000,
    }),
  };
}

function written<V extends Omit<DateTimeValue, "toJSON">>(value: V): V & { toJSON(): string } {
  return Object.freeze({ ...value, toJSON: () => value.text });
}

function refuse(message: string, form = false): DateTimeParse {
  return { ok: false, message, form };
}

function isLeapYear(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

function daysInMonth(year: number, month: number): number {
  return month === 2 ? (isLeapYear(year) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** The reading as if it were UTC, in ms; setUTCFullYear keeps years 0 to 99 as written (Date.UTC would not). */
function utcMs(wall: WallClock): number {
  const date = new Date(0);
  date.setUTCFullYear(wall.year, wall.month - 1, wall.day);
  date.setUTCHours(wall.hour, wall.minute, wall.second, 0);
  return date.getTime();
}

function nextDay(wall: WallClock): string {
  const date = new Date(utcMs({ ...wall, hour: 0 }) + 86_400_000);
  const year = String(date.getUTCFullYear()).padStart(4, "0");
  return `${year}-${String(date.getUTCMonth() + 1).padStart(2, "0")}-${String(date.getUTCDate()).padStart(2, "0")}`;
}
