/**
 * Idempotency keys derived from what a booking request means, so that a retried tool call (voice
 * platforms retry on their own timeouts) replays the first booking instead of creating a second one, in
 * whatever equivalent form the retry is written.
 */
import { createHash } from "node:crypto";
import type { AppointmentCreate } from "../contract/index.js";
import type { PmsApi } from "../pms/api.js";
import { instantAt, localAt } from "./time.js";

/** JSON with object keys sorted, so that argument order does not change the key. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

export function deriveIdempotencyKey(scope: string, value: unknown): string {
  return `${scope}-${createHash("sha256").update(canonical(value)).digest("hex")}`;
}

/**
 * A booking request as the PMS will understand it. `meaning` is what the key is derived from: start and
 * end as instants (local time, …Z and an offset of the same moment are one request; the two occurrences
 * of a fall-back hour are two), the end the type's duration gives when none is sent, notes trimmed with
 * blank as absent. `expected` is how the PMS writes the booked slot, to tell whether a replayed
 * appointment still is what was asked. Anything the practice's reference data cannot resolve (an unknown
 * location or type) stays as sent: the PMS refuses such a request anyway.
 */
export interface CanonicalBooking {
  meaning: Record<string, unknown>;
  expected: {
    scheduled_start: string;
    scheduled_end: string | undefined;
    provider_uuid: string;
    location_uuid: string;
  };
}

export async function canonicalBooking(
  pms: PmsApi,
  body: AppointmentCreate,
  signal: AbortSignal,
): Promise<CanonicalBooking> {
  const [locations, types] = await Promise.all([
    pms.listLocations({}, { signal }),
    pms.listAppointmentTypes({ query: {} }, { signal }),
  ]);
  const timezone = locations.items.find((l) => l.uuid === body.location_uuid)?.timezone;
  const duration = types.items.find((t) => t.uuid === body.appointment_type_uuid)?.duration_minutes;
  const start = timezone === undefined ? undefined : instantAt(body.scheduled_start, timezone);
  const explicitEnd =
    body.scheduled_end === undefined || timezone === undefined ? undefined : instantAt(body.scheduled_end, timezone);
  const end =
    body.scheduled_end === undefined
      ? start !== undefined && duration !== undefined
        ? start + duration * 60_000
        : undefined
      : explicitEnd;
  const local = (instant: number | undefined, asSent: string | undefined) =>
    instant !== undefined && timezone !== undefined ? localAt(instant, timezone) : asSent;
  return {
    meaning: {
      patient_uuid: body.patient_uuid,
      appointment_type_uuid: body.appointment_type_uuid,
      provider_uuid: body.provider_uuid,
      location_uuid: body.location_uuid,
      start: start === undefined ? body.scheduled_start : new Date(start).toISOString(),
      end: end === undefined ? body.scheduled_end : new Date(end).toISOString(),
      notes: body.notes?.trim() || undefined,
    },
    expected: {
      scheduled_start: local(start, body.scheduled_start)!,
      scheduled_end: local(end, body.scheduled_end),
      provider_uuid: body.provider_uuid,
      location_uuid: body.location_uuid,
    },
  };
}
