/**
 * Bookability: the single rule deciding whether a provider can see a patient at a location over
 * [start, end). Availability searches and bookings both use it, so every offered slot can be booked.
 *
 * `evaluate` is the rule itself and returns a terse verdict; `checkBookable` adds the human-readable
 * message. Availability calls `evaluate` directly, because it rejects most candidates and building
 * messages (timezone formatting) would dominate its cost.
 */
import { providerName, type Operatory, type Weekday } from "../../contract/index.js";
import type {
  BookingRecord,
  ClosureRecord,
  EpochMs,
  HoldRecord,
  Interval,
  LocationRecord,
  Occupancy,
  ProviderRecord,
  ScheduleSnapshot,
  TimeOffRecord,
} from "./model.js";
import { type DayPlan, type PreparedSchedule, type ShiftWindow, asPrepared } from "./schedule.js";
import { formatLocalDateTime } from "./time.js";

export { PreparedSchedule, prepareSnapshot } from "./schedule.js";

export interface Candidate {
  provider_uuid: string;
  location_uuid: string;
  operatory_uuid?: string;
  /** Who is booked: a patient cannot be in two appointments at once (any location). Omitted by availability. */
  patient_uuid?: string;
  start: EpochMs;
  end: EpochMs;
  /** The appointment being rescheduled: it does not conflict with itself. */
  ignore_appointment_uuid?: string;
  /** The hold the candidate is booked under (or seen by): it does not conflict with its own holder. */
  own_hold_uuid?: string;
}

export type Bookability =
  | { ok: true; operatory_uuid: string }
  | {
      ok: false;
      code: "invalid_time_range" | "in_the_past" | "beyond_horizon" | "outside_working_hours" | "unknown_reference";
      message: string;
      field?: string;
    }
  | {
      ok: false;
      code: "slot_unavailable" | "patient_busy" | "slot_held";
      message: string;
      /** The booking (or hold) in the way; `location_uuid` is where it is (its times are local there). */
      conflict: {
        resource: "provider" | "operatory" | "patient";
        resource_uuid: string;
        start: EpochMs;
        end: EpochMs;
        location_uuid: string;
      };
      /** For slot_held: when the hold lapses. */
      held_until?: EpochMs;
    };

/** Why a candidate is not bookable, with just what a message needs. */
export type Verdict =
  | { ok: true; operatory_uuid: string }
  | { ok: false; reason: "invalid_time_range" | "in_the_past" | "unknown_provider" | "unknown_location" }
  | { ok: false; reason: "beyond_horizon"; location: LocationRecord; lastDate: string; months: number }
  | { ok: false; reason: "inactive_provider"; provider: ProviderRecord }
  | { ok: false; reason: "unknown_operatory"; location: LocationRecord }
  | { ok: false; reason: "closed_day"; plan: DayPlan; closure: ClosureRecord }
  | { ok: false; reason: "outside_opening_hours"; plan: DayPlan }
  | { ok: false; reason: "outside_shift"; plan: DayPlan; provider: ProviderRecord; windows: ShiftWindow[] }
  | { ok: false; reason: "during_break"; plan: DayPlan; provider: ProviderRecord; label: string }
  | { ok: false; reason: "time_off"; provider: ProviderRecord; location: LocationRecord; timeOff: TimeOffRecord }
  /** `location`: where the patient's other appointment is. */
  | { ok: false; reason: "patient_busy"; location: LocationRecord; booking: BookingRecord }
  | {
      ok: false;
      reason: "provider_busy";
      provider: ProviderRecord;
      location: LocationRecord;
      booking: Occupancy;
      /** Where the conflicting booking is, when known. */
      bookingLocation?: LocationRecord;
    }
  /** Another party's live hold on the provider, or on every operatory that is not booked. */
  | {
      ok: false;
      reason: "held";
      resource: "provider" | "operatory";
      resource_uuid: string;
      hold: HoldRecord;
      /** Where the hold is (its times are told in that location's zone). */
      location: LocationRecord;
    }
  | {
      ok: false;
      reason: "operatory_busy";
      location: LocationRecord;
      operatory: Operatory;
      booking: Occupancy;
      anyOperatory: boolean;
    };

