import { z } from "zod";
import { NoteCreate, Uuid } from "../../contract/index.js";
import { AppointmentView, appointmentView, describeAppointment } from "../views.js";
import { defineTool, staffOnly } from "./define-tool.js";

export const addAppointmentNote = staffOnly(
  defineTool({
    name: "add_appointment_note",
    title: "Attach a clinical note",
    description:
      "Attach a clinical note (e.g. allergic to penicillin) to an appointment when staff ask. Returns the " +
      "appointment and its notes.",
    inputSchema: z.strictObject({
      appointment_uuid: Uuid.describe("From get_schedule, find_appointments or book_appointment"),
      text: NoteCreate.shape.text,
    }),
    outputSchema: AppointmentView.extend({ note_uuid: Uuid }),
    // Each call attaches one more note: a repeat would attach it twice.
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false },
    async handler(args, { pms, privacy, signal }) {
      const params = { appointment_uuid: args.appointment_uuid };
      // Read before writing: a failed read after the write would read as if nothing had been attached.
      const appointment = await pms.getAppointment({ params }, { signal });
      const note = await pms.addAppointmentNote({ params, body: { text: args.text } }, { signal });
      const notes = [...appointment.clinical_notes.filter((n) => n.uuid !== note.uuid), note];
      const view = appointmentView({ ...appointment, clinical_notes: notes }, privacy);
      return {
        structured: { ...view, note_uuid: note.uuid },
        text: `Note attached to: ${describeAppointment(view)}`,
      };
    },
  }),
);
