/**
 * Faults between the MCP server's PmsClient and the sandbox (the fault proxy in the middle): every
 * tool answers within its deadline with a result or a clear isError, safe calls are retried within
 * bounds, the server keeps serving, and a booking whose answer is lost ends as exactly one appointment.
 */
import { createServer, type AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { silentLogger } from "../../src/log.js";
import { createMcpServer } from "../../src/mcp/server.js";
import { PmsClient } from "../../src/pms/client.js";
import { GUIDE_UUIDS } from "../../src/sandbox/demo/index.js";
import type { Fault, FaultMatch, FaultProxy } from "../support/fault-proxy.js";
import { connectInMemory } from "../support/mcp.js";
import {
  bookingsAt,
  callTool,
  disjointSlots,
  freshPatients,
  printSummary,
  startMcpStack,
  textOf,
  type FreeSlot,
  type McpStack,
} from "../support/reliability.js";

/** Short deadlines so that faults cost little time; no jitter, so retries start at once. */
const PMS = { timeoutMs: 800, totalDeadlineMs: 3_000, maxRetries: 2, cacheTtlMs: 0, random: () => 0 };
/** "Within its deadline": one PMS call's total deadline plus generous slack for a loaded machine. */
const DEADLINE_MS = PMS.totalDeadlineMs + 2_500;
const ATTEMPTS = PMS.maxRetries + 1;

let stack: McpStack;
let proxy: FaultProxy;
let client: Client;
let slots: FreeSlot[];
/** One fresh patient per slot: a patient is in one appointment at a time, and slots of two locations may overlap. */
const patientOf = new Map<FreeSlot, string>();
let nextSlot = 0;
let toolCalls = 0;
const kindsTried = new Set<string>();
let bookingsChecked = 0;

beforeAll(async () => {
  stack = await startMcpStack({ faults: true, pms: PMS });
  proxy = stack.proxy!;
  client = await stack.connect("faults");
  slots = await disjointSlots(stack.api, GUIDE_UUIDS.newPatientExam, 40);
  const patients = await freshPatients(stack.api, slots.length);
  slots.forEach((slot, i) => patientOf.set(slot, patients[i]!));
});
afterAll(async () => {
  printSummary("faults", {
    fault_kinds: [...kindsTried].sort().join(","),
    tool_calls: toolCalls,
    bookings_checked_exactly_once: bookingsChecked,
  });
  await stack?.close();
});
beforeEach(() => proxy.clear());

async function timedCall(name: string, args: Record<string, unknown>) {
  const started = performance.now();
  const result = await callTool(client, name, args);
  toolCalls++;
  return { result, ms: performance.now() - started };
}

function inject(match: FaultMatch, faults: Fault[]) {
  for (const fault of faults) kindsTried.add(fault.kind === "status" ? `status_${fault.status}` : fault.kind);
  proxy.inject(match, ...faults);
}

const attemptsAt = (match: FaultMatch) =>
  proxy.requests.filter((r) => (!match.method || r.method === match.method) && (!match.path || match.path.test(r.path)))
    .length;

const times = (n: number, fault: Fault): Fault[] => Array.from({ length: n }, () => fault);

interface FaultCase {
  label: string;
  faults: Fault[];
  /** "ok": recovered by retrying; otherwise the isError text must match. */
  expect: "ok" | RegExp;
  attempts: number;
}

const UNREACHABLE = /temporarily unreachable.*Try .* again/s;
/** A booking that may have been made: say so, and that repeating it is safe. */
const MAYBE_BOOKED = /unknown whether book_appointment took effect.*find_appointments.*same arguments, which is safe/s;
const UNEXPECTED = /answered with something unexpected/;

/** Faults on a safe (GET) request: recovered after one retry, or a clear error after bounded attempts. */
const SAFE_CASES: FaultCase[] = [
  { label: "500 once", faults: [{ kind: "status", status: 500 }], expect: "ok", attempts: 2 },
  { label: "502 once", faults: [{ kind: "status", status: 502 }], expect: "ok", attempts: 2 },
  { label: "503 once", faults: [{ kind: "status", status: 503 }], expect: "ok", attempts: 2 },
  {
    label: "503 on every attempt",
    faults: times(ATTEMPTS + 1, { kind: "status", status: 503 }),
    expect: UNREACHABLE,
    attempts: ATTEMPTS,
  },
  { label: "429 Retry-After 1", faults: [{ kind: "rate_limit", retryAfterSeconds: 1 }], expect: "ok", attempts: 2 },
  {
    label: "429 Retry-After 30 (beyond the deadline)",
    faults: [{ kind: "rate_limit", retryAfterSeconds: 30 }],
    expect: /busy\. Wait 30 seconds/,
    attempts: 1,
  },
  {
    label: "an answer slower than the deadline, once",
    faults: [{ kind: "delay", ms: 1_600 }],
    expect: "ok",
    attempts: 2,
  },
  {
    label: "answers slower than the deadline, always",
    faults: times(ATTEMPTS + 1, { kind: "delay", ms: 1_600 }),
    expect: UNREACHABLE,
    attempts: ATTEMPTS,
  },
  { label: "a connection reset once", faults: [{ kind: "reset" }], expect: "ok", attempts: 2 },
  {
    label: "connection resets, always",
    faults: times(ATTEMPTS + 1, { kind: "reset" }),
    expect: UNREACHABLE,
    attempts: ATTEMPTS,
  },
  { label: "a truncated body once", faults: [{ kind: "truncate" }], expect: "ok", attempts: 2 },
  { label: "a non-JSON 200", faults: [{ kind: "non_json" }], expect: UNEXPECTED, attempts: 1 },
  {
    label: "a 200 that breaks the contract",
    faults: [{ kind: "respond", status: 200, body: '{"items":"nope"}' }],
    expect: UNEXPECTED,
    attempts: 1,
  },
];

/** Each safe tool with arguments that succeed, and the request to break. */
const SAFE_TOOLS: { tool: string; args: Record<string, unknown>; match: FaultMatch }[] = [
  { tool: "search_patients", args: { query: "Smith" }, match: { method: "GET", path: /\/patients\?/ } },
  { tool: "list_appointment_types", args: {}, match: { method: "GET", path: /\/appointment-types/ } },
  {
    tool: "check_availability",
    args: { appointment_type_uuid: GUIDE_UUIDS.hygiene, limit: 3 },
    match: { method: "GET", path: /\/schedule\/availability/ },
  },
  { tool: "get_practice_info", args: {}, match: { method: "GET", path: /\/providers$/ } },
  // The listing of upcoming appointments (not the count of cancelled ones); with include_past, the past ones are a
  // second listing.
  {
    tool: "find_appointments",
    args: { patient_uuid: GUIDE_UUIDS.janeSmith, include_past: true },
    match: { method: "GET", path: /\/appointments\?(?!.*status=).*ends_after=/ },
  },
];

function expectOutcome(result: CallToolResult, expected: FaultCase["expect"], context: string) {
  const text = textOf(result);
  if (expected === "ok") {
    expect(result.isError, `${context}: ${text}`).toBeFalsy();
    expect(result.structuredContent).toBeDefined();
  } else {
    expect(result.isError, `${context}: ${text}`).toBe(true);
    expect(text).toMatch(expected);
    expect(text).not.toMatch(/\bat .+\.(js|ts):\d+/); // never a stack trace
  }
}

describe.each(SAFE_TOOLS)("$tool under faults", ({ tool, args, match }) => {
  it.each(SAFE_CASES)("$label", async ({ faults, expect: expected, attempts }) => {
    inject(match, faults);
    const { result, ms } = await timedCall(tool, args);
    expectOutcome(result, expected, tool);
    expect(ms).toBeLessThan(DEADLINE_MS);
    expect(attemptsAt(match), "attempts on the faulty request").toBe(attempts);

    // The server is still up and the next call is served normally.
    proxy.clear();
    const next = await timedCall(tool, args);
    expectOutcome(next.result, "ok", `${tool} after the fault`);
  });
});

const BOOKINGS: FaultMatch = { method: "POST", path: /\/appointments$/ };

function bookingArgs(slot: FreeSlot) {
  return {
    patient_uuid: patientOf.get(slot),
    appointment_type_uuid: GUIDE_UUIDS.newPatientExam,
    provider_uuid: slot.provider_uuid,
    location_uuid: slot.location_uuid,
    scheduled_start: slot.scheduled_start,
  };
}

/** The slot holds exactly this one appointment; returns its uuid. */
async function expectExactlyOneBooking(slot: FreeSlot): Promise<string> {
  const found = await bookingsAt(stack.api, slot);
  expect(found.map((a) => a.patient.uuid)).toEqual([patientOf.get(slot)]);
  bookingsChecked++;
  return found[0]!.uuid;
}

/** Every attempt at the booking carried the same Idempotency-Key. */
function expectOneIdempotencyKey(attempts: number) {
  const keys = proxy.requests
    .filter((r) => r.method === "POST" && /\/appointments$/.test(r.path))
    .map((r) => r.headers["idempotency-key"]);
  expect(keys).toHaveLength(attempts);
  expect(new Set(keys).size).toBe(1);
  expect(keys[0]).toMatch(/^book-[0-9a-f]{64}$/);
}

describe("book_appointment under faults: retried with the same Idempotency-Key, never doubled", () => {
  const RECOVERED: { label: string; faults: Fault[] }[] = [
    { label: "its 201 lost on the way back", faults: [{ kind: "lose_response" }] },
    { label: "500 once", faults: [{ kind: "status", status: 500 }] },
    { label: "502 once", faults: [{ kind: "status", status: 502 }] },
    { label: "503 once", faults: [{ kind: "status", status: 503 }] },
    { label: "429 Retry-After 1", faults: [{ kind: "rate_limit", retryAfterSeconds: 1 }] },
    { label: "a reset before it arrived", faults: [{ kind: "reset" }] },
    { label: "a truncated 201", faults: [{ kind: "truncate" }] },
    { label: "a 201 slower than the deadline", faults: [{ kind: "delay", ms: 1_600 }] },
  ];

  it.each(RECOVERED)("books exactly once after $label", async ({ faults }) => {
    const slot = slots[nextSlot++]!;
    inject(BOOKINGS, faults);
    const { result, ms } = await timedCall("book_appointment", bookingArgs(slot));
    expectOutcome(result, "ok", "book_appointment");
    // Booking, then re-reading a replayed answer: two PMS calls at most.
    expect(ms).toBeLessThan(2 * PMS.totalDeadlineMs + 2_500);
    expectOneIdempotencyKey(2);
    const uuid = await expectExactlyOneBooking(slot);
    expect((result.structuredContent as { uuid: string }).uuid).toBe(uuid);
  });

  it.each([
    { label: "every answer lost", fault: { kind: "lose_response" } as Fault },
    { label: "every answer slower than the deadline", fault: { kind: "delay", ms: 1_600 } as Fault },
  ])("$label: a clear error within the deadline; calling again replays the one booking", async ({ fault }) => {
    const slot = slots[nextSlot++]!;
    inject(BOOKINGS, times(ATTEMPTS + 1, fault));
    const first = await timedCall("book_appointment", bookingArgs(slot));
    // It may be booked: the model must not tell the caller it failed; repeating is safe (same derived key).
    expectOutcome(first.result, MAYBE_BOOKED, "book_appointment");
    expect(first.ms).toBeLessThan(DEADLINE_MS);
    expectOneIdempotencyKey(ATTEMPTS);
    // Every attempt reached the sandbox: the first booked, the others replayed.
    const uuid = await expectExactlyOneBooking(slot);

    proxy.clear();
    const again = await timedCall("book_appointment", bookingArgs(slot));
    expectOutcome(again.result, "ok", "book_appointment again");
    expect((again.result.structuredContent as { uuid: string }).uuid).toBe(uuid);
    expect(await expectExactlyOneBooking(slot)).toBe(uuid);
  });

  it.each([
    { label: "a non-JSON 200", fault: { kind: "non_json" } as Fault },
    { label: "a 201 that breaks the contract", fault: { kind: "respond", status: 201, body: '{"uuid":1}' } as Fault },
  ])("$label is an error, not retried, and a new call books once", async ({ fault }) => {
    const slot = slots[nextSlot++]!;
    inject(BOOKINGS, [fault]);
    const { result } = await timedCall("book_appointment", bookingArgs(slot));
    expectOutcome(result, UNEXPECTED, "book_appointment");
    expectOneIdempotencyKey(1);
    // The proxy answered in place of the sandbox: nothing was booked.
    expect(await bookingsAt(stack.api, slot)).toEqual([]);

    proxy.clear();
    expectOutcome((await timedCall("book_appointment", bookingArgs(slot))).result, "ok", "book_appointment again");
    await expectExactlyOneBooking(slot);
  });
});

describe("calls that are not safe to repeat are not repeated", () => {
  const PATIENTS: FaultMatch = { method: "POST", path: /\/patients$/ };
  let serial = 0;
  const newPatient = () => ({
    first_name: "Fault",
    last_name: `Tolerant${++serial}x`,
    date_of_birth: "1980-05-0" + ((serial % 9) + 1),
  });

  it("create_patient whose answer is lost: one attempt, outcome unknown, a repeat finds the existing patient", async () => {
    const patient = newPatient();
    inject(PATIENTS, [{ kind: "lose_response" }]);
    const { result, ms } = await timedCall("create_patient", patient);
    expectOutcome(result, /unknown whether create_patient took effect/, "create_patient");
    expect(ms).toBeLessThan(DEADLINE_MS);
    expect(attemptsAt(PATIENTS)).toBe(1);

    const again = await timedCall("create_patient", patient);
    expect(again.result.isError).toBe(true);
    expect(textOf(again.result)).toMatch(/already exists \(uuid [0-9a-f-]{36}\)/);
    const search = await stack.api("GET", `/patients?query=${patient.last_name}`);
    expect(search.body.total).toBe(1);
  });

  it("create_patient answered 503: not retried, outcome unknown", async () => {
    inject(PATIENTS, [{ kind: "status", status: 503 }]);
    const { result } = await timedCall("create_patient", newPatient());
    expectOutcome(result, /unknown whether create_patient took effect/, "create_patient");
    expect(attemptsAt(PATIENTS)).toBe(1);
  });

  it("cancel_appointment whose answer is lost: a repeat reports it already cancelled", async () => {
    const slot = slots[nextSlot++]!;
    const booked = await timedCall("book_appointment", bookingArgs(slot));
    expectOutcome(booked.result, "ok", "book_appointment");
    const uuid = (booked.result.structuredContent as { uuid: string }).uuid;
    const STATUS: FaultMatch = { method: "POST", path: /\/status$/ };
    inject(STATUS, [{ kind: "lose_response" }]);
    const cancel = await timedCall("cancel_appointment", { appointment_uuid: uuid });
    expect(cancel.result.isError).toBe(true);
    expect(attemptsAt(STATUS)).toBe(1);
    const again = await timedCall("cancel_appointment", { appointment_uuid: uuid });
    expectOutcome(again.result, "ok", "cancel again");
    expect(again.result.structuredContent).toMatchObject({
      already_cancelled: true,
      status: "cancelled",
    });
  });
});

/** A loopback port that was free a moment ago and has no listener now: connections are refused. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("the server as a whole", () => {
  it("answers clearly and quickly when the PMS is down (connection refused)", async () => {
    const down = new PmsClient({
      baseUrl: `http://127.0.0.1:${await closedPort()}`,
      orgId: stack.sandbox.orgId,
      token: stack.sandbox.token,
      ...PMS,
    });
    const server = createMcpServer({ pms: down, privacy: "staff", logger: silentLogger });
    const offline = await connectInMemory(server);
    try {
      for (const [tool, args] of [
        ["search_patients", { query: "Smith" }],
        ["book_appointment", bookingArgs(slots[nextSlot++]!)],
      ] as const) {
        kindsTried.add("connection_refused");
        const started = performance.now();
        const result = await callTool(offline, tool, args);
        toolCalls++;
        expectOutcome(result, UNREACHABLE, tool);
        expect(performance.now() - started).toBeLessThan(DEADLINE_MS);
      }
    } finally {
      await offline.close();
      await server.close();
      await down.close();
    }
  });

  it("serves a fresh client normally after all of the above", async () => {
    const fresh = await stack.connect("after-faults");
    const result = await callTool(fresh, "get_practice_info", {});
    toolCalls++;
    expectOutcome(result, "ok", "get_practice_info");
    expect(proxy.requests.every((r) => r.fault === undefined)).toBe(true);
  });
});