/**
 * Decides bookability. `plan` may be passed by callers that already know the local day of `start`
 * (availability); otherwise it is looked up. Intervals are half-open: back-to-back is fine.
 */
export function evaluate(schedule: PreparedSchedule, candidate: Candidate, now: EpochMs, plan?: DayPlan): Verdict {
  const { start, end } = candidate;
  if (!Number.isFinite(start) || !Number.isFinite(end) || end <= start)
    return { ok: false, reason: "invalid_time_range" };
  const provider = schedule.providers.get(candidate.provider_uuid);
  if (!provider) return { ok: false, reason: "unknown_provider" };
  const location = schedule.locations.get(candidate.location_uuid);
  if (!location) return { ok: false, reason: "unknown_location" };
  if (!provider.is_active) return { ok: false, reason: "inactive_provider", provider };
  let operatories = location.operatories;
  if (candidate.operatory_uuid !== undefined) {
    const chosen = operatories.find((operatory) => operatory.uuid === candidate.operatory_uuid);
    if (!chosen) return { ok: false, reason: "unknown_operatory", location };
    operatories = [chosen];
  }
  if (start < now) return { ok: false, reason: "in_the_past" };
  // Before any calendar work on the start: a start in year 9999 must be judged, not computed with.
  const horizon = schedule.horizon(location, now);
  if (start >= horizon.end) {
    return {
      ok: false,
      reason: "beyond_horizon",
      location,
      lastDate: horizon.lastDate,
      months: schedule.horizonMonths,
    };
  }

  const day = plan ?? schedule.dayPlan(location, schedule.localDateAt(location, start));
  if (day.closure) return { ok: false, reason: "closed_day", plan: day, closure: day.closure };
  if (!day.opening.some((hours) => hours.start <= start && end <= hours.end)) {
    return { ok: false, reason: "outside_opening_hours", plan: day };
  }
  const windows = day.shifts.get(provider.uuid) ?? [];
  const window = windows.find((w) => w.start <= start && end <= w.end);
  if (!window) return { ok: false, reason: "outside_shift", plan: day, provider, windows };
  const lunch = window.breaks.find((b) => b.start < end && b.end > start);
  if (lunch) return { ok: false, reason: "during_break", plan: day, provider, label: lunch.label };
  const timeOff = schedule.timeOffOverlapping(provider.uuid, start, end);
  if (timeOff) return { ok: false, reason: "time_off", provider, location, timeOff };

  const ignore = candidate.ignore_appointment_uuid;
  // Before the provider and operatory: a patient already booked then (a retry of their own booking under
  // another key, say) is told so, rather than that "the slot is taken".
  if (candidate.patient_uuid !== undefined) {
    const other = schedule.patientConflict(candidate.patient_uuid, start, end, ignore);
    if (other)
      return {
        ok: false,
        reason: "patient_busy",
        location: schedule.locations.get(other.location_uuid) ?? location,
        booking: other,
      };
  }
  const busy = schedule.providerConflict(provider.uuid, start, end, ignore);
  if (busy)
    return {
      ok: false,
      reason: "provider_busy",
      provider,
      location,
      booking: busy,
      bookingLocation: schedule.locations.get(busy.location_uuid),
    };
  const ownHold = candidate.own_hold_uuid;
  const providerHold = schedule.providerHold(provider.uuid, start, end, now, ownHold);
  const heldAt = (hold: HoldRecord) => schedule.locations.get(hold.location_uuid) ?? location;
  if (providerHold) {
    const hold = providerHold;
    return {
      ok: false,
      reason: "held",
      resource: "provider",
      resource_uuid: provider.uuid,
      hold,
      location: heldAt(hold),
    };
  }
  let firstTaken: { operatory: Operatory; booking: Occupancy } | undefined;
  let firstHeld: { operatory: Operatory; hold: HoldRecord } | undefined;
  for (const operatory of operatories) {
    const taken = schedule.operatoryConflict(operatory.uuid, start, end, ignore);
    const held = taken ? undefined : schedule.operatoryHold(operatory.uuid, start, end, now, ownHold);
    if (!taken && !held) return { ok: true, operatory_uuid: operatory.uuid };
    if (taken) firstTaken ??= { operatory, booking: taken };
    if (held) firstHeld ??= { operatory, hold: held };
  }
  // A chair that is only held frees up when the hold lapses: worth saying rather than "booked".
  if (firstHeld) {
    const { operatory, hold } = firstHeld;
    return {
      ok: false,
      reason: "held",
      resource: "operatory",
      resource_uuid: operatory.uuid,
      hold,
      location: heldAt(hold),
    };
  }
  if (!firstTaken) return { ok: false, reason: "unknown_operatory", location }; // a location without operatories
  return {
    ok: false,
    reason: "operatory_busy",
    location,
    ...firstTaken,
    anyOperatory: candidate.operatory_uuid === undefined,
  };
}

