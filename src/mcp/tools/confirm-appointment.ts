import { z } from "zod";
import { PmsError } from "../../pms/errors.js";
import { callersAppointment } from "../caller-scope.js";
import { AppointmentView, appointmentView, describeAppointment } from "../views.js";
import { defineCallerTool, defineTool, perPrivacyMode } from "./define-tool.js";
import { appointmentUuid, callerPass } from "./params.js";

const staff = defineTool({
  name: "confirm_appointment",
  title: "Confirm an appointment",
  description:
    "Mark a scheduled appointment as confirmed by the patient (e.g. they answered a reminder saying they will " +
    "come). appointment_uuid comes from find_appointments or book_appointment.",
  inputSchema: z.strictObject({ appointment_uuid: appointmentUuid }),
  outputSchema: z.object({ appointment: AppointmentView, already_confirmed: z.boolean() }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true },
  async handler(args, { pms, privacy, signal }) {
    const params = { appointment_uuid: args.appointment_uuid };
    try {
      const confirmed = await pms.changeAppointmentStatus({ params, body: { status: "confirmed" } }, { signal });
      const view = appointmentView(confirmed, privacy);
      return {
        structured: { appointment: view, already_confirmed: false },
        text: `Confirmed: ${describeAppointment(view)}`,
      };
    } catch (error) {
      if (error instanceof PmsError && error.problem?.current_status === "confirmed") {
        const view = appointmentView(await pms.getAppointment({ params }, { signal }), privacy);
        return {
          structured: { appointment: view, already_confirmed: true },
          text: `Already confirmed: ${describeAppointment(view)}`,
        };
      }
      throw error;
    }
  },
});

const caller = defineCallerTool({
  ...staff,
  description:
    "CALLER MODE: mark one of the verified caller's scheduled appointments as confirmed (they say they will come). " +
    "caller_pass (from search_patients or create_patient) is required; appointment_uuid from find_appointments or book_appointment.",
  inputSchema: z.strictObject({ caller_pass: callerPass, ...staff.inputSchema.shape }),
  async handler({ caller_pass, ...args }, context) {
    await callersAppointment(args.appointment_uuid, caller_pass, context);
    return staff.handler(args, context);
  },
});

export const confirmAppointment = perPrivacyMode({ staff, caller });
