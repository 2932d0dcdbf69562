/**
 * Every endpoint of the contract's route table over real HTTP with random path parameters, query
 * strings, JSON and non-JSON bodies, content types, methods and tokens: never a 5xx, every 4xx is a
 * contract problem+json with a code matching its status and a detail, every 2xx matches the route's
 * response schema.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { z } from "zod";
import {
  ERROR_STATUS,
  PROBLEM_CONTENT_TYPE,
  Problem,
  routes,
  type RouteName,
  type RouteSpec,
} from "../../src/contract/index.js";
import { GUIDE_UUIDS } from "../../src/sandbox/demo/index.js";
import { startSandbox, type RunningSandbox } from "../../src/sandbox/index.js";
import { FUZZ_SEED, argumentsFor, junkValue, knownUuids, mutationsOf, nastyText } from "../support/reliability-fuzz.js";
import { disjointSlots, printSummary } from "../support/reliability.js";
import { apiCaller, type Caller, type CallOptions } from "../support/sandbox.js";

const RUNS_PER_ROUTE = 150;

let sandbox: RunningSandbox;
let call: Caller;
let uuids: string[];
/** Bodies the API accepts, per route with a body; the fuzz changes some of their fields. */
let validBodies: Partial<Record<RouteName, Record<string, unknown>>>;
const statuses: Record<string, number> = {};
let cases = 0;

beforeAll(async () => {
  sandbox = await startSandbox();
  call = apiCaller(sandbox.baseUrl, sandbox.token);
  const [slot] = await disjointSlots(call, GUIDE_UUIDS.hygiene, 1, { fromDay: 5 });
  const booking = {
    patient_uuid: GUIDE_UUIDS.jonathanSmith,
    appointment_type_uuid: GUIDE_UUIDS.hygiene,
    location_uuid: slot!.location_uuid,
    provider_uuid: slot!.provider_uuid,
    scheduled_start: slot!.scheduled_start,
  };
  const booked = await call("POST", "/appointments", { body: booking });
  expect(booked.status).toBe(201);
  uuids = knownUuids([booked.body.uuid]);
  validBodies = {
    createPatient: {
      first_name: "Api",
      last_name: "Fuzz",
      date_of_birth: "1991-02-03",
      primary_phone: "+1-415-555-0199",
    },
    createAppointment: booking,
    updateAppointment: { notes: "moved by the fuzz" },
    changeAppointmentStatus: { status: "confirmed" },
    addAppointmentNote: { text: "a note" },
  };
});
afterAll(async () => {
  printSummary("fuzz-api", { seed: FUZZ_SEED, requests: cases, ...statuses });
  await sandbox?.close();
});

function fieldsOf(schema: z.ZodType | undefined): string[] {
  return schema && "shape" in schema ? Object.keys(schema.shape as object) : [];
}

const pathSegment = () =>
  fc.oneof(
    fc.constantFrom(...uuids),
    fc.uuid(),
    nastyText.map(encodeURIComponent),
    fc.constantFrom("%", "%zz", "..", "%2F", "a%00b", "%E2%80%AE", "0"),
  );

function queryString(fields: string[]): fc.Arbitrary<string> {
  return argumentsFor(fields, uuids).map((args) => {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(args)) {
      const values = Array.isArray(value) ? value : [value];
      for (const v of values) search.append(key, typeof v === "object" && v !== null ? JSON.stringify(v) : String(v));
    }
    const text = search.toString();
    return text ? `?${text}` : "";
  });
}

function body(name: RouteName, spec: RouteSpec): fc.Arbitrary<string | undefined> {
  const fields = fieldsOf(spec.body);
  const valid = validBodies[name];
  const json = fc.oneof(
    ...(valid ? [{ weight: 3, arbitrary: mutationsOf(valid, fields, uuids) }] : []),
    { weight: 2, arbitrary: argumentsFor(fields, uuids) },
    { weight: 1, arbitrary: junkValue },
  );
  return fc.oneof(
    { weight: 6, arbitrary: json.map((value) => JSON.stringify(value)) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(undefined, "", "{", "not json", "<xml/>", "[1,2", "null", "x".repeat(70 * 1024)),
    },
    { weight: 1, arbitrary: fc.string({ maxLength: 60 }) },
  );
}

