/** Use cases over the practice's configuration: appointment types, providers, locations. */
import type { z } from "zod";
import type { AppointmentTypeList, AppointmentTypeQuery, LocationList, ProviderList } from "../../contract/index.js";
import { loadReference, type Caller, type ServiceContext } from "./context.js";
import { toAppointmentType, toLocation, toProvider } from "./wire-shapes.js";

export async function listAppointmentTypes(
  ctx: ServiceContext,
  caller: Caller,
  query: z.output<typeof AppointmentTypeQuery>,
): Promise<AppointmentTypeList> {
  const ref = await loadReference(ctx, caller.orgId);
  const items = ref.appointmentTypes
    .filter((t) => query.is_active === undefined || t.is_active === query.is_active)
    .map(toAppointmentType);
  return { items, total: items.length };
}

export async function listProviders(ctx: ServiceContext, caller: Caller): Promise<ProviderList> {
  const ref = await loadReference(ctx, caller.orgId);
  return { items: ref.providers.map(toProvider), total: ref.providers.length };
}

export async function listLocations(ctx: ServiceContext, caller: Caller): Promise<LocationList> {
  const ref = await loadReference(ctx, caller.orgId);
  const now = ctx.now();
  return { items: ref.locations.map((l) => toLocation(ref, l, now)), total: ref.locations.length };
}
