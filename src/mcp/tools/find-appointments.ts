import { z } from "zod";
import { AppointmentStatus } from "../../contract/index.js";
import type { PmsApi } from "../../pms/api.js";
import { verifiedPatient } from "../caller-scope.js";
import { todayAt, localToMillis } from "../time.js";
import { AppointmentView, appointmentView, describeAppointment } from "../views.js";
import { defineCallerTool, defineTool, perPrivacyMode } from "./define-tool.js";
import { callerPass, limit, patientUuid } from "./params.js";

const staff = defineTool({
  name: "find_appointments",
  title: "Find a patient's appointments",
  description:
    "List a patient's upcoming appointments (patient_uuid from search_patients), e.g. before rescheduling, " +
    "cancelling or confirming, or to check whether a booking went through. Each result's uuid is the " +
    "appointment_uuid for reschedule_appointment, cancel_appointment and confirm_appointment. Set include_past " +
    "for history.",
  inputSchema: z.strictObject({
    patient_uuid: patientUuid,
    include_past: z.boolean({ error: "must be true or false" }).default(false).describe("Also list past appointments (default false)"),
    status: AppointmentStatus.optional().describe("Only appointments in this status, e.g. scheduled"),
    limit: limit(10, 50),
  }),
  outputSchema: z.object({
    appointments: z.array(AppointmentView),
    total: z.number().int().describe("Matching appointments, including ones not returned"),
    has_more: z.boolean(),
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true },
  async handler(args, { pms, privacy, signal, now }) {
    const at = now();
    // Appointments dates are local to each location: start from the earliest "today" among them.
    const start_date = args.include_past ? undefined : await earliestToday(pms, at, signal);
    const page = await pms.listAppointments(
      { patient_uuid: args.patient_uuid, status: args.status, start_date, page: 1, page_size: Math.min(100, args.limit + 10) },
      { signal },
    );
    const relevant = (args.include_past ? page.items : page.items.filter((a) => instantOf(a, "end") > at)).sort(
      (a, b) => instantOf(a, "start") - instantOf(b, "start"),
    );
    const appointments = relevant.slice(0, args.limit).map((a) => appointmentView(a, privacy));
    const hidden = page.items.length - relevant.length;
    const total = page.total - hidden;
    const hasMore = total > appointments.length;
    const lines = appointments.map((a) => `- ${describeAppointment(a)}`);
    const what = args.include_past ? "appointments" : "upcoming appointments";
    return {
      structured: { appointments, total, has_more: hasMore },
      text: appointments.length
        ? `${what[0]!.toUpperCase()}${what.slice(1)} (${appointments.length} shown):\n${lines.join("\n")}${hasMore ? "\nMore exist: raise limit or filter by status." : ""}`
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
    "cancel_appointment and confirm_appointment. Set include_past for history. Notes are not shown.",
  inputSchema: z.strictObject({ caller_pass: callerPass, ...callerFields }),
  async handler({ caller_pass, ...args }, context) {
    return staff.handler({ ...args, patient_uuid: await verifiedPatient(caller_pass, context) }, context);
  },
});

export const findAppointments = perPrivacyMode({ staff, caller });

async function earliestToday(pms: PmsApi, at: number, signal: AbortSignal): Promise<string | undefined> {
  const locations = await pms.listLocations({ signal });
  const days = locations.items.map((l) => todayAt(l.timezone, at)).sort();
  return days[0];
}

function instantOf(appointment: { scheduled_start: string; scheduled_end: string; timezone: string }, edge: "start" | "end") {
  return localToMillis(edge === "start" ? appointment.scheduled_start : appointment.scheduled_end, appointment.timezone);
}
