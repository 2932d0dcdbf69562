/**
 * One handler per route of the contract table: validated input in, status and body out. The
 * routes table (src/contract/routes.ts) is the source of truth for paths, methods and schemas;
 * this map only says which use case serves each.
 */
import type { z } from "zod";
import type { RouteName, routes } from "../../contract/index.js";
import * as appointments from "../services/appointments.js";
import type { Caller, ServiceContext } from "../services/context.js";
import * as patients from "../services/patients.js";
import * as reference from "../services/reference.js";
import { checkAvailability } from "../services/availability.js";
import { getDaySchedule } from "../services/day-schedule.js";
import { createHold, releaseHold } from "../services/holds.js";

type Routes = typeof routes;
type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface HandlerInput<N extends RouteName> {
  params: Out<Routes[N] extends { params: infer P } ? P : undefined>;
  query: Out<Routes[N] extends { query: infer Q } ? Q : undefined>;
  body: Out<Routes[N] extends { body: infer B } ? B : undefined>;
  idempotencyKey?: string;
}

export interface HandlerResult {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

type Handler<N extends RouteName> = (
  ctx: ServiceContext,
  caller: Caller,
  input: HandlerInput<N>,
) => Promise<HandlerResult>;

const ok = (body: unknown): HandlerResult => ({ status: 200, body });
const created = (body: unknown): HandlerResult => ({ status: 201, body });

export const handlers: { [N in RouteName]: Handler<N> } = {
  searchPatients: async (ctx, caller, { query }) => ok(await patients.searchPatients(ctx, caller, query)),
  createPatient: async (ctx, caller, { body }) => created(await patients.createPatient(ctx, caller, body)),
  getPatient: async (ctx, caller, { params }) => ok(await patients.getPatient(ctx, caller, params.patient_uuid)),
  listAppointmentTypes: async (ctx, caller, { query }) => ok(await reference.listAppointmentTypes(ctx, caller, query)),
  listProviders: async (ctx, caller) => ok(await reference.listProviders(ctx, caller)),
  listLocations: async (ctx, caller) => ok(await reference.listLocations(ctx, caller)),
  checkAvailability: async (ctx, caller, { query }) => ok(await checkAvailability(ctx, caller, query)),
  getDaySchedule: async (ctx, caller, { query }) => ok(await getDaySchedule(ctx, caller, query)),
  createHold: async (ctx, caller, { body }) => created(await createHold(ctx, caller, body)),
  releaseHold: async (ctx, caller, { params }) => {
    await releaseHold(ctx, caller, params.hold_uuid);
    return { status: 204, body: undefined };
  },
  createAppointment: async (ctx, caller, { body, idempotencyKey }) => {
    const outcome = await appointments.createAppointment(ctx, caller, body, idempotencyKey);
    return {
      status: outcome.status,
      body: outcome.body,
      ...(outcome.replayed ? { headers: { "Idempotent-Replayed": "true" } } : {}),
    };
  },
  listAppointments: async (ctx, caller, { query }) => ok(await appointments.listAppointments(ctx, caller, query)),
  getAppointment: async (ctx, caller, { params }) =>
    ok(await appointments.getAppointment(ctx, caller, params.appointment_uuid)),
  updateAppointment: async (ctx, caller, { params, body }) =>
    ok(await appointments.updateAppointment(ctx, caller, params.appointment_uuid, body)),
  changeAppointmentStatus: async (ctx, caller, { params, body }) =>
    ok(await appointments.changeStatus(ctx, caller, params.appointment_uuid, body)),
  addAppointmentNote: async (ctx, caller, { params, body }) =>
    created(await appointments.addNote(ctx, caller, params.appointment_uuid, body)),
};
