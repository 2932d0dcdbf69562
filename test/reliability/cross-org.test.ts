/**
 * Two orgs in one sandbox: the demo practice and another practice added with addOrg. On EVERY
 * endpoint, one org's token reads and changes nothing of the other's, whether it aims at the other
 * org's path or names the other org's records from its own path; no token or a wrong one gets 401.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROBLEM_CONTENT_TYPE, Problem, routes, type RouteName } from "../../src/contract/index.js";
import { GUIDE_UUIDS, LOCATION_UUIDS } from "../../src/sandbox/demo/index.js";
import { startSandbox, type RunningSandbox } from "../../src/sandbox/index.js";
import { disjointSlots, printSummary } from "../support/reliability.js";
import { apiCaller, tinyPractice, type ApiResponse } from "../support/sandbox.js";

interface Org {
  name: string;
  baseUrl: string;
  token: string;
  patient: string;
  patientLastName: string;
  appointmentType: string;
  location: string;
  provider: string;
  appointment: string;
  /** Strings that only this org's data contains: a response to the other org must hold none of them. */
  markers: string[];
}

interface Request {
  method: string;
  path: string;
  body?: unknown;
}

let sandbox: RunningSandbox;
let demo: Org;
let other: Org;
const figures = { requests: 0, foreign_path_404: 0, foreign_reference_refused_or_empty: 0, unauthenticated_401: 0 };

/** Next Tuesday 10:00 local: the other practice works every day and has no bookings yet. */
function nextTuesdayAt10(): string {
  const day = new Date();
  do day.setUTCDate(day.getUTCDate() + 1);
  while (day.getUTCDay() !== 2);
  return `${day.toISOString().slice(0, 10)}T10:00:00`;
}

