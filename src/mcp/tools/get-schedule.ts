import { z } from "zod";
import { AppointmentStatus, DaySchedule, Uuid, providerName, type TimeSpan } from "../../contract/index.js";
import { describeClockRange, describeDate } from "../time.js";
import { AppointmentView, appointmentView, fencedTexts } from "../views.js";
import { defineTool, staffOnly } from "./define-tool.js";
import { date } from "./params.js";

export const getSchedule = staffOnly(
  defineTool({
    name: "get_schedule",
    title: "Day sheet",
    description:
      "A day at a location and/or for a provider: appointments by time (patient, type, provider, chair, status) " +
      "and each chair's and provider's free gaps: for day lists, confirming many, free chairs.",
    inputSchema: z.strictObject({
      location_uuid: Uuid.optional().describe("From get_practice_info"),
      provider_uuid: Uuid.optional().describe("From get_practice_info"),
      date: date("Default: today").optional(),
      status: AppointmentStatus.optional().describe("Default: all but cancelled"),
    }),
    outputSchema: DaySchedule.extend({ items: z.array(AppointmentView) }),
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true },
    async handler(args, { pms, privacy, signal }) {
      const day = await pms.getDaySchedule({ query: args }, { signal });
      const items = day.items.map((a) => appointmentView(a, privacy));
      return { structured: { ...day, items }, text: daySheet({ ...day, items }, args) };
    },
  }),
);

type Sheet = Omit<DaySchedule, "items"> & { items: AppointmentView[] };

/**
 * The day as a front desk reads it: a heading, one line per appointment (with its fenced notes), then
 * each chair's and each provider's free time. Times are the location's wall clock, named once per zone.
 */
function daySheet(day: Sheet, asked: { location_uuid?: string; provider_uuid?: string; status?: string }): string {
  const places = [...day.operatories, ...day.providers, ...day.items];
  const locations = new Map(places.map((r) => [r.location.uuid, r.location.name]));
  const provider = day.providers.find((p) => p.provider.uuid === asked.provider_uuid)?.provider;
  const whose = [
    asked.location_uuid && locations.get(asked.location_uuid),
    asked.provider_uuid && (provider ? providerName(provider) : "the provider"),
  ].filter(Boolean);
  const zones = [...new Set(places.map((r) => r.timezone))];
  const what = asked.status ? `${asked.status} appointment(s)` : "appointment(s)";
  const lines = [
    `Day sheet for ${whose.join(", ")}, ${describeDate(day.date)}${zones.length ? ` (${zones.join(", ")})` : ""}: ` +
      `${day.total} ${what}.`,
  ];
  const manyPlaces = locations.size > 1;
  for (const a of day.items) {
    const where = manyPlaces ? ` at ${a.location.name}` : "";
    lines.push(
      `- ${describeClockRange(a.scheduled_start, a.scheduled_end)}: ${a.patient.first_name} ${a.patient.last_name}, ` +
        `${a.appointment_type.name}, ${providerName(a.provider)}, ${a.operatory.name}${where}, ${a.status} ` +
        `(appointment_uuid ${a.uuid})`,
      ...fencedTexts(a),
    );
  }
  if (day.has_more) {
    lines.push(`Showing the first ${day.items.length} of ${day.total}: ask by provider or status for the rest.`);
  }
  if (day.operatories.length > 0) {
    lines.push("Free chairs:");
    for (const chair of day.operatories) {
      const where = manyPlaces ? ` (${chair.location.name})` : "";
      lines.push(`- ${chair.operatory.name}${where}: ${freeTime(chair.working, chair.free, "closed")}`);
    }
  }
  if (day.providers.length > 0) {
    lines.push("Providers:");
    for (const p of day.providers) {
      const where = manyPlaces ? ` at ${p.location.name}` : "";
      const hours = p.working.length > 0 ? `, works ${spans(p.working)}` : "";
      lines.push(`- ${providerName(p.provider)}${where}${hours}: ${freeTime(p.working, p.free, "not working")}`);
    }
  } else if (day.operatories.length > 0) {
    lines.push("No provider works there that day.");
  }
  return lines.join("\n");
}

function spans(list: readonly TimeSpan[]): string {
  return list.map((s) => describeClockRange(s.start, s.end)).join(", ");
}

function freeTime(working: readonly TimeSpan[], free: readonly TimeSpan[], off: string): string {
  if (working.length === 0) return off;
  if (free.length === 0) return "fully booked";
  return `free ${spans(free)}`;
}
