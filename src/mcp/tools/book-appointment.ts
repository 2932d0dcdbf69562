import { z } from "zod";
import type { Appointment, AppointmentCreate } from "../../contract/index.js";
import { PmsError } from "../../pms/errors.js";
import { ALTERNATIVES_WITHIN_DAYS, nearestAlternatives } from "../availability.js";
import { verifiedPatient } from "../caller-scope.js";
import { canonicalBooking, deriveIdempotencyKey, type CanonicalBooking } from "../idempotency.js";
import { SlotTaken } from "../tool-error.js";
import { AppointmentView, appointmentView, describeAppointment } from "../views.js";
import { defineCallerTool, defineTool, perPrivacyMode, type ToolContext } from "./define-tool.js";
import {
  appointmentTypeUuid,
  callerPass,
  dateTime,
  holdUuid,
  locationUuid,
  notes,
  patientUuid,
  providerUuid,
} from "./params.js";

const staff = defineTool({
  name: "book_appointment",
  title: "Book an appointment",
  description:
    "Book a check_availability slot the person agreed to (its scheduled_start, provider_uuid, location_uuid). " +
    "Safe to retry (never books twice). A time just taken lists the nearest free ones. Read it back.",
  inputSchema: z.strictObject({
    patient_uuid: patientUuid,
    appointment_type_uuid: appointmentTypeUuid,
    provider_uuid: providerUuid,
    location_uuid: locationUuid,
    scheduled_start: dateTime("Start of the appointment"),
    scheduled_end: dateTime("End (default: start plus the type's duration)").optional(),
    notes: notes.optional().describe("Short note for the practice, e.g. the reason for the visit"),
    hold_uuid: holdUuid.optional(),
    idempotency_key: z
      .string({ error: "must be text of 8 to 200 characters" })
      .min(8, { error: "must be at least 8 characters" })
      .max(200, { error: "must be at most 200 characters" })
      .regex(/^[\x21-\x7e]+$/, { error: "must be visible ASCII characters without spaces, e.g. booking-7f3a9c21" })
      .optional()
      .describe("Optional; by default one is derived from the arguments, which makes retries safe"),
  }),
  outputSchema: AppointmentView,
  // Idempotent because of the derived key: repeating the call replays the first booking.
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true },
  async handler(args, context) {
    const { idempotency_key, notes: note, ...fields } = args;
    // A blank note is no note: the same request as one without it.
    const body: AppointmentCreate = note ? { ...fields, notes: note } : fields;
    const request = await canonicalBooking(context.pms, body, context.signal);
    const appointment = await bookTruthfully(
      body,
      request,
      idempotency_key ?? deriveIdempotencyKey("book", request.meaning),
      context,
    );
    const view = appointmentView(appointment, context.privacy);
    return {
      structured: view,
      text: `Booked: ${describeAppointment(view)}`,
    };
  },
});

/**
 * Caller mode: the patient is the one the caller_pass names. No idempotency_key parameter either: a key
 * of the caller's choosing could be one used for another patient's booking, and whether the PMS
 * refuses it as reused would tell whether that booking exists. The derived key covers retries.
 */
const { patient_uuid: _patient, idempotency_key: _key, ...callerFields } = staff.inputSchema.shape;
const caller = defineCallerTool({
  ...staff,
  description:
    "CALLER MODE: book an appointment for the verified caller once they have agreed to a specific slot. caller_pass " +
    "(from search_patients or create_patient) is required and names the patient; appointment_type_uuid from " +
    "list_appointment_types, and scheduled_start, provider_uuid and location_uuid from the chosen check_availability " +
    "slot. Safe to retry: the same arguments never create a second appointment. If the time was just taken, the error " +
    "lists the nearest free alternatives. Read the confirmation back to the caller.",
  inputSchema: z.strictObject({ caller_pass: callerPass, ...callerFields }),
  async handler({ caller_pass, ...args }, context) {
    return staff.handler({ ...args, patient_uuid: await verifiedPatient(caller_pass, context) }, context);
  },
});

export const bookAppointment = perPrivacyMode({ staff, caller });

/**
 * Books under `key`. A replay answers with the appointment made under the key earlier, which may since
 * have been cancelled or moved: it is returned only while it still is what was asked (re-read now);
 * otherwise the request is booked anew under a key derived from it and the stale appointment, as often
 * as the chain of earlier bookings goes (each link was a real booking, cancelled or moved since).
 */
async function bookTruthfully(
  body: AppointmentCreate,
  request: CanonicalBooking,
  key: string,
  context: ToolContext,
): Promise<Appointment> {
  const stale = new Set<string>();
  for (let current = key; ;) {
    const { value: appointment, replayed } = await create(body, current, context);
    if (!replayed) return appointment;
    const params = { appointment_uuid: appointment.uuid };
    const now = await context.pms.getAppointment({ params }, { signal: context.signal });
    if (stillAsAsked(now, request)) return now;
    // A PMS that replayed one appointment under two keys of this chain would send us round for ever.
    if (stale.has(now.uuid)) {
      throw new PmsError("invalid_response", {
        call: "createAppointment",
        violation: "replayed one stale booking under two keys",
      });
    }
    stale.add(now.uuid);
    current = deriveIdempotencyKey("rebook", { request: request.meaning, stale: now.uuid });
  }
}

function stillAsAsked(appointment: Appointment, request: CanonicalBooking): boolean {
  const { expected } = request;
  return (
    appointment.status !== "cancelled" &&
    appointment.scheduled_start === expected.scheduled_start &&
    (expected.scheduled_end === undefined || appointment.scheduled_end === expected.scheduled_end) &&
    appointment.provider.uuid === expected.provider_uuid &&
    appointment.location.uuid === expected.location_uuid
  );
}

async function create(body: AppointmentCreate, idempotencyKey: string, context: ToolContext) {
  try {
    return await context.pms.createAppointment({ body }, { idempotencyKey, signal: context.signal });
  } catch (error) {
    if (error instanceof PmsError && error.code === "slot_unavailable") {
      const alternatives = await nearestAlternatives(context.pms, body, context.now(), context.signal);
      throw new SlotTaken(error, alternatives, ALTERNATIVES_WITHIN_DAYS);
    }
    throw error;
  }
}
