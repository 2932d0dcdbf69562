import { z } from "zod";
import { Closure, OpeningHours, ProviderRole, Uuid, providerName } from "../../contract/index.js";
import { nowAt } from "../time.js";
import { defineTool } from "./define-tool.js";

const MAX_CLOSURES = 10;

export const getPracticeInfo = defineTool({
  name: "get_practice_info",
  title: "Practice info and today's date",
  description:
    "Locations (timezone, TODAY's date and time there, hours, closures) and providers (names, roles, locations). " +
    'Call it first, to turn "tomorrow" or "Dr. Chen" into dates and uuids.',
  inputSchema: z.strictObject({}),
  outputSchema: z.object({
    locations: z.array(
      z.object({
        uuid: Uuid,
        name: z.string(),
        address: z.string(),
        phone: z.string().nullable().describe("The practice's own phone"),
        timezone: z.string(),
        now: z.object({
          date: z.string().describe("Today's local date, YYYY-MM-DD"),
          weekday: z.string(),
          time: z.string().describe("Local time HH:MM (24-hour)"),
          utc_offset: z.string(),
          description: z.string(),
        }),
        opening_hours: z.array(OpeningHours).describe("Days not listed are closed"),
        upcoming_closures: z.array(Closure),
      }),
    ),
    providers: z.array(
      z.object({
        uuid: Uuid,
        name: z.string().describe('How to say it, e.g. "Dr. Michael Chen"'),
        first_name: z.string(),
        last_name: z.string(),
        title: z.string(),
        role: ProviderRole,
        location_uuids: z.array(Uuid),
      }),
    ),
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true },
  async handler(_args, { pms, signal, now }) {
    const [locationList, providerList] = await Promise.all([
      pms.listLocations({}, { signal }),
      pms.listProviders({}, { signal }),
    ]);
    const at = now();
    const locations = locationList.items.map((l) => ({
      uuid: l.uuid,
      name: l.name,
      address: `${l.address.line1}, ${l.address.city}, ${l.address.region} ${l.address.postal_code}`,
      phone: l.phone,
      timezone: l.timezone,
      now: nowAt(l.timezone, at),
      opening_hours: l.opening_hours,
      upcoming_closures: l.upcoming_closures.slice(0, MAX_CLOSURES),
    }));
    const providers = providerList.items
      .filter((p) => p.is_active)
      .map((p) => ({
        uuid: p.uuid,
        name: providerName(p),
        first_name: p.first_name,
        last_name: p.last_name,
        title: p.title,
        role: p.role,
        location_uuids: p.location_uuids,
      }));
    const locationName = new Map(locations.map((l) => [l.uuid, l.name]));
    const text = [
      ...locations.map((l) => {
        const hours = l.opening_hours.map((h) => `${h.day.slice(0, 3)} ${h.open}-${h.close}`).join(", ");
        const closed = l.upcoming_closures.map((c) => `${c.date} (${c.reason})`).join(", ");
        return `${l.name} (location_uuid ${l.uuid}): now ${l.now.description}. Open ${hours || "by appointment"}.${closed ? ` Closed ${closed}.` : ""}`;
      }),
      "Providers:",
      ...providers.map(
        (p) =>
          `- ${p.name} (${p.role}) at ${p.location_uuids.map((u) => locationName.get(u) ?? u).join(", ")} — provider_uuid ${p.uuid}`,
      ),
    ].join("\n");
    return { structured: { locations, providers }, text };
  },
});
