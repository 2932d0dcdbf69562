import { z } from "zod";
import { AppointmentStatus, type AppointmentQuery, type AppointmentPage } from "../../contract/index.js";
import type { PmsApi } from "../../pms/api.js";
import { verifiedPatient } from "../caller-scope.js";
import { AppointmentView, appointmentView, describeAppointment } from "../views.js";
import { defineCallerTool, defineTool, perPrivacyMode } from "./define-tool.js";
import { callerPass, limit, patientUuid } from "./params.js";

const staff = defineTool({
  name: "find_appointments",
  title: "Find a patient's appointments",
  description:
    "List a patient's upcoming appointments, soonest first (patient_uuid from search_patients), e.g. before " +
    "rescheduling, cancelling or confirming, or to check whether a booking went through. Each result's uuid is the " +
    "appointment_uuid for reschedule_appointment, cancel_appointment and confirm_appointment. Set include_past " +
    "for history: the upcoming ones still come first, then past ones, newest first. When has_more is true, call " +
    "again with the next page.",
  inputSchema: z.strictObject({
    patient_uuid: patientUuid,
    include_past: z
      .boolean({ error: "must be true or false" })
      .default(false)
      .describe("Also list past appointments, after the upcoming ones, newest first (default false)"),
    status: AppointmentStatus.optional().describe("Only appointments in this status, e.g. scheduled"),
    limit: limit(10, 50),
    page: z
      .number({ error: "must be a whole number of at least 1, e.g. 2" })
      .int({ error: "must be a whole number of at least 1, e.g. 2" })
      .min(1, { error: "must be a whole number of at least 1, e.g. 2" })
      .max(10_000, { error: "must be at most 10000" })
      .default(1)
      .describe("Page of `limit` results, 1-based (default 1): the next page follows where has_more was true"),
  }),
  outputSchema: z.object({
    appointments: z.array(AppointmentView),
    total: z.number().int().describe("Matching appointments over all pages"),
    page: z.number().int(),
    has_more: z.boolean().describe("More appointments follow on the next page"),
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true },
  async handler(args, { pms, privacy, signal, now: clock }) {
    const now = new Date(clock()).toISOString();
    const filter = { patient_uuid: args.patient_uuid, status: args.status };
    const offset = (args.page - 1) * args.limit;
    // Upcoming means not over yet: still useful while it is going on.
    const upcoming = await slice(pms, { ...filter, ends_after: now, sort: "start" }, offset, args.limit, signal);
    let items = upcoming.items;
    let total = upcoming.total;
    if (args.include_past) {
      const past = await slice(
        pms,
        { ...filter, ended_by: now, sort: "-start" },
        Math.max(0, offset - upcoming.total),
        args.limit - items.length,
        signal,
      );
      items = [...items, ...past.items];
      total += past.total;
    }
    const appointments = items.map((a) => appointmentView(a, privacy));
    const hasMore = offset + appointments.length < total;
    const lines = appointments.map((a) => `- ${describeAppointment(a)}`);
    const what = args.include_past ? "appointments (upcoming first, then past, newest first)" : "upcoming appointments";
    const shown = `${offset + 1}-${offset + appointments.length} of ${total}`;
    return {
      structured: { appointments, total, page: args.page, has_more: hasMore },
      text: appointments.length
        ? `${what[0]!.toUpperCase()}${what.slice(1)}, ${shown}:\n${lines.join("\n")}${hasMore ? `\nMore exist: call find_appointments with page ${args.page + 1}.` : ""}`
        : total > 0
          ? `No ${what} on page ${args.page}: there are ${total}; ask for an earlier page.`
          : `No ${what} for this patient.`,
    };
  },
});

/** Caller mode: the appointments of the patient the caller_pass names, and of nobody else. */
const { patient_uuid: _patient, ...callerFields } = staff.inputSchema.shape;
const caller = defineCallerTool({
  ...staff,
  description:
    "CALLER MODE: list the verified caller's own upcoming appointments, e.g. before rescheduling, cancelling or " +
    "confirming, or to check whether a booking went through. caller_pass (from search_patients or create_patient) is " +
    "required and names the patient. Each result's uuid is the appointment_uuid for reschedule_appointment, " +
    "cancel_appointment and confirm_appointment. Set include_past for history (upcoming first, then past ones, newest " +
    "first); when has_more is true, call again with the next page. Notes are not shown.",
  inputSchema: z.strictObject({ caller_pass: callerPass, ...callerFields }),
  async handler({ caller_pass, ...args }, context) {
    return staff.handler({ ...args, patient_uuid: await verifiedPatient(caller_pass, context) }, context);
  },
});

export const findAppointments = perPrivacyMode({ staff, caller });

/**
 * `count` appointments of a listing from position `offset` (0-based), and the listing's total. The API
 * pages in fixed sizes, so an offset that does not fall on a page boundary takes two pages.
 */
async function slice(
  pms: PmsApi,
  query: AppointmentQuery,
  offset: number,
  count: number,
  signal: AbortSignal,
): Promise<{ items: AppointmentPage["items"]; total: number }> {
  // Nothing wanted from it, but its size still counts (one item is the cheapest page to ask for).
  const size = Math.max(1, count);
  const firstPage = Math.floor(offset / size) + 1;
  const first = await pms.listAppointments({ query: { ...query, page: firstPage, page_size: size } }, { signal });
  if (count === 0) return { items: [], total: first.total };
  let items = first.items.slice(offset - (firstPage - 1) * size);
  if (items.length < count && firstPage * size < first.total) {
    const next = { ...query, page: firstPage + 1, page_size: size };
    const second = await pms.listAppointments({ query: next }, { signal });
    items = [...items, ...second.items];
  }
  return { items: items.slice(0, count), total: first.total };
}
