/** GET /schedule/availability: bookable slots for an appointment type across providers and locations. */
import type { z } from "zod";
import { MAX_AVAILABILITY_DAYS, type Availability, type AvailabilityQuery, type Slot } from "../../contract/index.js";
import { type FoundSlot, findSlotsLoadingDates } from "../domain/availability.js";
import { type Selection, selectSlots, selectsBeyondEarliest } from "../domain/slot-selection.js";
import type { AppointmentTypeRecord, LocationRecord, ProviderRecord } from "../domain/model.js";
import { DEFAULT_HORIZON_MONTHS } from "../domain/schedule.js";
import { addDays, addMonths, daysBetween, formatLocalDateTime, localDate, startOfLocalDay } from "../domain/time.js";
import { loadReference, prepareSchedule, type Caller, type Reference, type ServiceContext } from "./context.js";
import { ApiError, unknownReferences } from "./errors.js";
import { operatoryOf, toProviderRef } from "./wire-shapes.js";

type Query = z.output<typeof AvailabilityQuery>;

/** The type must exist and be active; shared with booking, which names body fields instead. */
export function activeTypeOrFail(ref: Reference, uuid: string, field: string): AppointmentTypeRecord {
  const type = ref.typesById.get(uuid);
  if (!type)
    throw unknownReferences([{ field, message: "no appointment type with this uuid; see GET /appointment-types" }]);
  if (!type.is_active) {
    throw new ApiError(
      "inactive_appointment_type",
      `The appointment type "${type.name}" is archived and cannot be booked. Choose an active type (GET /appointment-types?is_active=true).`,
      [{ field, message: "appointment type is archived" }],
    );
  }
  return type;
}

export function providerEligibleOrFail(provider: ProviderRecord, type: AppointmentTypeRecord, field: string): void {
  if (provider.is_active && type.provider_roles.includes(provider.role)) return;
  const who = `${provider.first_name} ${provider.last_name} (${provider.title})`;
  const why = provider.is_active
    ? `a ${provider.role} cannot perform "${type.name}" (needs: ${type.provider_roles.join(" or ")})`
    : "is not an active provider";
  throw new ApiError(
    "provider_not_eligible",
    `${who} ${why}. Choose another provider, or omit the provider to search all eligible ones.`,
    [{ field, message: why }],
  );
}

/** The window of instants covering local days [startDate, endDate] at every location searched. */
function windowOf(locations: readonly LocationRecord[], startDate: string, endDate: string) {
  const dayAfter = addDays(endDate, 1);
  return {
    start: Math.min(...locations.map((l) => startOfLocalDay(startDate, l.timezone))),
    end: Math.max(...locations.map((l) => startOfLocalDay(dayAfter, l.timezone))),
  };
}