const printableHeader = fc.string({ maxLength: 300 }).filter((s) => /^[\x21-\x7e]*$/.test(s));

function requestFor(name: RouteName, spec: RouteSpec) {
  const params = (spec.path.match(/\{\w+\}/g) ?? []).map(() => pathSegment());
  return fc.record({
    method: fc.oneof(
      { weight: 8, arbitrary: fc.constant(spec.method) },
      { weight: 1, arbitrary: fc.constantFrom("GET", "POST", "PATCH", "PUT", "DELETE") },
    ),
    segments: fc.tuple(...params),
    query: queryString(fieldsOf(spec.query)),
    body: body(name, spec),
    contentType: fc.constantFrom(
      "application/json",
      "application/json",
      "application/json; charset=utf-8",
      "text/plain",
      undefined,
    ),
    token: fc.oneof(
      { weight: 12, arbitrary: fc.constant<string | null | undefined>(undefined) },
      { weight: 1, arbitrary: fc.constantFrom(null, "sk_sandbox_wrong", "") },
    ),
    idempotencyKey: fc.option(fc.oneof(printableHeader, fc.constantFrom("", " key with spaces ", "k".repeat(300))), {
      nil: undefined,
    }),
  });
}

describe("every API endpoint under random requests", () => {
  it.each((Object.entries(routes) as [RouteName, RouteSpec][]).map(([name, spec], index) => ({ name, spec, index })))(
    "$spec.method $spec.path ($name)",
    async ({ name, spec, index }) => {
      await fc.assert(
        fc.asyncProperty(requestFor(name, spec), async (request) => {
          let segment = 0;
          const path = spec.path.replace(/\{\w+\}/g, () => String(request.segments[segment++])) + request.query;
          const hasBody = request.method !== "GET" && request.body !== undefined;
          const headers: Record<string, string> = {};
          if (hasBody && request.contentType) headers["Content-Type"] = request.contentType;
          if (request.idempotencyKey !== undefined) headers["Idempotency-Key"] = request.idempotencyKey;
          const options: CallOptions = {
            headers,
            ...(hasBody ? { rawBody: request.body } : {}),
            ...(request.token !== undefined ? { token: request.token } : {}),
          };
          const response = await call(request.method, path, options);
          cases++;
          statuses[`status_${response.status}`] = (statuses[`status_${response.status}`] ?? 0) + 1;

          const context = `${request.method} ${path.slice(0, 200)} -> ${response.status} ${JSON.stringify(response.body)?.slice(0, 300)}`;
          expect(response.status, context).toBeLessThan(500);
          if (response.status >= 400) {
            expect(response.headers.get("content-type"), context).toContain(PROBLEM_CONTENT_TYPE);
            const problem = Problem.safeParse(response.body);
            expect(problem.success, context).toBe(true);
            expect(ERROR_STATUS[problem.data!.code], context).toBe(response.status);
            expect(problem.data!.detail.trim().length, context).toBeGreaterThan(10);
          } else if (request.method === spec.method) {
            expect(response.status, context).toBe(spec.status);
            const parsed = spec.response.safeParse(response.body);
            expect(parsed.success, `${context}\n${JSON.stringify(parsed.error?.issues)}`).toBe(true);
          } else {
            // Another route on the same path answered (GET /appointments for a fuzzed POST's path).
            expect(typeof response.body, context).toBe("object");
          }
        }),
        { seed: FUZZ_SEED + index, numRuns: RUNS_PER_ROUTE, endOnFailure: true },
      );
    },
  );

  it("reached the handlers: both successes and client errors were seen", () => {
    const seen = Object.keys(statuses);
    expect(seen.some((s) => /^status_2/.test(s))).toBe(true);
    expect(seen.some((s) => /^status_4/.test(s))).toBe(true);
  });
});
