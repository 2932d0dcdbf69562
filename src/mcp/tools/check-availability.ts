import { z } from "zod";
import { MAX_AVAILABILITY_DAYS, Uuid, providerName } from "../../contract/index.js";
import { SlotView, collectSlots, slotView } from "../availability.js";
import { daysBetween, timeOfDayOf } from "../time.js";
import { ToolInputError } from "../tool-error.js";
import { defineTool } from "./define-tool.js";
import { appointmentTypeUuid, date, limit } from "./params.js";

const TimeOfDayParam = z.enum(["morning", "afternoon", "evening"], {
  error: 'must be one of "morning" (before 12:00), "afternoon" (12:00-17:00) or "evening" (from 17:00)',
});

export const checkAvailability = defineTool({
  name: "check_availability",
  title: "Find free appointment slots",
  description:
    "Find bookable times for an appointment type before booking. Optionally narrow by provider, location, date " +
    "range and time of day (morning before 12:00, afternoon 12:00-17:00, evening from 17:00, local time). Without " +
    "dates it searches the next 7 days. Each slot gives scheduled_start, provider.uuid and location.uuid to pass " +
    "to book_appointment. Offer a few slots to the person and let them choose.",
  inputSchema: z.strictObject({
    appointment_type_uuid: appointmentTypeUuid,
    start_date: date("First day to search (default: today)").optional(),
    end_date: date(
      `Last day to search, inclusive (default: start_date + 6 days; at most ${MAX_AVAILABILITY_DAYS} days in all)`,
    ).optional(),
    provider_uuid: Uuid.optional().describe("Only this provider: provider_uuid from get_practice_info"),
    location_uuid: Uuid.optional().describe("Only this location: location_uuid from get_practice_info"),
    time_of_day: TimeOfDayParam.optional().describe("Only slots starting in this part of the day, local time"),
    limit: limit(10, 30),
  }),
  outputSchema: z.object({
    appointment_type: z.object({ uuid: Uuid, name: z.string(), duration_minutes: z.number().int() }),
    start_date: z.string(),
    end_date: z.string(),
    time_of_day: TimeOfDayParam.nullable(),
    slots: z.array(SlotView),
    has_more: z.boolean().describe("More slots exist than returned: narrow the search or raise limit"),
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true },
  async handler(args, { pms, signal }) {
    if (args.start_date && args.end_date) {
      const span = daysBetween(args.start_date, args.end_date);
      if (span < 0)
        throw new ToolInputError(
          "end_date",
          `must be on or after start_date (${args.start_date}), e.g. ${args.start_date}`,
        );
      if (span >= MAX_AVAILABILITY_DAYS) {
        throw new ToolInputError(
          "end_date",
          `must be at most ${MAX_AVAILABILITY_DAYS - 1} days after start_date; search in smaller ranges`,
        );
      }
    }
    const { time_of_day: part, limit: want, ...search } = args;
    const keep = part ? (slot: { scheduled_start: string }) => timeOfDayOf(slot.scheduled_start) === part : undefined;
    const found = await collectSlots(pms, search, want, keep, signal);
    const slots = found.slots.map(slotView);
    return {
      structured: {
        appointment_type: found.appointmentType,
        start_date: found.startDate,
        end_date: found.endDate,
        time_of_day: part ?? null,
        slots,
        has_more: found.hasMore,
      },
      text: describeSlots(found.appointmentType.name, found.startDate, found.endDate, part, slots, found.hasMore),
    };
  },
});

function describeSlots(
  typeName: string,
  from: string,
  to: string,
  part: string | undefined,
  slots: SlotView[],
  hasMore: boolean,
): string {
  const range = `${from} to ${to}${part ? `, ${part}s only` : ""}`;
  if (slots.length === 0)
    return `No free ${typeName} slots from ${range}. Try other dates, another provider or no time-of-day filter.`;
  const lines = slots.map(
    (s) => `- ${s.when} with ${providerName(s.provider)} at ${s.location.name} (scheduled_start ${s.scheduled_start})`,
  );
  const providers = new Map(slots.map((s) => [s.provider.uuid, providerName(s.provider)]));
  const locations = new Map(slots.map((s) => [s.location.uuid, s.location.name]));
  const refs = [
    ...[...providers].map(([uuid, name]) => `${name}: provider_uuid ${uuid}`),
    ...[...locations].map(([uuid, name]) => `${name}: location_uuid ${uuid}`),
  ];
  return [
    `Free ${typeName} slots, ${range}:`,
    ...lines,
    hasMore ? "More slots exist; ask for a narrower range or time of day if none suits." : "",
    `For book_appointment: ${refs.join("; ")}.`,
  ]
    .filter(Boolean)
    .join("\n");
}
