import { z } from "zod";
import { AppointmentType } from "../../contract/index.js";
import { defineTool } from "./define-tool.js";

export const listAppointmentTypes = defineTool({
  name: "list_appointment_types",
  title: "List appointment types",
  description:
    "The practice's visit types (e.g. New Patient Exam, Hygiene / Cleaning) with durations; the one that fits " +
    "gives the appointment_type_uuid.",
  inputSchema: z.strictObject({
    is_active: z.boolean({ error: "must be true or false" }).default(true).describe("false: archived types instead"),
  }),
  outputSchema: z.object({ items: z.array(AppointmentType), total: z.number().int() }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true },
  async handler(args, { pms, signal }) {
    const list = await pms.listAppointmentTypes({ query: { is_active: args.is_active } }, { signal });
    const items = list.items.map((t) => ({
      uuid: t.uuid,
      code: t.code,
      name: t.name,
      duration_minutes: t.duration_minutes,
      color: t.color,
      requires_exam: t.requires_exam,
      is_active: t.is_active,
      provider_roles: t.provider_roles,
    }));
    const lines = items.map((t) => `- ${t.name} (${t.duration_minutes} min, uuid ${t.uuid})`);
    return {
      structured: { items, total: list.total },
      text: items.length ? `Appointment types:\n${lines.join("\n")}` : "No appointment types match.",
    };
  },
});
