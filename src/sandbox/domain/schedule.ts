/**
 * An indexed, read-mostly view of a ScheduleSnapshot: bookings per provider, per operatory and per
 * patient in start order, and each (location, local date)'s working windows resolved to instants once.
 * Bookability is asked tens of thousands of times per availability query, and every luxon call
 * costs microseconds, so all timezone work is done here once and memoised.
 */
import type { Weekday } from "../../contract/index.js";
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
  ShiftRecord,
  TimeOffRecord,
} from "./model.js";
import { addDays, addMonths, localDate, startOfLocalDay, wallClockBoundary, weekdayOf } from "./time.js";

export const DEFAULT_HORIZON_MONTHS = 18;
export const MAX_HORIZON_MONTHS = 120;

/** A provider's shift on one local date, resolved to instants. */
export interface ShiftWindow {
  shift: ShiftRecord;
  start: EpochMs;
  end: EpochMs;
  breaks: (Interval & { label: string })[];
}

/** Everything that decides bookability at one location on one local date. */
export interface DayPlan {
  location: LocationRecord;
  date: string;
  weekday: Weekday;
  closure: ClosureRecord | null;
  /** Opening hours of the day as instants; empty when the location does not open that weekday. */
  opening: Interval[];
  /** Shift windows per provider uuid. */
  shifts: Map<string, ShiftWindow[]>;
}

const MINUTE_MS = 60_000;

/** What occupies a resource over [start, end): a booking or a hold; a booking read by a search has no uuid. */
type Claim = Interval & { uuid?: string };

/** Claims (non-cancelled bookings, or holds) of one resource, sorted by start, with a running maximum of ends. */
class Timeline<T extends Claim> {
  private bookings: T[] = [];
  private maxEnd: EpochMs[] = [];
  private sorted = true;

  add(booking: T): void {
    this.bookings.push(booking);
    this.sorted = false;
  }

  /** The first claim (by start) overlapping [start, end) that `counts`. */
  findOverlap(start: EpochMs, end: EpochMs, counts: (claim: T) => boolean): T | undefined {
    this.ensureSorted();
    // Index of the last claim starting before `end`; only it and earlier ones can overlap.
    let low = 0;
    let high = this.bookings.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((this.bookings[middle] as T).start < end) low = middle + 1;
      else high = middle;
    }
    let found: T | undefined;
    for (let i = low - 1; i >= 0 && (this.maxEnd[i] as EpochMs) > start; i--) {
      const booking = this.bookings[i] as T;
      if (booking.end > start && counts(booking)) found = booking;
    }
    return found;
  }

  private ensureSorted(): void {
    if (this.sorted) return;
    this.bookings.sort((a, b) => a.start - b.start || a.end - b.end);
    let running = -Infinity;
    this.maxEnd = this.bookings.map((booking) => (running = Math.max(running, booking.end)));
    this.sorted = true;
  }
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/**
 * Day plans and booking horizons by location and date: what a schedule derives from its practice's
 * configuration alone, with the timezone work it costs. Bounded: past MAX_ENTRIES entries a map starts over.
 */
export class DayPlanCache {
  static readonly MAX_ENTRIES = 10_000;
  readonly dayPlans = new Map<string, DayPlan>();
  readonly horizons = new Map<string, { lastDate: string; end: EpochMs }>();

  remember<V>(map: Map<string, V>, key: string, value: V): void {
    if (map.size >= DayPlanCache.MAX_ENTRIES) map.clear();
    map.set(key, value);
  }
}

export class PreparedSchedule {
  readonly locations: ReadonlyMap<string, LocationRecord>;
  readonly providers: ReadonlyMap<string, ProviderRecord>;
  private readonly shiftsByLocation: Map<string, ShiftRecord[]>;
  private readonly timeOffByProvider: Map<string, TimeOffRecord[]>;
  private readonly closures: Map<string, ClosureRecord>;
  private readonly byProvider = new Map<string, Timeline<Occupancy>>();
  private readonly byOperatory = new Map<string, Timeline<Occupancy>>();
  private readonly byPatient = new Map<string, Timeline<BookingRecord>>();
  private readonly holdsByProvider = new Map<string, Timeline<HoldRecord>>();
  private readonly holdsByOperatory = new Map<string, Timeline<HoldRecord>>();
  private readonly localDates = new Map<string, string>();
  private readonly lastHorizons = new Map<
    LocationRecord,
    { now: EpochMs; horizon: { lastDate: string; end: EpochMs } }
  >();
  /** How far ahead bookings may be made, in months from today at the location. */
  readonly horizonMonths: number;

