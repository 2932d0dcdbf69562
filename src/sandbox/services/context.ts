/**
 * What every use case receives: the storage, the clock, and who is calling. Services are plain
 * async functions over these; they hold no state of their own.
 */
import type { AppointmentRecord, EpochMs, HoldRecord, ScheduleSnapshot } from "../domain/model.js";
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
}

export async function loadReference(ctx: ServiceContext, orgId: string): Promise<Reference> {
  const data = await ctx.storage.getReference(orgId);
  // The caller's org was authenticated a moment ago; it only vanishes if the database was swapped.
  if (!data) throw new ApiError("not_found", "This practice does not exist. Check the org id in the URL.");
  return {
    ...data,
    locationsById: new Map(data.locations.map((l) => [l.uuid, l])),
    providersById: new Map(data.providers.map((p) => [p.uuid, p])),
    typesById: new Map(data.appointmentTypes.map((t) => [t.uuid, t])),
  };
}

/** The practice's schedule with these bookings and holds, as the pure rules read it. */
export function scheduleOf(ref: Reference, bookings: AppointmentRecord[], holds: HoldRecord[]): ScheduleSnapshot {
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