async function book(org: Omit<Org, "appointment" | "markers">, start: string): Promise<string> {
  const response = await apiCaller(org.baseUrl, org.token)("POST", "/appointments", {
    body: {
      patient_uuid: org.patient,
      appointment_type_uuid: org.appointmentType,
      location_uuid: org.location,
      provider_uuid: org.provider,
      scheduled_start: start,
    },
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body.uuid;
}

beforeAll(async () => {
  sandbox = await startSandbox();
  const tiny = tinyPractice("America/Denver", "Mountain Molars");
  const added = await sandbox.addOrg(tiny.data);
  const start = nextTuesdayAt10();
  const demoBase = {
    name: "demo",
    baseUrl: sandbox.baseUrl,
    token: sandbox.token,
    patient: GUIDE_UUIDS.janeSmith,
    patientLastName: "Smith",
    appointmentType: GUIDE_UUIDS.hygiene,
    location: GUIDE_UUIDS.mainStreetDental,
    provider: GUIDE_UUIDS.michaelChen,
  };
  const otherBase = {
    name: "other",
    baseUrl: added.baseUrl,
    token: added.token,
    patient: tiny.patientUuid,
    patientLastName: "Tooth",
    appointmentType: tiny.cleaningTypeUuid,
    location: tiny.locationUuid,
    provider: tiny.dentistUuid,
  };
  // Dr. Chen's diary is partly full already: take a time he is free.
  const [free] = await disjointSlots(apiCaller(sandbox.baseUrl, sandbox.token), GUIDE_UUIDS.hygiene, 1, {
    providerUuid: GUIDE_UUIDS.michaelChen,
  });
  const demoAppointment = await book({ ...demoBase, location: free!.location_uuid }, free!.scheduled_start);
  const otherAppointment = await book(otherBase, start);
  demo = {
    ...demoBase,
    appointment: demoAppointment,
    markers: [
      sandbox.orgId,
      ...Object.values(GUIDE_UUIDS),
      ...Object.values(LOCATION_UUIDS),
      demoAppointment,
      "Jane",
      "Smith",
      "Chen",
      "Main Street",
      "Smile Bright",
    ],
  };
  other = {
    ...otherBase,
    appointment: otherAppointment,
    markers: [
      added.orgId,
      tiny.patientUuid,
      tiny.locationUuid,
      tiny.dentistUuid,
      tiny.hygienistUuid,
      tiny.examTypeUuid,
      tiny.cleaningTypeUuid,
      otherAppointment,
      "Tess",
      "Tooth",
      "Molar",
      "Floss",
      "Mountain Molars",
    ],
  };
});
afterAll(async () => {
  printSummary("cross-org", figures);
  await sandbox?.close();
});

/** One request per endpoint of the route table, naming `refs`' records. Exhaustive by type. */
function requestsNaming(refs: Org): Record<RouteName, Request> {
  const start = nextTuesdayAt10().replace("T10", "T14");
  return {
    searchPatients: { method: "GET", path: `/patients?query=${refs.patientLastName}` },
    createPatient: {
      method: "POST",
      path: "/patients",
      body: {
        first_name: "Cross",
        last_name: "Org",
        date_of_birth: "1990-01-01",
        preferred_provider_uuid: refs.provider,
      },
    },
    getPatient: { method: "GET", path: `/patients/${refs.patient}` },
    listAppointmentTypes: { method: "GET", path: "/appointment-types" },
    listProviders: { method: "GET", path: "/providers" },
    listLocations: { method: "GET", path: "/locations" },
    checkAvailability: {
      method: "GET",
      path: `/schedule/availability?appointment_type_uuid=${refs.appointmentType}&provider_uuid=${refs.provider}&location_uuid=${refs.location}`,
    },
    getDaySchedule: {
      method: "GET",
      path: `/schedule/day?location_uuid=${refs.location}&provider_uuid=${refs.provider}`,
    },
    createHold: {
      method: "POST",
      path: "/schedule/holds",
      body: {
        appointment_type_uuid: refs.appointmentType,
        location_uuid: refs.location,
        provider_uuid: refs.provider,
        scheduled_start: start,
      },
    },
    // A uuid of the other org's: releasing it from one's own path can only touch one's own holds.
    releaseHold: { method: "DELETE", path: `/schedule/holds/${refs.appointment}` },
    createAppointment: {
      method: "POST",
      path: "/appointments",
      body: {
        patient_uuid: refs.patient,
        appointment_type_uuid: refs.appointmentType,
        location_uuid: refs.location,
        provider_uuid: refs.provider,
        scheduled_start: start,
      },
    },
    listAppointments: { method: "GET", path: `/appointments?patient_uuid=${refs.patient}` },
    getAppointment: { method: "GET", path: `/appointments/${refs.appointment}` },
    updateAppointment: {
      method: "PATCH",
      path: `/appointments/${refs.appointment}`,
      body: { notes: "changed by another org" },
    },
    changeAppointmentStatus: {
      method: "POST",
      path: `/appointments/${refs.appointment}/status`,
      body: { status: "cancelled" },
    },
    addAppointmentNote: {
      method: "POST",
      path: `/appointments/${refs.appointment}/notes`,
      body: { text: "written by another org" },
    },
  };
}

async function send(baseUrl: string, token: string | null, request: Request): Promise<ApiResponse> {
  figures.requests++;
  return apiCaller(baseUrl, token ?? "")(request.method, request.path, {
    ...(request.body !== undefined ? { body: request.body } : {}),
    token,
  });
}

/** No marker of `owner` in the response, except what the request itself carried. */
function expectNothingOf(owner: Org, request: Request, response: ApiResponse, context: string) {
  const sent = `${request.path} ${JSON.stringify(request.body ?? "")}`;
  const text = JSON.stringify(response.body ?? "");
  for (const marker of owner.markers) {
    if (!sent.includes(marker)) expect(text, `${context}: leaks ${marker}`).not.toContain(marker);
  }
}

function expectProblem(response: ApiResponse, statuses: number[], context: string) {
  expect(statuses, `${context}: ${response.status} ${JSON.stringify(response.body)}`).toContain(response.status);
  expect(response.headers.get("content-type")).toContain(PROBLEM_CONTENT_TYPE);
  expect(Problem.safeParse(response.body).success, context).toBe(true);
}

const ROUTE_NAMES = Object.keys(routes) as RouteName[];
const pairs = () => [
  { caller: other, owner: demo },
  { caller: demo, owner: other },
];

describe("one org's token against the other org", () => {
  it.each(ROUTE_NAMES)("%s on the other org's path: 404, no data", async (name) => {
    for (const { caller, owner } of pairs()) {
      const request = requestsNaming(owner)[name];
      const response = await send(owner.baseUrl, caller.token, request);
      const context = `${caller.name} token -> ${owner.name} ${request.method} ${request.path}`;
      expectProblem(response, [404], context);
      expect(response.body.code).toBe("not_found");
      expectNothingOf(owner, request, response, context);
      figures.foreign_path_404++;
    }
  });

  /** From its own path, naming the other org's records: refused, or answered from its own data only. */
  const OWN_PATH: Record<RouteName, "empty" | "own data" | "no content" | number[]> = {
    searchPatients: "empty",
    createPatient: [422],
    getPatient: [404],
    listAppointmentTypes: "own data",
    listProviders: "own data",
    listLocations: "own data",
    checkAvailability: [404, 422],
    getDaySchedule: [422],
    createHold: [422],
    releaseHold: "no content",
    createAppointment: [422],
    listAppointments: "empty",
    getAppointment: [404],
    updateAppointment: [404],
    changeAppointmentStatus: [404],
    addAppointmentNote: [404],
  };

  it.each(ROUTE_NAMES)("%s on its own path naming the other org's records: nothing of theirs", async (name) => {
    for (const { caller, owner } of pairs()) {
      const request = requestsNaming(owner)[name];
      const response = await send(caller.baseUrl, caller.token, request);
      const context = `${caller.name} token, own path, ${owner.name}'s records: ${request.method} ${request.path}`;
      const expected = OWN_PATH[name];
      if (expected === "empty") {
        expect(response.status, context).toBe(200);
        expect(response.body).toMatchObject({ items: [], total: 0 });
      } else if (expected === "own data") {
        expect(response.status, context).toBe(200);
        expect(response.body.items.length).toBeGreaterThan(0);
      } else if (expected === "no content") {
        expect(response.status, context).toBe(204);
      } else {
        expectProblem(response, expected, context);
      }
      expectNothingOf(owner, request, response, context);
      figures.foreign_reference_refused_or_empty++;
    }
  });

  it.each(ROUTE_NAMES)("%s without a token or with a wrong one: 401", async (name) => {
    for (const org of [demo, other]) {
      const request = requestsNaming(org)[name];
      for (const token of [null, "sk_sandbox_not_a_real_token", `${org.token}x`]) {
        const response = await send(org.baseUrl, token, request);
        const context = `${token === null ? "no" : "wrong"} token -> ${org.name} ${request.method} ${request.path}`;
        expectProblem(response, [401], context);
        expectNothingOf(org, request, response, context);
        figures.unauthenticated_401++;
      }
    }
  });

  it("changed nothing: each org's appointment is as it was, with no notes, and no stray patient exists", async () => {
    for (const org of [demo, other]) {
      const call = apiCaller(org.baseUrl, org.token);
      const appointment = await call("GET", `/appointments/${org.appointment}`);
      expect(appointment.status).toBe(200);
      expect(appointment.body).toMatchObject({ status: "scheduled", notes: null, clinical_notes: [] });
      const strays = await call("GET", "/patients?query=Cross%20Org");
      expect(strays.body.total).toBe(0);
      const booked = await call("GET", `/appointments?patient_uuid=${org.patient}`);
      expect(booked.body.items.map((a: { uuid: string }) => a.uuid)).toContain(org.appointment);
    }
  });
});