  /**
   * `plans` may be shared by every schedule built from the same locations, shifts, closures and horizon (it
   * holds nothing that depends on bookings): then a day's plan is resolved once, not once per schedule.
   */
  constructor(
    snapshot: ScheduleSnapshot,
    private readonly plans: DayPlanCache = new DayPlanCache(),
  ) {
    this.horizonMonths = snapshot.horizon_months ?? DEFAULT_HORIZON_MONTHS;
    if (!Number.isInteger(this.horizonMonths) || this.horizonMonths < 1 || this.horizonMonths > MAX_HORIZON_MONTHS) {
      throw new RangeError(`the booking horizon must be 1 to ${MAX_HORIZON_MONTHS} months, got ${this.horizonMonths}`);
    }
    this.locations = new Map(snapshot.locations.map((location) => [location.uuid, location]));
    this.providers = new Map(snapshot.providers.map((provider) => [provider.uuid, provider]));
    this.shiftsByLocation = groupBy(snapshot.shifts, (shift) => shift.location_uuid);
    this.timeOffByProvider = groupBy(snapshot.timeOff, (timeOff) => timeOff.provider_uuid);
    this.closures = new Map(snapshot.closures.map((closure) => [`${closure.location_uuid}|${closure.date}`, closure]));
    for (const booking of snapshot.bookings) this.addBooking(booking);
    for (const hold of snapshot.holds ?? []) this.addHold(hold);
  }

  /** Records a booking so later checks see it (cancelled ones never occupy anything). */
  addBooking(booking: BookingRecord): void {
    if (booking.status === "cancelled") return;
    this.addOccupancy(booking);
    timeline(this.byPatient, booking.patient_uuid).add(booking);
  }

  /**
   * Records what a booking that is not cancelled occupies, for checks that name no patient (a search for free
   * time): its provider and operatory, and not its patient, whom such checks never ask about.
   */
  addOccupancy(occupancy: Occupancy): void {
    timeline(this.byProvider, occupancy.provider_uuid).add(occupancy);
    timeline(this.byOperatory, occupancy.operatory_uuid).add(occupancy);
  }

  /** Records a hold (live or expired: an expired one occupies nothing, see providerHold). */
  addHold(hold: HoldRecord): void {
    timeline(this.holdsByProvider, hold.provider_uuid).add(hold);
    timeline(this.holdsByOperatory, hold.operatory_uuid).add(hold);
  }

  providerConflict(providerUuid: string, start: EpochMs, end: EpochMs, ignoreUuid?: string) {
    return this.byProvider.get(providerUuid)?.findOverlap(start, end, other(ignoreUuid));
  }

  operatoryConflict(operatoryUuid: string, start: EpochMs, end: EpochMs, ignoreUuid?: string) {
    return this.byOperatory.get(operatoryUuid)?.findOverlap(start, end, other(ignoreUuid));
  }

  patientConflict(patientUuid: string, start: EpochMs, end: EpochMs, ignoreUuid?: string) {
    return this.byPatient.get(patientUuid)?.findOverlap(start, end, other(ignoreUuid));
  }

  /** A hold of the provider overlapping [start, end) and still live at `now`, other than `ownHoldUuid`. */
  providerHold(providerUuid: string, start: EpochMs, end: EpochMs, now: EpochMs, ownHoldUuid?: string) {
    return this.holdsByProvider.get(providerUuid)?.findOverlap(start, end, liveOther(now, ownHoldUuid));
  }

  /** A hold of the operatory overlapping [start, end) and still live at `now`, other than `ownHoldUuid`. */
  operatoryHold(operatoryUuid: string, start: EpochMs, end: EpochMs, now: EpochMs, ownHoldUuid?: string) {
    return this.holdsByOperatory.get(operatoryUuid)?.findOverlap(start, end, liveOther(now, ownHoldUuid));
  }

  timeOffOverlapping(providerUuid: string, start: EpochMs, end: EpochMs): TimeOffRecord | undefined {
    return this.timeOffByProvider.get(providerUuid)?.find((off) => off.start < end && off.end > start);
  }

