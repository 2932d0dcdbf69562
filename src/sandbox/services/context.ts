/**
 * What every use case receives: the storage, the clock, and who is calling. Services are plain
 * async functions over these; they hold no state of their own.
 */
import type { BookingRecord, EpochMs, HoldRecord, ScheduleSnapshot } from "../domain/model.js";
import { DayPlanCache, PreparedSchedule } from "../domain/schedule.js";
import type { ReferenceData, Storage } from "../storage/storage.js";
import { ApiError } from "./errors.js";

export interface ServiceContext {
  storage: Storage;
  now: () => EpochMs;
}

/** The authenticated caller: the org the token belongs to, and the token's id (the audit actor). */
export interface Caller {
  orgId: string;
  tokenId: string;
}

/** Reference data indexed by uuid, for the lookups every request makes. */
export interface Reference extends ReferenceData {
  locationsById: Map<string, ReferenceData["locations"][number]>;
  providersById: Map<string, ReferenceData["providers"][number]>;
  typesById: Map<string, ReferenceData["appointmentTypes"][number]>;
  /** The day plans of this practice's configuration, shared by every schedule prepared from it. */
  plans: DayPlanCache;
}

/**
 * Reference data per storage and org, loaded once per process. Correct because it is immutable for the
 * process: no endpoint changes an org's locations, providers, types, shifts, time off or closures (the route
 * table has no write route for them; test/unit/reference-cache.test.ts asserts it). An endpoint that comes to
 * change them must drop the org's entry here in the same request, and tell other instances. Bookings are never
 * cached: they are read in the transaction that decides, by every instance.
 */
const references = new WeakMap<Storage, Map<string, Promise<Reference>>>();

export function loadReference(ctx: ServiceContext, orgId: string): Promise<Reference> {
  let byOrg = references.get(ctx.storage);
  if (!byOrg) {
    byOrg = new Map();
    references.set(ctx.storage, byOrg);
  }
  let reference = byOrg.get(orgId);
  if (!reference) {
    const cache = byOrg;
    reference = readReference(ctx, orgId);
    // A failure (no such org, the database unreachable) is not remembered: the next request asks again.
    reference.catch(() => cache.delete(orgId));
    byOrg.set(orgId, reference);
  }
  return reference;
}

async function readReference(ctx: ServiceContext, orgId: string): Promise<Reference> {
  const data = await ctx.storage.getReference(orgId);
  // The caller's org was authenticated a moment ago; it only vanishes if the database was swapped.
  if (!data) throw new ApiError("not_found", "This practice does not exist. Check the org id in the URL.");
  // Frozen, records and lists alike: shared by every request, so a use case that changed it would change it for all.
  deepFreeze(data);
  return {
    ...data,
    locationsById: new Map(data.locations.map((l) => [l.uuid, l])),
    providersById: new Map(data.providers.map((p) => [p.uuid, p])),
    typesById: new Map(data.appointmentTypes.map((t) => [t.uuid, t])),
    plans: new DayPlanCache(),
  };
}

function deepFreeze(value: unknown): void {
  if (typeof value !== "object" || value === null || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const child of Object.values(value)) deepFreeze(child);
}

/**
 * The practice's schedule with these bookings and holds, indexed for the rules, its day plans shared with
 * other requests.
 */
export function prepareSchedule(ref: Reference, bookings: BookingRecord[], holds: HoldRecord[]): PreparedSchedule {
  return new PreparedSchedule(scheduleOf(ref, bookings, holds), ref.plans);
}

/** The practice's schedule with these bookings and holds, as the pure rules read it. */
export function scheduleOf(ref: Reference, bookings: BookingRecord[], holds: HoldRecord[]): ScheduleSnapshot {
  return {
    locations: ref.locations,
    providers: ref.providers,
    shifts: ref.shifts,
    timeOff: ref.timeOff,
    closures: ref.closures,
    bookings,
    holds,
    horizon_months: ref.org.booking_horizon_months,
  };
}
