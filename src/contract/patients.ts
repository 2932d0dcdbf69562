/** The Patients domain: who is being booked. */
import { z } from "zod";
import { LocalDate, PageQuery, PersonName, SearchText, Uuid, paginated, singleLine } from "./common.js";

/** Free-form phone input; the API normalises it to E.164 (+14155550148). */
export const PhoneInput = singleLine(32)
  .min(3, { error: "must be a phone number such as +1-415-555-0148 or (415) 555-0148" })
  .describe("Phone number in any common format; US numbers may omit +1. Stored as E.164, e.g. +14155550148");

export const Patient = z.object({
  uuid: Uuid,
  first_name: z.string(),
  last_name: z.string(),
  date_of_birth: LocalDate,
  primary_phone: z.string().nullable().describe("E.164, e.g. +14155550148"),
  email: z.string().nullable(),
  preferred_provider_uuid: Uuid.nullable(),
});
export type Patient = z.infer<typeof Patient>;

export const PatientSearchQuery = z.strictObject({
  query: SearchText.optional().describe(
    'Partial, case- and accent-insensitive match on first name, last name or "first last", e.g. smi, Jane Smith, jose',
  ),
  date_of_birth: LocalDate.optional(),
  phone: PhoneInput.optional(),
  ...PageQuery,
});
export type PatientSearchQuery = z.input<typeof PatientSearchQuery>;

export const PatientPage = paginated(Patient);
export type PatientPage = z.infer<typeof PatientPage>;

export const PatientCreate = z.strictObject({
  first_name: PersonName,
  last_name: PersonName,
  date_of_birth: LocalDate,
  primary_phone: PhoneInput.optional(),
  email: z.email({ error: "must be an email address such as jane.smith@example.com" }).max(254).optional(),
  preferred_provider_uuid: Uuid.optional().describe("uuid of a provider from GET /providers"),
});
export type PatientCreate = z.input<typeof PatientCreate>;

export const PatientPath = z.object({ patient_uuid: Uuid });
