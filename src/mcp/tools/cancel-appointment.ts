import { z } from "zod";
import { PmsError } from "../../pms/errors.js";
import { AppointmentView, appointmentView, describeAppointment } from "../views.js";
import { defineTool } from "./define-tool.js";
import { appointmentUuid } from "./params.js";

export const cancelAppointment = defineTool({
  name: "cancel_appointment",
  title: "Cancel an appointment",
  description:
    "Cancel an appointment (appointment_uuid from find_appointments or book_appointment) after the person has " +
    "confirmed they want to cancel. To move it instead, use reschedule_appointment. Cancelling frees the slot " +
    "and cannot be undone; the person can book again.",
  inputSchema: z.strictObject({
    appointment_uuid: appointmentUuid,
    reason: z
      .string({ error: "must be text" })
      .trim()
      .max(500, { error: "must be at most 500 characters" })
      .optional()
      .describe("Why, in a few words, e.g. patient is travelling"),
  }),
  outputSchema: z.object({ appointment: AppointmentView, already_cancelled: z.boolean() }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true },
  async handler(args, { pms, privacy, signal }) {
    try {
      const cancelled = await pms.changeAppointmentStatus(
        args.appointment_uuid,
        { status: "cancelled", reason: args.reason },
        { signal },
      );
      const view = appointmentView(cancelled, privacy);
      return { structured: { appointment: view, already_cancelled: false }, text: `Cancelled: ${describeAppointment(view)}` };
    } catch (error) {
      // Cancelling twice (a retried call) is not a failure.
      if (error instanceof PmsError && error.problem?.current_status === "cancelled") {
        const view = appointmentView(await pms.getAppointment(args.appointment_uuid, { signal }), privacy);
        return { structured: { appointment: view, already_cancelled: true }, text: `Already cancelled: ${describeAppointment(view)}` };
      }
      throw error;
    }
  },
});