  /** Local date of `instant` at `location`, memoised per minute (zone transitions fall on whole minutes). */
  localDateAt(location: LocationRecord, instant: EpochMs): string {
    const key = `${location.uuid}|${Math.floor(instant / MINUTE_MS)}`;
    let date = this.localDates.get(key);
    if (date === undefined) {
      date = localDate(instant, location.timezone);
      this.localDates.set(key, date);
    }
    return date;
  }

  /**
   * The last local date at `location` on which a visit may start, seen from `now`, and the instant that
   * date ends (starts from then on are beyond the horizon; compared as instants, whatever their year).
   */
  horizon(location: LocationRecord, now: EpochMs): { lastDate: string; end: EpochMs } {
    // A search asks once per candidate, always with the same `now`: answered without building a key.
    const last = this.lastHorizons.get(location);
    if (last?.now === now) return last.horizon;
    const today = this.localDateAt(location, now);
    const key = `${location.uuid}|${today}`;
    let horizon = this.plans.horizons.get(key);
    if (!horizon) {
      const lastDate = addMonths(today, this.horizonMonths);
      horizon = { lastDate, end: startOfLocalDay(addDays(lastDate, 1), location.timezone) };
      this.plans.remember(this.plans.horizons, key, horizon);
    }
    this.lastHorizons.set(location, { now, horizon });
    return horizon;
  }

  dayPlan(location: LocationRecord, date: string): DayPlan {
    const key = `${location.uuid}|${date}`;
    let plan = this.plans.dayPlans.get(key);
    if (!plan) {
      plan = this.buildDayPlan(location, date);
      this.plans.remember(this.plans.dayPlans, key, plan);
    }
    return plan;
  }

  private buildDayPlan(location: LocationRecord, date: string): DayPlan {
    const weekday = weekdayOf(date);
    const resolve = (start: string, end: string): Interval | null => {
      const from = wallClockBoundary(date, start, location.timezone);
      const to = wallClockBoundary(date, end, location.timezone);
      return from !== null && to !== null && to > from ? { start: from, end: to } : null;
    };
    const opening = location.opening_hours
      .filter((hours) => hours.day === weekday)
      .map((hours) => resolve(hours.open, hours.close))
      .filter((interval): interval is Interval => interval !== null);
    const shifts = new Map<string, ShiftWindow[]>();
    for (const shift of this.shiftsByLocation.get(location.uuid) ?? []) {
      if (shift.day !== weekday) continue;
      const window = resolve(shift.start, shift.end);
      if (!window) continue;
      const breaks = shift.breaks.flatMap((b) => {
        const interval = resolve(b.start, b.end);
        return interval ? [{ ...interval, label: `${b.start}-${b.end}` }] : [];
      });
      const list = shifts.get(shift.provider_uuid) ?? [];
      list.push({ shift, ...window, breaks });
      shifts.set(shift.provider_uuid, list);
    }
    return {
      location,
      date,
      weekday,
      closure: this.closures.get(`${location.uuid}|${date}`) ?? null,
      opening,
      shifts,
    };
  }
}

function timeline<T extends Claim>(index: Map<string, Timeline<T>>, key: string): Timeline<T> {
  let line = index.get(key);
  if (!line) {
    line = new Timeline<T>();
    index.set(key, line);
  }
  return line;
}

const everyClaim = () => true;

/**
 * Every claim but the one named `ignoreUuid` (the same function for none: asked per candidate, it is not rebuilt).
 * A claim without uuid is never the one ignored: only searches read such claims, and a search ignores none.
 */
function other(ignoreUuid: string | undefined): (claim: Claim) => boolean {
  return ignoreUuid === undefined ? everyClaim : (claim) => claim.uuid !== ignoreUuid;
}

/** A hold occupies its slot until it expires: at `expires_at` it is gone. */
function liveOther(now: EpochMs, ownHoldUuid: string | undefined): (hold: HoldRecord) => boolean {
  return (hold) => hold.expires_at > now && hold.uuid !== ownHoldUuid;
}

/** Indexes a snapshot once, for many checkBookable / findSlots calls over the same schedule. */
export function prepareSnapshot(snapshot: ScheduleSnapshot): PreparedSchedule {
  return new PreparedSchedule(snapshot);
}

/** Accepts either form, so one-off callers can pass the raw snapshot. */
export function asPrepared(schedule: ScheduleSnapshot | PreparedSchedule): PreparedSchedule {
  return schedule instanceof PreparedSchedule ? schedule : new PreparedSchedule(schedule);
}
