/**
 * GET /schedule/day: one local day of a location and/or a provider, as a front desk reads it. The
 * appointments in time order (every status but cancelled unless one is asked for), and each chair's and
 * each working provider's free gaps from the pure day-sheet rules.
 */
import type { z } from "zod";
import {
  MAX_DAY_APPOINTMENTS,
  type DaySchedule,
  type DayScheduleQuery,
  type FieldError,
  type TimeSpan,
} from "../../contract/index.js";
import { dayGaps } from "../domain/day-sheet.js";
import type { AppointmentRecord, EpochMs, Interval, LocationRecord } from "../domain/model.js";
import { formatLocalDateTime, localDate, startOfLocalDay } from "../domain/time.js";
import { expand } from "./appointments.js";
import { loadReference, scheduleOf, type Caller, type Reference, type ServiceContext } from "./context.js";
import { unknownReferences } from "./errors.js";
import { operatoryOf, toProviderRef } from "./wire-shapes.js";

type Query = z.output<typeof DayScheduleQuery>;

const DAY_MS = 24 * 60 * 60 * 1000;

export async function getDaySchedule(ctx: ServiceContext, caller: Caller, query: Query): Promise<DaySchedule> {
  const ref = await loadReference(ctx, caller.orgId);
  const { location, provider } = resolve(ref, query);
  // The location's day, or the days of every location where the provider works.
  const locations = location
    ? [location]
    : (provider?.location_uuids ?? []).flatMap((uuid) => ref.locationsById.get(uuid) ?? []);
  const zones = locations.length > 0 ? locations.map((l) => l.timezone) : ["UTC"];
  const now = ctx.now();
  // Locations may be a day apart (timezones): "today" is the earliest of their dates, as for availability.
  const date = query.date ?? zones.map((zone) => localDate(now, zone)).sort()[0]!;

  const providerUuids = provider
    ? [provider.uuid]
    : ref.providers.filter((p) => p.location_uuids.some((uuid) => uuid === location?.uuid)).map((p) => p.uuid);
  const dayStart = Math.min(...zones.map((zone) => startOfLocalDay(date, zone)));
  // Two days from the earliest start covers every location's local day (none lasts more than 26 hours),
  // without computing the next date: 9999-12-31 has none this API can write.
  const bookings = await ctx.storage.findBookings(caller.orgId, {
    provider_uuids: providerUuids,
    location_uuids: locations.map((l) => l.uuid),
    patient_uuids: [],
    window: { start: dayStart, end: dayStart + 2 * DAY_MS },
  });

  const onThatDay = (a: AppointmentRecord) =>
    (location === undefined || a.location_uuid === location.uuid) &&
    (provider === undefined || a.provider_uuid === provider.uuid) &&
    localDate(a.start, ref.locationsById.get(a.location_uuid)?.timezone ?? "UTC") === date;
  let rows: AppointmentRecord[];
  let total: number;
  if (query.status === "cancelled") {
    // Cancelled appointments occupy nothing, so they are not among the bookings: list them.
    const filter = { location_uuid: location?.uuid, provider_uuid: provider?.uuid, status: query.status };
    const page = await ctx.storage.listAppointments(
      caller.orgId,
      { ...filter, start_date: date, end_date: date },
      { page: 1, page_size: MAX_DAY_APPOINTMENTS },
    );
    rows = page.items;
    total = page.total;
  } else {
    const matching = bookings
      .filter((a) => onThatDay(a) && (query.status === undefined || a.status === query.status))
      .sort((a, b) => a.start - b.start || a.uuid.localeCompare(b.uuid));
    rows = matching.slice(0, MAX_DAY_APPOINTMENTS);
    total = matching.length;
  }

  const gaps = dayGaps(scheduleOf(ref, bookings, []), {
    date,
    location_uuids: locations.map((l) => l.uuid),
    provider_uuids: provider ? [provider.uuid] : undefined,
  });
  const where = (uuid: string) => {
    const at = ref.locationsById.get(uuid) as LocationRecord;
    const spans = (intervals: Interval[]) => intervals.map((i) => span(i, at.timezone));
    return { location: { uuid: at.uuid, name: at.name }, timezone: at.timezone, spans };
  };
  return {
    date,
    items: await expand(ctx, caller, ref, rows),
    total,
    has_more: total > rows.length,
    operatories: gaps.operatories.map((day) => {
      const { location: at, timezone, spans } = where(day.location_uuid);
      const operatory = operatoryOf(ref.locationsById.get(day.location_uuid), day.operatory_uuid);
      return { operatory, location: at, timezone, working: spans(day.working), free: spans(day.free) };
    }),
    providers: gaps.providers.map((day) => {
      const { location: at, timezone, spans } = where(day.location_uuid);
      const who = toProviderRef(ref.providersById.get(day.provider_uuid)!);
      return { provider: who, location: at, timezone, working: spans(day.working), free: spans(day.free) };
    }),
  };
}

function resolve(ref: Reference, query: Query) {
  const unknown: FieldError[] = [];
  const location = query.location_uuid === undefined ? undefined : ref.locationsById.get(query.location_uuid);
  const provider = query.provider_uuid === undefined ? undefined : ref.providersById.get(query.provider_uuid);
  if (query.location_uuid !== undefined && !location) {
    unknown.push({ field: "query.location_uuid", message: "no location with this uuid; see GET /locations" });
  }
  if (query.provider_uuid !== undefined && !provider) {
    unknown.push({ field: "query.provider_uuid", message: "no provider with this uuid; see GET /providers" });
  }
  if (unknown.length > 0) throw unknownReferences(unknown);
  return { location, provider };
}

function span(interval: Interval, timezone: string): TimeSpan {
  const local = (instant: EpochMs) => formatLocalDateTime(instant, timezone);
  return { start: local(interval.start), end: local(interval.end) };
}
