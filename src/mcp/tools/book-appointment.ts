import { z } from "zod";
import type { Appointment, AppointmentCreate } from "../../contract/index.js";
import { PmsError } from "../../pms/errors.js";
import { describeTaken, nearestAlternatives } from "../availability.js";
import { deriveIdempotencyKey } from "../idempotency.js";
import { ToolFailure } from "../tool-error.js";
import { AppointmentView, appointmentView, describeAppointment } from "../views.js";
import { defineTool, type ToolContext } from "./define-tool.js";
import { appointmentTypeUuid, dateTime, locationUuid, notes, patientUuid, providerUuid } from "./params.js";

/** A chain of replays that were each cancelled is short in practice; bound it anyway. */
const MAX_REBOOKS = 5;

export const bookAppointment = defineTool({
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
