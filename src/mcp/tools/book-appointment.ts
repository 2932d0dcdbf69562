import { z } from "zod";
import type { Appointment, AppointmentCreate } from "../../contract/index.js";
import { PmsError } from "../../pms/errors.js";
import { describeTaken, nearestAlternatives } from "../availability.js";
import { verifiedPatient } from "../caller-scope.js";
import { deriveIdempotencyKey } from "../idempotency.js";
import { ToolFailure } from "../tool-error.js";
import { AppointmentView, appointmentView, describeAppointment } from "../views.js";
import { defineCallerTool, defineTool, perPrivacyMode, type ToolContext } from "./define-tool.js";
import { appointmentTypeUuid, callerPass, dateTime, locationUuid, notes, patientUuid, providerUuid } from "./params.js";

/** A chain of replays that were each cancelled is short in practice; bound it anyway. */
const MAX_REBOOKS = 5;

const staff = defineTool({
  name: "book_appointment",
  title: "Book an appointment",
  description:
    "Book an appointment once the person has agreed to a specific slot. Use patient_uuid from search_patients " +
    "or create_patient, appointment_type_uuid from list_appointment_types, and scheduled_start, provider_uuid and " +
    "location_uuid from the chosen check_availability slot. Safe to retry: the same arguments never create a " +
    "second appointment. If the time was just taken, the error lists the nearest free alternatives. Read the " +
    "confirmation back to the person.",
  inputSchema: z.strictObject({
    patient_uuid: patientUuid,
    appointment_type_uuid: appointmentTypeUuid,
    provider_uuid: providerUuid,
    location_uuid: locationUuid,
    scheduled_start: dateTime("Start of the appointment"),
    scheduled_end: dateTime("End (default: start plus the type's duration)").optional(),
    notes: notes.optional().describe("Short note for the practice, e.g. the reason for the visit"),
    idempotency_key: z
      .string({ error: "must be text of 8 to 200 characters" })
      .min(8, { error: "must be at least 8 characters" })
      .max(200, { error: "must be at most 200 characters" })
      .regex(/^[\x21-\x7e]+$/, { error: "must be visible ASCII characters without spaces, e.g. booking-7f3a9c21" })
      .optional()
      .describe("Optional; by default one is derived from the arguments, which makes retries safe"),
  }),
  outputSchema: z.object({ appointment: AppointmentView }),
  // Idempotent because of the derived key: repeating the call replays the first booking.
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true },
  async handler(args, context) {
    const { idempotency_key, ...fields } = args;
    const body: AppointmentCreate = fields;
    let key = idempotency_key ?? deriveIdempotencyKey("book", body);
    let appointment = await create(body, key, context);
    // A replay of a booking cancelled since must not block booking the same slot again.
    for (let i = 0; appointment.status === "cancelled" && i < MAX_REBOOKS; i++) {
      key = deriveIdempotencyKey("rebook", { body, key, cancelled: appointment.uuid });
      appointment = await create(body, key, context);
    }
    const view = appointmentView(appointment, context.privacy);
    return {
      structured: { appointment: view },
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
 * Books under the key and returns the appointment as it is NOW: a replayed key answers with the
 * response stored at first booking, which does not show a later cancellation or reschedule.
 */
async function create(body: AppointmentCreate, idempotencyKey: string, context: ToolContext): Promise<Appointment> {
  try {
    const { appointment, replayed } = await context.pms.createAppointment(body, { idempotencyKey, signal: context.signal });
    return replayed ? await context.pms.getAppointment(appointment.uuid, { signal: context.signal }) : appointment;
  } catch (error) {
    if (error instanceof PmsError && error.problem?.code === "slot_unavailable") {
      const alternatives = await nearestAlternatives(context.pms, body, context.now(), context.signal);
      throw new ToolFailure(describeTaken("book_appointment", error.problem.detail, alternatives));
    }
    throw error;
  }
}
