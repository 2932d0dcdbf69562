import { z } from "zod";
import { singleLine } from "../../contract/index.js";
import { PmsError } from "../../pms/errors.js";
import { callersAppointment } from "../caller-scope.js";
import { AppointmentView, appointmentView, describeAppointment } from "../views.js";
import { defineCallerTool, defineTool, perPrivacyMode } from "./define-tool.js";
import { appointmentUuid, callerPass } from "./params.js";

const staff = defineTool({
  name: "cancel_appointment",
  title: "Cancel an appointment",
  description:
    "Cancel an appointment once the person confirms; it frees the slot and cannot be undone. To move it, use " +
    "reschedule_appointment.",
  inputSchema: z.strictObject({
    appointment_uuid: appointmentUuid,
    reason: singleLine(500, "text").optional().describe("e.g. patient is travelling"),
  }),
  outputSchema: AppointmentView.extend({ already_cancelled: z.boolean() }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true },
  async handler(args, { pms, privacy, signal }) {
    const params = { appointment_uuid: args.appointment_uuid };
    try {
      const cancelled = await pms.changeAppointmentStatus(
        { params, body: { status: "cancelled", reason: args.reason } },
        { signal },
      );
      const view = appointmentView(cancelled, privacy);
      return {
        structured: { ...view, already_cancelled: false },
        text: `Cancelled: ${describeAppointment(view)}`,
      };
    } catch (error) {
      // Cancelling twice (a retried call) is not a failure.
      if (error instanceof PmsError && error.problem?.current_status === "cancelled") {
        const view = appointmentView(await pms.getAppointment({ params }, { signal }), privacy);
        return {
          structured: { ...view, already_cancelled: true },
          text: `Already cancelled: ${describeAppointment(view)}`,
        };
      }
      throw error;
    }
  },
});

const caller = defineCallerTool({
  ...staff,
  description:
    "CALLER MODE: cancel one of the verified caller's appointments after they have confirmed they want to cancel. " +
    "caller_pass (from search_patients or create_patient) is required; appointment_uuid from find_appointments. To " +
    "move it instead, use reschedule_appointment. Cancelling frees the slot and cannot be undone; the caller can book again.",
  inputSchema: z.strictObject({ caller_pass: callerPass, ...staff.inputSchema.shape }),
  async handler({ caller_pass, ...args }, context) {
    await callersAppointment(args.appointment_uuid, caller_pass, context);
    return staff.handler(args, context);
  },
});

export const cancelAppointment = perPrivacyMode({ staff, caller });