export async function checkAvailability(ctx: ServiceContext, caller: Caller, query: Query): Promise<Availability> {
  const ref = await loadReference(ctx, caller.orgId);
  const type = activeTypeOrFail(ref, query.appointment_type_uuid, "query.appointment_type_uuid");

  let providers = ref.providers.filter((p) => p.is_active && type.provider_roles.includes(p.role));
  if (query.provider_uuid !== undefined) {
    const provider = ref.providersById.get(query.provider_uuid);
    if (!provider) {
      throw unknownReferences([
        { field: "query.provider_uuid", message: "no provider with this uuid; see GET /providers" },
      ]);
    }
    providerEligibleOrFail(provider, type, "query.provider_uuid");
    providers = [provider];
  }
  let locations = ref.locations;
  if (query.location_uuid !== undefined) {
    const location = ref.locationsById.get(query.location_uuid);
    if (!location) {
      throw unknownReferences([
        { field: "query.location_uuid", message: "no location with this uuid; see GET /locations" },
      ]);
    }
    locations = [location];
  }

  const now = ctx.now();
  // Locations may be a day apart (timezones): "today" is the earliest of their dates.
  const today = locations.map((l) => localDate(now, l.timezone)).sort()[0] ?? localDate(now, "UTC");
  const startDate = query.start_date ?? today;
  // Judged before any date arithmetic: 9999-12-31 plus six days is no date this API can write.
  const months = ref.org.booking_horizon_months ?? DEFAULT_HORIZON_MONTHS;
  const lastBookable = addMonths(today, months);
  const beyond = (field: string, date: string) =>
    new ApiError(
      "beyond_horizon",
      `Appointments can be booked up to ${months} months ahead: the last bookable date is ${lastBookable}, and ${date} is after it. ` +
        `Search on or before ${lastBookable}.`,
      [{ field, message: `must be ${lastBookable} or earlier` }],
    );
  if (startDate > lastBookable) throw beyond("query.start_date", startDate);
  // A default end stops at the horizon; an end the client chose past it is refused.
  const endDate = query.end_date ?? [addDays(startDate, 6), lastBookable].sort()[0]!;
  if (endDate > lastBookable) throw beyond("query.end_date", endDate);
  if (daysBetween(endDate, today) > 0) {
    // Callers (LLMs especially) guess dates: say what today is rather than answer "no slots".
    throw new ApiError(
      "in_the_past",
      `The range ${startDate} to ${endDate} is in the past: today is ${today} at the practice. Search from ${today} onwards.`,
      [
        {
          field: query.end_date === undefined ? "query.start_date" : "query.end_date",
          message: `must be ${today} or later`,
        },
      ],
    );
  }
  if (daysBetween(startDate, endDate) < 0) {
    throw new ApiError(
      "invalid_time_range",
      `end_date ${endDate} is before start_date ${startDate}. Swap them or widen the range.`,
      [{ field: "query.end_date", message: "must be on or after start_date" }],
    );
  }
  if (daysBetween(startDate, endDate) + 1 > MAX_AVAILABILITY_DAYS) {
    throw new ApiError(
      "range_too_long",
      `The range ${startDate} to ${endDate} spans more than ${MAX_AVAILABILITY_DAYS} days. Search at most ${MAX_AVAILABILITY_DAYS} days at a time.`,
      [{ field: "query.end_date", message: `must be at most ${MAX_AVAILABILITY_DAYS - 1} days after start_date` }],
    );
  }

  const base = {
    appointment_type: { uuid: type.uuid, name: type.name, duration_minutes: type.duration_minutes, color: type.color },
    start_date: startDate,
    end_date: endDate,
    timezones: [...new Set(locations.map((l) => l.timezone))],
  };
  if (providers.length === 0 || locations.length === 0) {
    return { ...base, slots: [], ...(query.party_size === undefined ? {} : { sets: [] }), has_more: false };
  }

  const providerUuids = providers.map((p) => p.uuid);
  const locationUuids = locations.map((l) => l.uuid);
  const selection: Selection = {
    limit: query.limit,
    spread: query.spread,
    time_of_day: query.time_of_day,
    around: query.around === undefined ? undefined : minuteOfDay(query.around),
    party_size: query.party_size,
  };
  // The searches beyond "the earliest slots" choose among every slot of the range.
  const everySlot = selectsBeyondEarliest(selection);
  const schedule = prepareSchedule(ref, [], []);
  // The providers' bookings and holds elsewhere matter only where the search does not look already: at every
  // location, the location's include them all, and the query needs no UNION.
  const providersElsewhere = ref.locations.some((l) => !locationUuids.includes(l.uuid)) ? providerUuids : [];
  const scope = (window: { start: number; end: number }) => ({
    provider_uuids: providersElsewhere,
    location_uuids: locationUuids,
    patient_uuids: [],
    window,
  });
  // A date's bookings are read just before the search reaches it: most searches are settled on their first date.
  // Holds are few and short-lived: the range's are read with the first date's bookings, at the same time (on
  // PostgreSQL, two statements on two connections, one round trip's wait); expired ones are ignored by the rule.
  let holdsToRead = true;
  const loadDate = async (date: string) => {
    const [bookings, holds] = await Promise.all([
      ctx.storage.findOccupying(caller.orgId, scope(windowOf(locations, date, date))),
      holdsToRead ? ctx.storage.findHolds(caller.orgId, scope(windowOf(locations, startDate, endDate))) : [],
    ]);
    holdsToRead = false;
    for (const booking of bookings) schedule.addOccupancy(booking);
    for (const hold of holds) schedule.addHold(hold);
  };
  const found = await findSlotsLoadingDates(
    schedule,
    {
      duration_minutes: type.duration_minutes,
      provider_uuids: providerUuids,
      location_uuids: locationUuids,
      start_date: startDate,
      end_date: endDate,
      step_minutes: query.step_minutes,
      limit: everySlot ? Number.MAX_SAFE_INTEGER : query.limit,
      now,
      own_hold_uuid: query.hold_uuid,
    },
    loadDate,
  );
  const toSlot = (slot: FoundSlot): Slot | [] => {
    const location = ref.locationsById.get(slot.location_uuid);
    const provider = ref.providersById.get(slot.provider_uuid);
    if (!location || !provider) return [];
    return {
      scheduled_start: formatLocalDateTime(slot.start, location.timezone),
      scheduled_end: formatLocalDateTime(slot.end, location.timezone),
      timezone: location.timezone,
      provider: toProviderRef(provider),
      location: { uuid: location.uuid, name: location.name },
      operatory: operatoryOf(location, slot.operatory_uuid),
    };
  };
  if (!everySlot) return { ...base, slots: found.slots.flatMap(toSlot), has_more: found.has_more };

  const candidates = found.slots.flatMap((slot) => {
    const timezone = ref.locationsById.get(slot.location_uuid)?.timezone;
    if (timezone === undefined) return [];
    const local = formatLocalDateTime(slot.start, timezone);
    return [{ ...slot, date: local.slice(0, 10), minute: minuteOfDay(local.slice(11, 16)) }];
  });
  const selected = selectSlots(candidates, selection);
  const sets = selected.sets.map((set) => ({ slots: set.flatMap(toSlot) }));
  return {
    ...base,
    slots: sets.flatMap((set) => set.slots),
    ...(query.party_size === undefined ? {} : { sets }),
    has_more: selected.has_more,
  };
}

/** "HH:MM" as minutes after midnight. */
function minuteOfDay(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}
