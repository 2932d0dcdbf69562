/**
 * fast-check arbitraries for the fuzz tests: values a caller (a model, a bot, a hostile client) might
 * send, from the plausible (real uuids of the demo practice, well-formed dates) to the malformed.
 * Mixing both makes the fuzz reach past input validation into the PMS calls behind it.
 */
import fc from "fast-check";
import { GUIDE_UUIDS, LOCATION_UUIDS } from "../../src/sandbox/demo/index.js";

/** Fixed seeds: a failure reproduces, and the totals printed are the same on every run. */
export const FUZZ_SEED = 20_250_520;

/** Real uuids of the demo practice, plus any the test adds (an appointment it booked, say). */
export function knownUuids(extra: readonly string[] = []): string[] {
  return [...Object.values(GUIDE_UUIDS), ...Object.values(LOCATION_UUIDS), ...extra];
}

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

/** Text that breaks naive code: control characters, quotes, SQL, paths, RTL marks, huge and empty strings. */
export const nastyText = fc.oneof(
  fc.constantFrom(
    "",
    " ",
    "\u0000",
    "'; DROP TABLE patients; --",
    "../../etc/passwd",
    "%00%ff",
    "\u202egnp.exe",
    "𝕁𝕒𝕟𝕖",
    "null",
    "undefined",
    "NaN",
    "-1",
    "1e309",
    "<script>alert(1)</script>",
    "{{7*7}}",
    "x".repeat(5_000),
  ),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 20 }),
);

export function plausibleValue(uuids: readonly string[]): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc.constantFrom(...uuids),
    fc.uuid(),
    fc.integer({ min: -3, max: 40 }).map(day),
    fc.constantFrom("2025-02-30", "2025-13-01", "1900-01-01", "9999-12-31"),
    fc
      .tuple(fc.integer({ min: -2, max: 30 }), fc.integer({ min: 0, max: 23 }), fc.constantFrom("00", "15", "30", "45"))
      .map(([d, h, m]) => `${day(d)}T${String(h).padStart(2, "0")}:${m}`),
    fc.constantFrom("2026-03-08T02:30:00", "2025-05-20T10:00:00Z", "2025-05-20 10:00", "tomorrow at 3", "10am"),
    fc.constantFrom("Smith", "Jane Smith", "jose", "+1-415-555-0148", "(415) 555-0148", "jane.smith@example.com"),
    fc.constantFrom("scheduled", "confirmed", "cancelled", "completed", "morning", "afternoon", "evening"),
    fc.integer({ min: -5, max: 600 }),
    fc.boolean(),
  );
}

/** Anything JSON can carry, and the nasty strings. */
export const junkValue: fc.Arbitrary<unknown> = fc.oneof(
  nastyText,
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(0, -1, 1.5, 1e21, Number.MAX_SAFE_INTEGER + 2, true, false, [], {}),
);

export function anyValue(uuids: readonly string[]): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 3, arbitrary: plausibleValue(uuids) }, { weight: 2, arbitrary: junkValue });
}

/**
 * Arguments for something with these known field names: each field present or absent with a plausible
 * or junk value, sometimes with unknown extra fields; or a wholly random object.
 */
export function argumentsFor(
  fields: readonly string[],
  uuids: readonly string[],
): fc.Arbitrary<Record<string, unknown>> {
  const known = fc.record(Object.fromEntries(fields.map((f) => [f, anyValue(uuids)])), { requiredKeys: [] });
  const extra = fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), junkValue, { maxKeys: 2 });
  return fc.oneof(
    { weight: 6, arbitrary: known as fc.Arbitrary<Record<string, unknown>> },
    { weight: 1, arbitrary: fc.tuple(known, extra).map(([k, e]) => ({ ...e, ...k })) },
    { weight: 1, arbitrary: fc.dictionary(fc.string({ maxLength: 12 }), junkValue, { maxKeys: 5 }) },
  );
}

/**
 * Valid arguments with one field changed or dropped (most often), or with any subset of fields
 * changed or dropped: close enough to valid to reach the handlers behind the validation.
 */
export function mutationsOf(
  valid: Record<string, unknown>,
  fields: readonly string[],
  uuids: readonly string[],
): fc.Arbitrary<Record<string, unknown>> {
  const change = (changes: [string, unknown][]) => {
    const args: Record<string, unknown> = { ...valid };
    for (const [field, value] of changes) {
      if (value === undefined) delete args[field];
      else args[field] = value;
    }
    return args;
  };
  const value = fc.option(anyValue(uuids), { nil: undefined, freq: 6 });
  const many = fc
    .record(Object.fromEntries(fields.map((f) => [f, value])), { requiredKeys: [] })
    .map((changes) => change(Object.entries(changes)));
  if (fields.length === 0) return many;
  const one = fc.tuple(fc.constantFrom(...fields), value).map((pair) => change([pair]));
  return fc.oneof({ weight: 2, arbitrary: one }, { weight: 1, arbitrary: many });
}
