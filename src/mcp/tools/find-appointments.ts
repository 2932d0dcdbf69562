import { z } from "zod";
import { AppointmentStatus, type AppointmentQuery, type AppointmentPage } from "../../contract/index.js";
import type { PmsApi } from "../../pms/api.js";
import { verifiedPatient } from "../caller-scope.js";
import { AppointmentList, appointmentView, describeAppointment } from "../views.js";
import { defineCallerTool, defineTool, perPrivacyMode } from "./define-tool.js";
import { callerPass, limit, patientUuid } from "./params.js";

const staff = defineTool({
  name: "find_appointments",
  title: "A patient's appointments",
  description:
    "A patient's upcoming appointments, soonest first: before changing one, or to check a booking. Cancelled ones " +
    "only with status cancelled; include_past adds history.",
  inputSchema: z.strictObject({
    patient_uuid: patientUuid,
    include_past: z.boolean({ error: "must be true or false" }).default(false),
    status: AppointmentStatus.optional(),
    limit: limit(10, 50),
    page: z
      .number({ error: "must be a whole number of at least 1, e.g. 2" })
      .int({ error: "must be a whole number of at least 1, e.g. 2" })
      .min(1, { error: "must be a whole number of at least 1, e.g. 2" })
      .max(10_000, { error: "must be at most 10000" })
      .default(1),
  }),
  outputSchema: AppointmentList,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true },
  async handler(args, { pms, privacy, signal, now: clock }) {
    const now = new Date(clock()).toISOString();
    const filter = { patient_uuid: args.patient_uuid, status: args.status };
    const offset = (args.page - 1) * args.limit;
    // Upcoming means not over yet: still useful while it is going on.
    const upcoming = await slice(pms, { ...filter, ends_after: now, sort: "start" }, offset, args.limit, signal);
    let found = upcoming.items;
    let total = upcoming.total;
    if (args.include_past) {
      const past = await slice(
        pms,
        { ...filter, ended_by: now, sort: "-start" },
        Math.max(0, offset - upcoming.total),
        args.limit - found.length,
        signal,
      );
      found = [...found, ...past.items];
      total += past.total;
    }
    const items = found.map((a) => appointmentView(a, privacy));
    const hasMore = offset + items.length < total;
    const lines = items.map((a) => `- ${describeAppointment(a)}`);
    const which = args.status ? `${args.status} ` : "";
    const what = args.include_past
      ? `${which}appointments (upcoming first, then past, newest first)`
      : `upcoming ${which}appointments`;
    const shown = `${offset + 1}-${offset + items.length} of ${total}`;
    return {
      structured: { items, total, has_more: hasMore },
      text: items.length
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
    "cancel_appointment and update_appointment_status. Set include_past for history (upcoming first, then past ones, newest " +
    "first); when has_more is true, call again with the next page. Notes are not shown.",
  inputSchema: z.strictObject({ caller_pass: callerPass, ...callerFields }),
  async handler({ caller_pass, ...args }, context) {
    return staff.handler({ ...args, patient_uuid: await verifiedPatient(caller_pass, context) }, context);
  },
});

export const findAppointments = perPrivacyMode({ staff, caller });

/** Appointments read per request when leaving cancelled ones out. */
const SCAN_PAGE = 100;

/**
 * `count` appointments of a listing from position `offset` (0-based), and the listing's total. Without a
 * status, cancelled appointments are left out (they are easy to read aloud as if still on): the listing is
 * read from its start, skipping them, and its total is the whole listing's less the cancelled ones'.
 */
async function slice(
  pms: PmsApi,
  query: AppointmentQuery,
  offset: number,
  count: number,
  signal: AbortSignal,
): Promise<{ items: AppointmentPage["items"]; total: number }> {
  const list = (page: number, size: number, status = query.status) =>
    pms.listAppointments({ query: { ...query, status, page, page_size: size } }, { signal });
  if (query.status !== undefined) return pagedSlice(list, offset, count);
  const cancelled = (await list(1, 1, "cancelled")).total;
  const items: AppointmentPage["items"] = [];
  let skip = offset;
  let listed = await list(1, count === 0 ? 1 : SCAN_PAGE);
  for (let page = 1; count > 0;) {
    for (const appointment of listed.items) {
      if (appointment.status === "cancelled") continue;
      if (skip > 0) skip--;
      else if (items.length < count) items.push(appointment);
    }
    if (items.length >= count || page * SCAN_PAGE >= listed.total) break;
    listed = await list(++page, SCAN_PAGE);
  }
  return { items, total: listed.total - cancelled };
}

/**
 * The same from a listing of one status, where nothing is skipped: the API pages in fixed sizes, so an
 * offset that does not fall on a page boundary takes two pages.
 */
async function pagedSlice(
  list: (page: number, size: number) => Promise<AppointmentPage>,
  offset: number,
  count: number,
): Promise<{ items: AppointmentPage["items"]; total: number }> {
  // Nothing wanted from it, but its size still counts (one item is the cheapest page to ask for).
  const size = Math.max(1, count);
  const firstPage = Math.floor(offset / size) + 1;
  const first = await list(firstPage, size);
  if (count === 0) return { items: [], total: first.total };
  let items = first.items.slice(offset - (firstPage - 1) * size);
  if (items.length < count && firstPage * size < first.total)
    items = [...items, ...(await list(firstPage + 1, size)).items];
  return { items: items.slice(0, count), total: first.total };
}
