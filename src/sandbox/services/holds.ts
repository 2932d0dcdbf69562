/**
 * Slot holds: POST /schedule/holds keeps a slot for someone deciding, DELETE releases it. A hold is judged by
 * the booking rule (rules.ts) like a booking, in one storage transaction with the bookings and holds in its
 * way, and occupies its provider and operatory until `expires_at`; POST /appointments with its uuid books it.
 */
import { randomUUID } from "node:crypto";
import type { z } from "zod";
import type { Hold, HoldCreate } from "../../contract/index.js";
import type { HoldRecord } from "../domain/model.js";
import type { Candidate } from "../domain/rules.js";
import { audit, bookableOrFail, placementOrFail, scopeOf } from "./appointments.js";
import { loadReference, type Caller, type ServiceContext } from "./context.js";
import { toHold } from "./wire-shapes.js";

type CreateBody = z.output<typeof HoldCreate>;

const MINUTE_MS = 60_000;

export async function createHold(ctx: ServiceContext, caller: Caller, body: CreateBody): Promise<Hold> {
  const ref = await loadReference(ctx, caller.orgId);
  const patients =
    body.patient_uuid === undefined ? [] : await ctx.storage.getPatients(caller.orgId, [body.patient_uuid]);
  const { type, location, provider, start, end } = placementOrFail(
    ref,
    body,
    body.patient_uuid === undefined || patients.length > 0,
  );
  const candidate: Candidate = {
    provider_uuid: provider.uuid,
    location_uuid: location.uuid,
    operatory_uuid: body.operatory_uuid,
    patient_uuid: body.patient_uuid,
    start,
    end,
  };
  return ctx.storage.transact(caller.orgId, { bookings: scopeOf(candidate) }, (state) => {
    const now = ctx.now();
    const { operatory_uuid, writes } = bookableOrFail(ref, state, candidate, location, now);
    const hold: HoldRecord = {
      uuid: randomUUID(),
      appointment_type_uuid: type.uuid,
      provider_uuid: provider.uuid,
      location_uuid: location.uuid,
      operatory_uuid,
      patient_uuid: body.patient_uuid ?? null,
      start,
      end,
      // Whole seconds, so that the expires_at the client reads is the instant the hold lapses.
      expires_at: Math.floor((now + body.ttl_minutes * MINUTE_MS) / 1000) * 1000,
      created_at: now,
    };
    writes.push({ kind: "hold.insert", hold }, audit(caller, "hold.create", hold.uuid, now, "hold"));
    return { result: toHold(ref, hold), writes };
  });
}

/** Releases a hold; the same answer whether it was live, had lapsed, had been used or released, or never was. */
export async function releaseHold(ctx: ServiceContext, caller: Caller, uuid: string): Promise<void> {
  await ctx.storage.transact(caller.orgId, {}, () => ({
    result: undefined,
    writes: [{ kind: "hold.delete", uuid }],
  }));
}