/**
 * Whether `candidate` can be booked at `now`, and if not, why and what to do, in words a receptionist
 * or an LLM can act on. Pass a PreparedSchedule when checking many candidates against one schedule.
 */
export function checkBookable(
  schedule: ScheduleSnapshot | PreparedSchedule,
  candidate: Candidate,
  now: EpochMs,
): Bookability {
  return explain(evaluate(asPrepared(schedule), candidate, now));
}

const CHECK_AVAILABILITY = "check availability for open times";

/** The verdict in words: what is wrong and what to do. */
export function explain(verdict: Verdict): Bookability {
  if (verdict.ok) return verdict;
  const hoursOff = (message: string) =>
    ({
      ok: false,
      code: "outside_working_hours",
      message: `${message}; ${CHECK_AVAILABILITY}.`,
      field: "scheduled_start",
    }) as const;
  switch (verdict.reason) {
    case "invalid_time_range":
      return {
        ok: false,
        code: "invalid_time_range",
        message:
          "scheduled_end must be after scheduled_start; send a later end or omit it to use the appointment type's duration.",
        field: "scheduled_end",
      };
    case "in_the_past":
      return {
        ok: false,
        code: "in_the_past",
        message: "The requested start time has already passed; choose a time in the future.",
        field: "scheduled_start",
      };
    case "beyond_horizon":
      return {
        ok: false,
        code: "beyond_horizon",
        message:
          `Appointments can be booked up to ${verdict.months} months ahead: the last bookable date at ${verdict.location.name} ` +
          `is ${verdict.lastDate} (${verdict.location.timezone}). Choose a date on or before it.`,
        field: "scheduled_start",
      };
    case "unknown_provider":
      return unknown("provider_uuid", "No provider has this uuid; use a uuid from GET /providers.");
    case "unknown_location":
      return unknown("location_uuid", "No location has this uuid; use a uuid from GET /locations.");
    case "inactive_provider":
      return unknown(
        "provider_uuid",
        `${providerName(verdict.provider)} no longer takes appointments; choose an active provider from GET /providers.`,
      );
    case "unknown_operatory":
      return unknown(
        "operatory_uuid",
        `${verdict.location.name} has no operatory with this uuid; use one listed by GET /locations or omit operatory_uuid.`,
      );
    case "closed_day":
      return hoursOff(`${verdict.plan.location.name} is closed on ${verdict.plan.date} (${verdict.closure.reason})`);
    case "outside_opening_hours": {
      const { location, weekday, opening } = verdict.plan;
      const hours = opening.map((interval) => timeRange(interval.start, interval.end, location.timezone));
      return hoursOff(
        hours.length === 0
          ? `${location.name} is closed on ${plural(weekday)}`
          : `${location.name} is open ${hours.join(", ")} on ${plural(weekday)} (${location.timezone}) and the visit must fit inside`,
      );
    }
    case "outside_shift": {
      const { location, weekday } = verdict.plan;
      const name = providerName(verdict.provider);
      if (verdict.windows.length === 0)
        return hoursOff(`${name} does not work at ${location.name} on ${plural(weekday)}`);
      const hours = verdict.windows.map((w) => timeRange(w.start, w.end, location.timezone));
      return hoursOff(
        `${name} works at ${location.name} ${hours.join(", ")} on ${plural(verdict.plan.weekday)} (${location.timezone}) and the visit must fit inside`,
      );
    }
    case "during_break":
      return hoursOff(
        `The visit overlaps ${providerName(verdict.provider)}'s break ${verdict.label} on ${verdict.plan.date}`,
      );
    case "time_off": {
      const zone = verdict.location.timezone;
      return hoursOff(
        `${providerName(verdict.provider)} is away from ${formatLocalDateTime(verdict.timeOff.start, zone)} ` +
          `to ${formatLocalDateTime(verdict.timeOff.end, zone)} (${zone})`,
      );
    }
    case "patient_busy": {
      const { booking, location } = verdict;
      return {
        ok: false,
        code: "patient_busy",
        message:
          `The patient already has an appointment ${bookingSpan(booking, location.timezone)} at ${location.name}, ` +
          "and cannot be in two places at once; choose a time that does not overlap it.",
        conflict: conflictOf("patient", booking.patient_uuid, booking),
      };
    }
    case "provider_busy": {
      const { booking } = verdict;
      // In the zone of the booking's own location: a provider may work at locations in other zones.
      const zone = (verdict.bookingLocation ?? verdict.location).timezone;
      return {
        ok: false,
        code: "slot_unavailable",
        message: `${providerName(verdict.provider)} already has an appointment ${bookingSpan(booking, zone)}; ${CHECK_AVAILABILITY}.`,
        conflict: conflictOf("provider", booking.provider_uuid, booking),
      };
    }
    case "held": {
      const { hold } = verdict;
      const zone = verdict.location.timezone;
      const until = formatLocalDateTime(hold.expires_at, zone).slice(11, 16);
      return {
        ok: false,
        code: "slot_held",
        message:
          `${verdict.resource === "provider" ? "The provider" : "The operatory"} is held for another booking ` +
          `${bookingSpan(hold, zone)} until ${until} unless it is booked first; ${CHECK_AVAILABILITY}.`,
        conflict: {
          resource: verdict.resource,
          resource_uuid: verdict.resource_uuid,
          start: hold.start,
          end: hold.end,
          location_uuid: hold.location_uuid,
        },
        held_until: hold.expires_at,
      };
    }
    case "operatory_busy": {
      const { booking, location, operatory } = verdict;
      const what = verdict.anyOperatory
        ? `Every operatory at ${location.name} is in use at that time (${operatory.name} is booked ${bookingSpan(booking, location.timezone)})`
        : `${operatory.name} at ${location.name} is booked ${bookingSpan(booking, location.timezone)}; omit operatory_uuid to use any free one, or`;
      return {
        ok: false,
        code: "slot_unavailable",
        message: verdict.anyOperatory ? `${what}; ${CHECK_AVAILABILITY}.` : `${what} ${CHECK_AVAILABILITY}.`,
        conflict: conflictOf("operatory", operatory.uuid, booking),
      };
    }
  }
}

function conflictOf(resource: "provider" | "operatory" | "patient", uuid: string, booking: Occupancy) {
  return {
    resource,
    resource_uuid: uuid,
    start: booking.start,
    end: booking.end,
    location_uuid: booking.location_uuid,
  };
}

function unknown(field: string, message: string): Bookability {
  return { ok: false, code: "unknown_reference", message, field };
}

function plural(weekday: Weekday): string {
  return `${weekday.charAt(0).toUpperCase()}${weekday.slice(1)}s`;
}

function timeRange(start: EpochMs, end: EpochMs, timezone: string): string {
  return `${formatLocalDateTime(start, timezone).slice(11, 16)}-${formatLocalDateTime(end, timezone).slice(11, 16)}`;
}

function bookingSpan(booking: Interval, timezone: string): string {
  const start = formatLocalDateTime(booking.start, timezone);
  return `from ${start.slice(11, 16)} to ${formatLocalDateTime(booking.end, timezone).slice(11, 16)} on ${start.slice(0, 10)} (${timezone})`;
}
