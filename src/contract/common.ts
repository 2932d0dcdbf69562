/**
 * Building blocks shared by every schema of the PMS API wire format.
 * Descriptions double as documentation: they reach the OpenAPI document and error messages.
 */
import { z } from "zod";
import { DATE_TIME_FORM, DATE_TIME_PATTERN, parseDateTime } from "./date-time.js";
import { findLineBreaker } from "./text.js";

/** zod's z.uuid() enforces RFC version bits and would reject the guide's example uuids. */
export const Uuid = z.guid({ error: "must be a uuid such as a1b2c3d4-e5f6-7890-abcd-ef1234567890" });

/** A calendar date, e.g. 2025-05-20. Impossible dates (2025-02-30) are rejected. */
export const LocalDate = z.iso.date({ error: "must be a date in the form YYYY-MM-DD, e.g. 2025-05-20" });

/** Wall-clock time of a location, as the API returns it: no offset, whole seconds. */
export const LOCAL_DATE_TIME_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/;
export const LocalDateTime = z
  .string()
  .regex(LOCAL_DATE_TIME_PATTERN, { error: "must be a local date-time in the form YYYY-MM-DDTHH:MM:SS" })
  .describe("Wall-clock time in the location's timezone, ISO 8601 without offset, e.g. 2025-05-20T10:00:00");

/**
 * A date-time as clients may send it: local wall-clock time of the location (2025-05-20T10:00 or
 * 2025-05-20T10:00:00), or an instant with an offset or Z, which the API converts to the location's time.
 * Parsed by the one grammar of date-time.ts into a DateTimeValue, which serialises back to canonical text.
 */
export const DateTimeInput = z
  .string({ error: `must be ${DATE_TIME_FORM}` })
  .meta({ pattern: DATE_TIME_PATTERN })
  .transform((text, ctx) => {
    const parsed = parseDateTime(text);
    if (parsed.ok) return parsed.value;
    ctx.issues.push({ code: "custom", input: text, message: parsed.message });
    return z.NEVER;
  })
  .describe("ISO 8601 date-time: local time of the location (2025-05-20T10:00:00), or with an offset to be converted");

/** An instant in UTC, e.g. created_at. */
export const Instant = z.iso.datetime({ error: "must be an ISO 8601 UTC timestamp such as 2025-05-10T14:32:00Z" });

/** Time of day HH:MM (24 h), used by opening hours. */
export const TimeOfDay = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: "must be a time of day HH:MM (24-hour), e.g. 08:30" });

export const Weekday = z.enum(["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]);
export type Weekday = z.infer<typeof Weekday>;

/** An IANA timezone name such as America/Los_Angeles. */
export const TimeZone = z.string().min(1).describe("IANA timezone name, e.g. America/Los_Angeles");

/**
 * A whole number in a query string. Accepts a number (from typed callers) or its decimal string
 * (from the URL), so the same schema serves the server and the client.
 */
export function queryInt(min: number, max: number, example: number) {
  const message = `must be a whole number from ${min} to ${max}, e.g. ${example}`;
  return z
    .union(
      [
        z.number(),
        z
          .string()
          .regex(/^-?\d+$/, { error: message })
          .transform(Number),
      ],
      { error: message },
    )
    .pipe(z.number().int({ error: message }).min(min, { error: message }).max(max, { error: message }));
}

/** A boolean in a query string: true/false, as a boolean or as the strings "true" and "false". */
export function queryBool() {
  const message = "must be true or false";
  return z.union([z.boolean(), z.enum(["true", "false"]).transform((v) => v === "true")], { error: message });
}

/**
 * Free text as every backend can store it: PostgreSQL text cannot hold a NUL character. `expected`
 * describes the value for the error when it is missing or not a string.
 */
export function text(max: number, expected?: string) {
  return z
    .string(expected === undefined ? undefined : { error: `must be ${expected}` })
    .trim()
    .max(max, { error: `must be at most ${max} characters` })
    .refine((value) => !value.includes("\u0000"), { error: "must not contain NUL characters" });
}

/**
 * One line of text (a name, a search term, a reason): free text without line breaks, bidirectional
 * controls, zero-width or other control characters, which could make a value read as several lines
 * or as something else once it is shown to a model or a person. Multi-line fields (notes) use text().
 */
export function singleLine(max: number, expected?: string) {
  return text(max, expected).superRefine((value, ctx) => {
    const found = findLineBreaker(value);
    if (found !== undefined) {
      const message = `must be a single line of plain text; found ${found}, remove it`;
      ctx.addIssue({ code: "custom", input: value, message });
    }
  });
}

/** A first or last name: one line, at most 100 characters, with at least one letter. */
export const PersonName = singleLine(100, "a name such as Jane")
  .min(1, { error: "must not be empty; expected a name such as Jane", abort: true })
  .refine((value) => /\p{L}/u.test(value), { error: "must contain a letter; expected a name such as Jane or O'Brien" });

/** A free-text search term: one line, bounded so a hostile caller cannot send megabytes. */
export const SearchText = singleLine(100);

export const PageQuery = {
  page: queryInt(1, 100_000, 1).default(1).describe("1-based page number"),
  page_size: queryInt(1, 100, 20).default(20).describe("Items per page, 1 to 100 (default 20)"),
};

/** The envelope of every paginated list: `{items, page, page_size, total}` as in the guide. */
export function paginated<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    page: z.number().int(),
    page_size: z.number().int(),
    total: z.number().int().describe("Number of matching items over all pages"),
  });
}
