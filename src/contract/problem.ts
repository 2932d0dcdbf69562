/**
 * Errors are RFC 9457 problem details (`application/problem+json`) with a stable machine `code`,
 * a `detail` that says how to fix the request, and the offending fields.
 */
import { z } from "zod";
import { Instant, LocalDateTime, TimeZone, Uuid } from "./common.js";
import { AppointmentStatus } from "./scheduling.js";

export const PROBLEM_CONTENT_TYPE = "application/problem+json";

/** Every error code the API can answer with, and its HTTP status. */
export const ERROR_STATUS = {
  validation_failed: 400,
  unauthorized: 401,
  not_found: 404,
  method_not_allowed: 405,
  slot_unavailable: 409,
  /** The patient already has an appointment overlapping the requested time (at any location). */
  patient_busy: 409,
  /** Another party's live hold covers the provider or operatory at that time. */
  slot_held: 409,
  /** The hold booked under is gone: expired, released or used already. */
  hold_expired: 409,
  duplicate_patient: 409,
  invalid_transition: 409,
  idempotency_key_in_progress: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unknown_reference: 422,
  outside_working_hours: 422,
  in_the_past: 422,
  /** Further ahead than the practice's booking horizon; the detail names the last bookable date. */
  beyond_horizon: 422,
  invalid_time_range: 422,
  nonexistent_local_time: 422,
  range_too_long: 422,
  provider_not_eligible: 422,
  inactive_appointment_type: 422,
  /** A booking under a hold names another slot (provider, location, start, type, operatory or patient) than held. */
  hold_mismatch: 422,
  idempotency_key_reused: 422,
  rate_limited: 429,
  internal_error: 500,
  unavailable: 503,
  /** The database cannot be reached or is overloaded right now: retry after Retry-After. */
  storage_unavailable: 503,
  /** The database only allows reading (a standby, a read-only disk): nothing was written. */
  storage_read_only: 503,
  /** The database's disk is full: nothing was written. */
  storage_full: 507,
} as const;
export type ErrorCode = keyof typeof ERROR_STATUS;
export const ErrorCode = z.enum(Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]]);

export const FieldError = z.object({
  field: z.string().describe("Dotted path of the offending field, e.g. scheduled_start or query.page_size"),
  message: z.string().describe("What is wrong and the expected form"),
});
export type FieldError = z.infer<typeof FieldError>;

/** On 409 slot_unavailable and patient_busy: what is taken, and when. */
export const SlotConflict = z.object({
  resource: z
    .enum(["provider", "operatory", "patient"])
    .describe("patient: the patient's own other appointment (patient_busy)"),
  resource_uuid: Uuid,
  start: LocalDateTime.describe("Start of the conflicting booking, local time at its location"),
  end: LocalDateTime.describe("End of the conflicting booking, local time at its location"),
  timezone: TimeZone.describe("Timezone of the conflicting booking's location"),
});
export type SlotConflict = z.infer<typeof SlotConflict>;

export const Problem = z.object({
  type: z.string().describe("URI reference identifying the problem type"),
  title: z.string(),
  status: z.number().int(),
  code: ErrorCode,
  detail: z.string().describe("What went wrong and how to fix the request"),
  instance: z.string().optional(),
  errors: z.array(FieldError).optional(),
  conflict: SlotConflict.optional(),
  existing_uuid: Uuid.optional().describe("On duplicate_patient: the patient that already exists"),
  held_until: Instant.optional().describe("On slot_held: when the hold in the way lapses unless it is booked first"),
  current_status: AppointmentStatus.optional(),
  allowed_statuses: z.array(AppointmentStatus).optional().describe("On invalid_transition: the allowed next states"),
  retry_after_seconds: z.number().optional(),
});
export type Problem = z.infer<typeof Problem>;

export function problemTypeUri(code: ErrorCode): string {
  return `https://dental-pms-mcp.dev/problems/${code.replaceAll("_", "-")}`;
}
