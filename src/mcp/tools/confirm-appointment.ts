import { z } from "zod";
import { PmsError } from "../../pms/errors.js";
import { AppointmentView, appointmentView, describeAppointment } from "../views.js";
import { defineTool } from "./define-tool.js";
import { appointmentUuid } from "./params.js";

export const confirmAppointment = defineTool({
  name: "confirm_appointment",
  title: "Confirm an appointment",
  description:
    "Mark a scheduled appointment as confirmed by the patient (e.g. they answered a reminder saying they will " +
    "come). appointment_uuid comes from find_appointments or book_appointment.",
  inputSchema: z.strictObject({ appointment_uuid: appointmentUuid }),
  outputSchema: z.object({ appointment: AppointmentView, already_confirmed: z.boolean() }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true },
  async handler(args, { pms, privacy, signal }) {
    try {
      const confirmed = await pms.changeAppointmentStatus(args.appointment_uuid, { status: "confirmed" }, { signal });
      const view = appointmentView(confirmed, privacy);
      return { structured: { appointment: view, already_confirmed: false }, text: `Confirmed: ${describeAppointment(view)}` };
    } catch (error) {
      if (error instanceof PmsError && error.problem?.current_status === "confirmed") {
        const view = appointmentView(await pms.getAppointment(args.appointment_uuid, { signal }), privacy);
        return { structured: { appointment: view, already_confirmed: true }, text: `Already confirmed: ${describeAppointment(view)}` };
      }
      throw error;
    }
  },
});
