/**
 * Parameters shared by several tools. Each description says which tool supplies the value, so the
 * model forwards uuids from one step to the next instead of inventing them.
 */
import { z } from "zod";
import { LocalDate, Uuid } from "../../contract/index.js";
import { DATE_TIME_EXPECTED, readDateTime } from "../time.js";

/** Where each uuid comes from: said in its description, and again when the PMS does not know one. */
export const SUPPLIED_BY = {
  patient_uuid: "search_patients or create_patient",
  appointment_type_uuid: "list_appointment_types",
  provider_uuid: "check_availability or get_practice_info",
  location_uuid: "check_availability or get_practice_info",
  appointment_uuid: "find_appointments or book_appointment",
  hold_uuid: "hold_slot",
} as const;

export const patientUuid = Uuid.describe(`From ${SUPPLIED_BY.patient_uuid}`);
export const appointmentTypeUuid = Uuid.describe(`From ${SUPPLIED_BY.appointment_type_uuid}`);
export const providerUuid = Uuid.describe(`From ${SUPPLIED_BY.provider_uuid}`);
export const locationUuid = Uuid.describe(`From ${SUPPLIED_BY.location_uuid}`);
export const appointmentUuid = Uuid.describe(`From ${SUPPLIED_BY.appointment_uuid}`);
export const holdUuid = Uuid.describe(`From ${SUPPLIED_BY.hold_uuid}`);

/** Caller mode: who the caller was verified as, in place of a patient uuid. */
export const callerPass = z
  .string({
    error:
      "must be the caller_pass returned by search_patients or create_patient: verify the caller with search_patients first",
  })
  .min(1, {
    error:
      "must be the caller_pass returned by search_patients or create_patient: verify the caller with search_patients first",
  })
  .max(2000, { error: "must be a caller_pass exactly as search_patients or create_patient returned it" })
  .describe(
    "REQUIRED: the caller_pass returned by search_patients (or create_patient) when this caller was verified. If you have none, verify the caller with search_patients first.",
  );

/** A date of the practice's local calendar; the JSON Schema's format (date) says YYYY-MM-DD. */
export const date = (description: string) => LocalDate.describe(description);

/**
 * Accepts the contract's date-times (2025-05-20T10:00, 2025-05-20T10:00:00, or with an offset) and
 * 2025-05-20 10:00; yields the canonical text the API reads (2025-05-20T10:00:00).
 */
export const dateTime = (description: string) =>
  z
    .string({ error: `must be ${DATE_TIME_EXPECTED}` })
    .transform((value, ctx) => {
      const parsed = readDateTime(value);
      if (parsed.ok) return parsed.value.text;
      // Not a date-time at all: say what the tool takes. One with an impossible part: the contract's reason.
      const message = parsed.form ? `must be ${DATE_TIME_EXPECTED}; got "${value.slice(0, 40)}"` : parsed.message;
      ctx.issues.push({ code: "custom", input: value, message });
      return z.NEVER;
    })
    .describe(`${description}, local time, e.g. 2025-05-20T10:00`);

export const notes = z.string({ error: "must be text" }).trim().max(2000, { error: "must be at most 2000 characters" });

export const limit = (fallback: number, max: number) =>
  z
    .number({ error: `must be a whole number from 1 to ${max}, e.g. ${fallback}` })
    .int({ error: `must be a whole number from 1 to ${max}, e.g. ${fallback}` })
    .min(1, { error: `must be a whole number from 1 to ${max}, e.g. ${fallback}` })
    .max(max, { error: `must be at most ${max}` })
    .default(fallback);

/**
 * A limit above `max` is not a mistake worth a turn: it is clamped to `max`, and the answer says so
 * (the tool compares the argument with `max`).
 */
export const clampedLimit = (fallback: number, max: number) =>
  z
    .number({ error: `must be a whole number of at least 1, e.g. ${fallback}` })
    .int({ error: `must be a whole number of at least 1, e.g. ${fallback}` })
    .min(1, { error: `must be a whole number of at least 1, e.g. ${fallback}` })
    .default(fallback)
    .describe(`Maximum results (default ${fallback}; at most ${max} are given)`);
