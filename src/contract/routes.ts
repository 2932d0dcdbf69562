/**
 * Every endpoint of the PMS API as data: method, path under `/api/v1/{org_id}`, the schemas of its
 * path parameters, query, body and success response. The sandbox routes from this table, the client
 * calls through it, and the OpenAPI document is generated from it.
 */
import { z } from "zod";
import { PatientCreate, PatientPage, PatientPath, PatientSearchQuery, Patient } from "./patients.js";
import {
  Appointment,
  AppointmentCreate,
  AppointmentPage,
  AppointmentPath,
  AppointmentQuery,
  AppointmentTypeList,
  AppointmentTypeQuery,
  AppointmentUpdate,
  Availability,
  AvailabilityQuery,
  ClinicalNote,
  DaySchedule,
  DayScheduleQuery,
  Hold,
  HoldCreate,
  HoldPath,
  LocationList,
  NoteCreate,
  ProviderList,
  StatusChange,
} from "./scheduling.js";

export const API_PREFIX = "/api/v1";

export interface RouteSpec {
  readonly method: "GET" | "POST" | "PATCH" | "DELETE";
  /** Path under `/api/v1/{org_id}`, with `{name}` parameters. */
  readonly path: string;
  readonly summary: string;
  readonly params?: z.ZodObject;
  readonly query?: z.ZodObject;
  readonly body?: z.ZodType;
  /** z.undefined() for a 204, which has no body. */
  readonly response: z.ZodType;
  readonly status: 200 | 201 | 204;
  /** POST that honours an `Idempotency-Key` header. */
  readonly idempotent?: boolean;
}

function route<const R extends RouteSpec>(spec: R): R {
  return spec;
}

export const routes = {
  searchPatients: route({
    method: "GET",
    path: "/patients",
    summary: "Search patients by name, date of birth or phone",
    query: PatientSearchQuery,
    response: PatientPage,
    status: 200,
  }),
  createPatient: route({
    method: "POST",
    path: "/patients",
    summary: "Create a patient",
    body: PatientCreate,
    response: Patient,
    status: 201,
  }),
  getPatient: route({
    method: "GET",
    path: "/patients/{patient_uuid}",
    summary: "Get a patient",
    params: PatientPath,
    response: Patient,
    status: 200,
  }),
  listAppointmentTypes: route({
    method: "GET",
    path: "/appointment-types",
    summary: "List appointment types",
    query: AppointmentTypeQuery,
    response: AppointmentTypeList,
    status: 200,
  }),
  listProviders: route({
    method: "GET",
    path: "/providers",
    summary: "List providers",
    response: ProviderList,
    status: 200,
  }),
  listLocations: route({
    method: "GET",
    path: "/locations",
    summary: "List locations with timezone, operatories and opening hours",
    response: LocationList,
    status: 200,
  }),
  checkAvailability: route({
    method: "GET",
    path: "/schedule/availability",
    summary: "Bookable slots for an appointment type",
    query: AvailabilityQuery,
    response: Availability,
    status: 200,
  }),
  getDaySchedule: route({
    method: "GET",
    path: "/schedule/day",
    summary: "One day of a location or provider: appointments by time, and the free gaps per operatory and provider",
    query: DayScheduleQuery,
    response: DaySchedule,
    status: 200,
  }),
  createHold: route({
    method: "POST",
    path: "/schedule/holds",
    summary:
      "Hold a slot for a few minutes while someone decides (409 slot_held when another party holds it, " +
      "slot_unavailable when it is booked); book it with hold_uuid on POST /appointments",
    body: HoldCreate,
    response: Hold,
    status: 201,
  }),
  releaseHold: route({
    method: "DELETE",
    path: "/schedule/holds/{hold_uuid}",
    summary: "Release a hold (204 also when it had already expired, been used or released)",
    params: HoldPath,
    response: z.undefined(),
    status: 204,
  }),
  createAppointment: route({
    method: "POST",
    path: "/appointments",
    summary: "Book an appointment (409 when the provider or operatory is taken)",
    body: AppointmentCreate,
    response: Appointment,
    status: 201,
    idempotent: true,
  }),
  listAppointments: route({
    method: "GET",
    path: "/appointments",
    summary: "List appointments",
    query: AppointmentQuery,
    response: AppointmentPage,
    status: 200,
  }),
  getAppointment: route({
    method: "GET",
    path: "/appointments/{appointment_uuid}",
    summary: "Get an appointment",
    params: AppointmentPath,
    response: Appointment,
    status: 200,
  }),
  updateAppointment: route({
    method: "PATCH",
    path: "/appointments/{appointment_uuid}",
    summary: "Reschedule an appointment or change its notes",
    params: AppointmentPath,
    body: AppointmentUpdate,
    response: Appointment,
    status: 200,
  }),
  changeAppointmentStatus: route({
    method: "POST",
    path: "/appointments/{appointment_uuid}/status",
    summary: "Move an appointment along its lifecycle (confirm, arrive, complete, cancel)",
    params: AppointmentPath,
    body: StatusChange,
    response: Appointment,
    status: 200,
  }),
  addAppointmentNote: route({
    method: "POST",
    path: "/appointments/{appointment_uuid}/notes",
    summary: "Attach a clinical note to an appointment",
    params: AppointmentPath,
    body: NoteCreate,
    response: ClinicalNote,
    status: 201,
  }),
} as const;

export type RouteName = keyof typeof routes;
