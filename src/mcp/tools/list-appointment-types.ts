import { z } from "zod";
import { AppointmentType } from "../../contract/index.js";
import { defineTool } from "./define-tool.js";

export const listAppointmentTypes = defineTool({
  name: "list_appointment_types",
  title: "List appointment types",
  description:
    "List the kinds of visit the practice books (e.g. New Patient Exam, Hygiene / Cleaning, Emergency Visit) " +
    "with their durations. Pick the one matching the person's reason and pass its uuid as appointment_type_uuid " +
    "to check_availability and book_appointment.",
  inputSchema: z.strictObject({
    is_active: z
      .boolean({ error: "must be true or false" })
      .default(true)
      .describe("true (default): only types that can be booked; false: only archived ones"),
  }),
  outputSchema: z.object({
    appointment_types: z.array(
      AppointmentType.pick({
        uuid: true,
        code: true,
        name: true,
        duration_minutes: true,
        requires_exam: true,
        is_active: true,
        provider_roles: true,
      }),
    ),
    total: z.number().int(),
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true },
  async handler(args, { pms, signal }) {
    const list = await pms.listAppointmentTypes({ query: { is_active: args.is_active } }, { signal });
    const types = list.items.map((t) => ({
      uuid: t.uuid,
      code: t.code,
      name: t.name,
      duration_minutes: t.duration_minutes,
      requires_exam: t.requires_exam,
      is_active: t.is_active,
      provider_roles: t.provider_roles,
    }));
    const lines = types.map((t) => `- ${t.name} (${t.duration_minutes} min, uuid ${t.uuid})`);
    return {
      structured: { appointment_types: types, total: list.total },
      text: types.length ? `Appointment types:\n${lines.join("\n")}` : "No appointment types match.",
    };
  },
});
