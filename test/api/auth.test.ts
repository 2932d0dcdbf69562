/** Bearer auth and tenancy: no token → 401; another org's token sees nothing, on every endpoint. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { routes } from "../../src/contract/index.js";
import {
  apiCaller,
  expectProblem,
  startTinySandbox,
  tinyBooking,
  tinyPractice,
  type Caller,
  type TinySandbox,
} from "../support/sandbox.js";

let t: TinySandbox;
let other: { orgId: string; token: string; baseUrl: string };
let appointmentUuid: string;

beforeAll(async () => {
  t = await startTinySandbox();
  other = await t.sandbox.addOrg(tinyPractice("America/New_York", "Other Dental").data);
  const created = await t.call("POST", "/appointments", { body: tinyBooking(t.tiny) });
  appointmentUuid = created.body.uuid;
});
afterAll(() => t.sandbox.close());

/** One request per route of the contract, valid for org A's data. */
function requests(): { method: string; path: string; body?: unknown }[] {
  const a = appointmentUuid;
  return [
    { method: "GET", path: "/patients?query=tess" },
    { method: "POST", path: "/patients", body: { first_name: "X", last_name: "Y", date_of_birth: "2000-01-01" } },
    { method: "GET", path: `/patients/${t.tiny.patientUuid}` },
    { method: "GET", path: "/appointment-types" },
    { method: "GET", path: "/providers" },
    { method: "GET", path: "/locations" },
    { method: "GET", path: `/schedule/availability?appointment_type_uuid=${t.tiny.examTypeUuid}` },
    { method: "GET", path: `/schedule/day?location_uuid=${t.tiny.locationUuid}` },
    {
      method: "POST",
      path: "/schedule/holds",
      body: {
        appointment_type_uuid: t.tiny.examTypeUuid,
        location_uuid: t.tiny.locationUuid,
        provider_uuid: t.tiny.dentistUuid,
        scheduled_start: "2026-03-04T11:00:00",
      },
    },
    { method: "DELETE", path: `/schedule/holds/${a}` },
    {
      method: "POST",
      path: "/appointments",
      body: {
        patient_uuid: t.tiny.patientUuid,
        appointment_type_uuid: t.tiny.examTypeUuid,
        location_uuid: t.tiny.locationUuid,
        provider_uuid: t.tiny.dentistUuid,
        scheduled_start: "2026-03-04T09:00:00",
      },
    },
    { method: "GET", path: "/appointments" },
    { method: "GET", path: `/appointments/${a}` },
    { method: "PATCH", path: `/appointments/${a}`, body: { notes: "x" } },
    { method: "POST", path: `/appointments/${a}/status`, body: { status: "confirmed" } },
    { method: "POST", path: `/appointments/${a}/notes`, body: { text: "x" } },
  ];
}

describe("authentication", () => {
  it("the request list covers every route", () => {
    expect(requests()).toHaveLength(Object.keys(routes).length);
  });

  it.each(["GET /patients?query=tess", "POST /appointments", "GET /providers"])(
    "%s without a token: 401 with WWW-Authenticate",
    async (line) => {
      const [method, path] = line.split(" ") as [string, string];
      const response = await t.call(method, path, { token: null, body: method === "POST" ? {} : undefined });
      expectProblem(response, 401, "unauthorized");
      expect(response.headers.get("www-authenticate")).toBe('Bearer realm="dental-pms"');
    },
  );

  it("a wrong token: 401 with error=invalid_token; a malformed Authorization header too", async () => {
    const wrong = await t.call("GET", "/providers", { token: "sk_sandbox_wrong" });
    expectProblem(wrong, 401, "unauthorized");
    expect(wrong.headers.get("www-authenticate")).toBe('Bearer realm="dental-pms", error="invalid_token"');
    const basic = await t.call("GET", "/providers", { token: null, headers: { Authorization: "Basic dXNlcjpwYXNz" } });
    expectProblem(basic, 401, "unauthorized");
  });

  it("a refused client's connection is closed: 401 answers with Connection: close", async () => {
    const response = await t.call("GET", "/providers", { token: "sk_wrong" });
    expectProblem(response, 401, "unauthorized");
    expect(response.headers.get("connection")).toBe("close");
  });

  it("the problem never echoes the token", async () => {
    const response = await t.call("GET", "/providers", { token: "sk_sandbox_secret_value_123" });
    expect(JSON.stringify(response.body)).not.toContain("secret_value");
  });
});

describe("tenancy", () => {
  it("another org's token on org A's paths: 404 on every endpoint, same as a nonexistent org", async () => {
    const intruder: Caller = apiCaller(t.sandbox.baseUrl, other.token);
    const nowhere: Caller = apiCaller(`${t.sandbox.url}/api/v1/00000000-0000-0000-0000-000000000000`, t.sandbox.token);
    for (const request of requests()) {
      const cross = await intruder(request.method, request.path, { body: request.body });
      const missing = await nowhere(request.method, request.path, { body: request.body });
      expectProblem(cross, 404, "not_found");
      expect(cross.body, `${request.method} ${request.path}`).toEqual(missing.body);
    }
  });

  it("each org sees only its own data through its own base path", async () => {
    const b = apiCaller(other.baseUrl, other.token);
    const providers = await b("GET", "/providers");
    expect(providers.status).toBe(200);
    expect(providers.body.items.map((p: { uuid: string }) => p.uuid)).not.toContain(t.tiny.dentistUuid);
    expect((await b("GET", `/appointments/${appointmentUuid}`)).status).toBe(404);
    expect((await b("GET", `/patients/${t.tiny.patientUuid}`)).status).toBe(404);
    expect((await b("GET", "/patients?query=tess")).body.items.map((p: { uuid: string }) => p.uuid)).not.toContain(
      t.tiny.patientUuid,
    );
    // Org A's appointment was untouched by the intruder's writes.
    const appointment = await t.call("GET", `/appointments/${appointmentUuid}`);
    expect(appointment.body).toMatchObject({ status: "scheduled", notes: null, clinical_notes: [] });
  });
});
