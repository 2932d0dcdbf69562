/** Text normalisation for search and storage: names folded for matching (see the contract), phones to E.164. */
import { type CountryCode, parsePhoneNumberFromString } from "libphonenumber-js";

/** Search keys are folded exactly as the MCP server folds names to verify a caller. */
export { foldName as foldForSearch } from "../../contract/text.js";

export type NormalisedPhone = { ok: true; e164: string } | { ok: false; message: string };

const PHONE_EXAMPLES = "e.g. +1-415-555-0148 or (415) 555-0148";

/**
 * Any common way of writing a phone number, to E.164 ("(415) 555-0148" → "+14155550148").
 * Numbers without a country code are read as `defaultCountry` numbers.
 */
export function normalisePhone(input: string, defaultCountry: CountryCode = "US"): NormalisedPhone {
  const trimmed = input.trim();
  if (!/\d/.test(trimmed)) return { ok: false, message: `must be a phone number, ${PHONE_EXAMPLES}` };
  const parsed = parsePhoneNumberFromString(trimmed, defaultCountry);
  if (!parsed || !parsed.isValid()) {
    return {
      ok: false,
      message: `is not a valid phone number; expected one ${PHONE_EXAMPLES} (international numbers start with +)`,
    };
  }
  return { ok: true, e164: parsed.number };
}
