/** Phone numbers as the API stores them. Imported lazily (search_patients): libphonenumber-js is large. */
import { parsePhoneNumberFromString } from "libphonenumber-js";

/** A valid number in E.164; US numbers may omit +1, as in the API. Undefined for anything else. */
export function toE164(phone: string): string | undefined {
  const parsed = parsePhoneNumberFromString(phone, "US");
  return parsed?.isValid() ? parsed.number : undefined;
}
