/** Text normalisation for search and storage: names folded for matching, phones to E.164. */
import { type CountryCode, parsePhoneNumberFromString } from "libphonenumber-js";

/** Letters that Unicode does not decompose into a base letter and a mark. */
const UNDECOMPOSABLE: Readonly<Record<string, string>> = {
  ø: "o", æ: "ae", œ: "oe", ß: "ss", đ: "d", ð: "d", ł: "l", þ: "th", ı: "i",
};

/** Lowercase, without diacritics, single-spaced and trimmed: "  José  NGUYỄN " → "jose nguyen". */
export function foldForSearch(s: string): string {
  return s
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/[øæœßđðłþı]/g, (letter) => UNDECOMPOSABLE[letter] ?? letter)
    .replace(/\s+/g, " ")
    .trim();
}

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
    return { ok: false, message: `is not a valid phone number; expected one ${PHONE_EXAMPLES} (international numbers start with +)` };
  }
  return { ok: true, e164: parsed.number };
}
