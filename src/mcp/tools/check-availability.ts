import { z } from "zod";
import {
  MAX_AVAILABILITY_DAYS,
  MAX_PARTY_SIZE,
  MIN_PARTY_SIZE,
  PartOfDay,
  SPREAD_PER_DAY,
  TimeOfDay,
  Uuid,
  providerName,
  type Availability,
} from "../../contract/index.js";
import { SlotView, slotView } from "../availability.js";
import { daysBetween, weekdayShort } from "../time.js";
import { ToolInputError } from "../tool-error.js";
import { defineTool } from "./define-tool.js";
import { appointmentTypeUuid, clampedLimit, date } from "./params.js";

/** Slots (or a party's sets) given at most; a larger limit is clamped and the answer says so. */
const MAX_LIMIT = 30;

export const checkAvailability = defineTool({
  name: "check_availability",
  title: "Find free appointment slots",
  description:
    "Find bookable times for an appointment type, by default the earliest of the next 7 days. Narrow by provider, " +
    "location, dates or time_of_day (morning before 12:00, afternoon to 17:00, evening, local time); for what " +
    "callers ask: spread, around, party_size. Pass the chosen slot's scheduled_start, provider_uuid and " +
    "location_uuid to book_appointment. Offer a few slots and let the person choose.",
  inputSchema: z.strictObject({
    appointment_type_uuid: appointmentTypeUuid,
    start_date: date("First day to search (default: today)").optional(),
    end_date: date(
      `Last day to search, inclusive (default: start_date + 6 days; at most ${MAX_AVAILABILITY_DAYS} days in all)`,
    ).optional(),
    provider_uuid: Uuid.optional().describe("Only this provider: provider_uuid from get_practice_info"),
    location_uuid: Uuid.optional().describe("Only this location: location_uuid from get_practice_info"),
    time_of_day: PartOfDay.optional().describe("Only slots starting in this part of the day, local time"),
    spread: z.boolean().optional().describe(`At most ${SPREAD_PER_DAY} a day, across days`),
    around: TimeOfDay.optional().describe("HH:MM: closest first"),
    party_size: z
      .number()
      .int()
      .min(MIN_PARTY_SIZE)
      .max(MAX_PARTY_SIZE)
      .optional()
      .describe("People: back-to-back sets"),
    limit: clampedLimit(10, MAX_LIMIT),
  }),
  outputSchema: z.object({
    appointment_type: z.object({ uuid: Uuid, name: z.string(), duration_minutes: z.number().int() }),
    start_date: z.string(),
    end_date: z.string(),
    time_of_day: PartOfDay.nullable(),
    slots: z.array(SlotView),
    has_more: z.boolean().describe("More slots exist than returned: narrow the search or raise limit"),
    limit_clamped_from: z.number().int().nullable().describe(`The limit asked for, when above ${MAX_LIMIT}`),
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
    const limit = Math.min(args.limit, MAX_LIMIT);
    const found = await pms.checkAvailability({ query: { ...args, limit } }, { signal });
    const slots = found.sets
      ? found.sets.flatMap((set, i) => set.slots.map((slot) => ({ ...slotView(slot), set: i + 1 })))
      : found.slots.map(slotView);
    const clampedFrom = args.limit > MAX_LIMIT ? args.limit : null;
    return {
      structured: {
        appointment_type: {
          uuid: found.appointment_type.uuid,
          name: found.appointment_type.name,
          duration_minutes: found.appointment_type.duration_minutes,
        },
        start_date: found.start_date,
        end_date: found.end_date,
        time_of_day: args.time_of_day ?? null,
        slots,
        has_more: found.has_more,
        limit_clamped_from: clampedFrom,
      },
      text: describeSlots(found, args, slots, clampedFrom),
    };
  },
});

interface Search {
  time_of_day?: string;
  spread?: boolean;
  around?: string;
  party_size?: number;
}

/**
 * The slots as a voice receptionist reads them: grouped by location (named once, with its timezone and
 * uuid), then day (a line each), then provider (the uuid at the first mention), each slot as its local HH:MM;
 * scheduled_start is the day and the time joined by T (the year said once in the header when the answer lies
 * within one year). A party's sets one per line.
 */
function describeSlots(found: Availability, search: Search, slots: SlotView[], clampedFrom: number | null): string {
  const type = found.appointment_type;
  const what = search.party_size
    ? `Sets of ${search.party_size} back-to-back ${type.name} slots`
    : `Free ${type.name} slots`;
  // Within one year (the usual case) the year is said once, in the rule for scheduled_start, not on every day.
  const year = found.start_date.slice(0, 4);
  const oneYear = found.end_date.startsWith(year) && slots.every((s) => s.scheduled_start.startsWith(year));
  const day = (date: string) => (oneYear ? date.slice(5) : date);
  const how = [
    `${day(found.start_date)} to ${day(found.end_date)}`,
    search.time_of_day ? `${search.time_of_day}s only` : "",
    search.spread ? "spread" : "",
    search.around ? `nearest ${search.around} first` : "",
  ].filter(Boolean);
  const clamped =
    clampedFrom === null ? "" : ` (limit ${clampedFrom} is above ${MAX_LIMIT}: at most ${MAX_LIMIT} given)`;
  if (slots.length === 0) {
    return `No ${what.charAt(0).toLowerCase()}${what.slice(1)}, ${how.join(", ")}. Try other dates, another provider or fewer filters.`;
  }
  const units = search.party_size ? (slots.at(-1)?.set ?? 0) : slots.length;
  const lines = [
    `${what}, ${how.join(", ")}: ${units} shown${found.has_more ? ", more exist" : ""}${clamped}. ` +
      `scheduled_start = ${oneYear ? `${year}-MM-DD` : "YYYY-MM-DD"}THH:MM; uuids follow names.`,
  ];
  const named = new Set<string>();
  const who = (slot: SlotView) => {
    const name = providerName(slot.provider);
    if (named.has(slot.provider.uuid)) return name;
    named.add(slot.provider.uuid);
    return `${name} ${slot.provider.uuid}`;
  };
  for (const [location, atLocation] of groupBy(slots, (s) => s.location.uuid)) {
    const { name } = (atLocation[0] as SlotView).location;
    lines.push(`${name} (${(atLocation[0] as SlotView).timezone}) ${location}:`);
    for (const [date, onDay] of groupBy(atLocation, (s) => s.scheduled_start.slice(0, 10))) {
      const label = `${weekdayShort(date)} ${day(date)}`;
      if (search.party_size) {
        for (const [set, members] of groupBy(onDay, (s) => String(s.set))) {
          lines.push(`Set ${set}, ${label}: ${members.map((s) => `${hhmm(s)} ${who(s)}`).join(", ")}`);
        }
        continue;
      }
      const byProvider = [...groupBy(onDay, (s) => s.provider.uuid).values()];
      const times = byProvider.map((group) => `${who(group[0] as SlotView)}: ${group.map(hhmm).sort().join(", ")}`);
      lines.push(`${label}: ${times.join("; ")}`);
    }
  }
  return lines.join("\n");
}

function hhmm(slot: SlotView): string {
  return slot.scheduled_start.slice(11, 16);
}

/** Groups in the order each key first appears, so the answer's order (e.g. closest first) is kept. */
function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}
