/** Transport faults between the client and the real sandbox: retried when safe, reported when not. */
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { PmsClient } from "../../src/pms/client.js";
import { bookingFor, failure, freeSlot, JANE, startHarness, TOKEN, type Harness } from "./harness.js";

let harness: Harness;
let client: PmsClient;

beforeAll(async () => {
  harness = await startHarness();
  client = harness.client();
});
afterAll(() => harness.close());
beforeEach(() => harness.proxy.clear());

const PROVIDERS = { method: "GET", path: /\/providers$/ };
const BOOKINGS = { method: "POST", path: /\/appointments$/ };

const attempts = (path: RegExp) => harness.proxy.requests.filter((r) => path.test(r.path)).length;

describe("safe requests (GET) are retried within bounds", () => {
  it.each([
    ["503", { kind: "status", status: 503 }],
    ["502", { kind: "status", status: 502 }],
    ["500", { kind: "status", status: 500 }],
    ["a reset connection", { kind: "reset" }],
    ["a truncated body", { kind: "truncate" }],
    ["an answer slower than the deadline", { kind: "delay", ms: 1_500 }],
  ] as const)("recovers from %s", async (_, fault) => {
    harness.proxy.inject(PROVIDERS, fault);
    const providers = await client.listProviders();
    expect(providers.items.length).toBeGreaterThan(0);
    expect(attempts(/\/providers$/)).toBe(2);
  });

  it("gives up after maxRetries with unavailable", async () => {
    const fault = { kind: "status", status: 503 } as const;
    harness.proxy.inject(PROVIDERS, fault, fault, fault, fault);
    const error = await failure(client.listProviders());
    expect(error.kind).toBe("unavailable");
    expect(error.status).toBe(503);
    expect(error.mayHaveWritten).toBe(false);
    expect(error.message).toBe("listProviders: unavailable (HTTP 503)");
    expect(attempts(/\/providers$/)).toBe(3);
  });

  it("stops at the overall deadline when every attempt hangs", async () => {
    const hang = { kind: "delay", ms: 3_000 } as const;
    harness.proxy.inject(PROVIDERS, hang, hang, hang);
    const slow = harness.client({ timeoutMs: 600, totalDeadlineMs: 1_000, maxRetries: 5 });
    const started = performance.now();
    const error = await failure(slow.listProviders());
    const elapsed = performance.now() - started;
    expect(error.kind).toBe("unavailable");
    expect(error.transport).toBe("timeout");
    // The last attempt had what was left of the overall deadline, at most one attempt's timeout.
    expect(error.facts.timeoutMs).toBeLessThanOrEqual(600);
    // A correctness bound (the deadline is honoured), with slack for a busy machine; not a speed test.
    expect(elapsed).toBeLessThan(1_000 + 1_500);
    expect(attempts(/\/providers$/)).toBe(2);
  });

  it("gives an attempt longer than 10 s its whole timeoutMs when no overall deadline is set", async () => {
    // PMS_TIMEOUT_MS may be up to 120 s; the default overall deadline must not cut it short.
    harness.proxy.inject(PROVIDERS, { kind: "delay", ms: 10_500 });
    const patient = harness.client({ timeoutMs: 12_000, totalDeadlineMs: undefined });
    const providers = await patient.listProviders();
    expect(providers.items.length).toBeGreaterThan(0);
    expect(attempts(/\/providers$/)).toBe(1);
  }, 30_000);

  it("does not retry a 2xx that is not JSON: invalid_response", async () => {
    harness.proxy.inject(PROVIDERS, { kind: "non_json" });
    const error = await failure(client.listProviders());
    expect(error.kind).toBe("invalid_response");
    expect(error.facts.violation).toContain("not JSON");
    expect(attempts(/\/providers$/)).toBe(1);
  });

  it("rejects a 2xx whose JSON breaks the contract: invalid_response", async () => {
    harness.proxy.inject(PROVIDERS, { kind: "respond", status: 200, body: '{"items":[{"uuid":"x"}],"total":1}' });
    const error = await failure(client.listProviders());
    expect(error.kind).toBe("invalid_response");
    expect(error.facts.violation).toContain("items.0.uuid");
  });

  it("never retries a 4xx other than 429", async () => {
    harness.proxy.inject(PROVIDERS, { kind: "respond", status: 404, body: "" });
    expect((await failure(client.listProviders())).kind).toBe("not_found");
    expect(attempts(/\/providers$/)).toBe(1);
  });

  it("retries when the connection is refused, then reports unavailable", async () => {
    const nowhere = new PmsClient({
      baseUrl: "http://127.0.0.1:9",
      orgId: harness.orgId,
      token: TOKEN,
      random: () => 0,
    });
    try {
      const error = await failure(nowhere.listLocations());
      expect(error.kind).toBe("unavailable");
      expect(error.transport).toBe("refused");
      expect(error.mayHaveWritten).toBe(false);
    } finally {
      await nowhere.close();
    }
  });
});

describe("database problems the PMS reports", () => {
  const problem = (status: number, code: string, detail: string) =>
    JSON.stringify({ type: `https://dental-pms-mcp.dev/problems/${code}`, title: "Database", status, code, detail });
  const unavailable = problem(
    503,
    "storage_unavailable",
    "The practice system's database is unavailable or busy for a moment. Retry in 1 second(s).",
  );

  it("storage_unavailable (503) to a keyed booking is retried with the same key: one appointment", async () => {
    const slot = await freeSlot(client);
    harness.proxy.clear();
    harness.proxy.inject(BOOKINGS, {
      kind: "respond",
      status: 503,
      body: unavailable,
      contentType: "application/problem+json",
    });
    const { value: appointment } = await client.createAppointment(
      { body: bookingFor(slot) },
      { idempotencyKey: randomUUID() },
    );
    expect(appointment.scheduled_start).toBe(slot.scheduled_start);
    expect(attempts(/\/appointments$/)).toBe(2);
  });

  it.each([
    [507, "storage_full", "out of disk space, so nothing was saved"],
    [503, "storage_read_only", "read-only right now, so nothing was saved"],
  ] as const)("%s %s is definite: not retried, and not an unknown outcome", async (status, code, detail) => {
    const slot = await freeSlot(client);
    harness.proxy.clear();
    harness.proxy.inject(BOOKINGS, {
      kind: "respond",
      status,
      body: problem(status, code, `The database is ${detail}.`),
      contentType: "application/problem+json",
    });
    const error = await failure(client.createAppointment({ body: bookingFor(slot) }, { idempotencyKey: randomUUID() }));
    expect({ kind: error.kind, code: error.code, mayHaveWritten: error.mayHaveWritten }).toEqual({
      kind: "unavailable",
      code,
      mayHaveWritten: false,
    });
    expect(error.problem?.detail).toContain("nothing was saved");
    expect(attempts(/\/appointments$/)).toBe(1);
  });

  it("storage_unavailable to a write without a key leaves its outcome unknown (the commit may have happened)", async () => {
    const slot = await freeSlot(client);
    const { value: appointment } = await client.createAppointment(
      { body: bookingFor(slot) },
      { idempotencyKey: randomUUID() },
    );
    harness.proxy.clear();
    harness.proxy.inject(
      { method: "POST", path: /\/status$/ },
      { kind: "respond", status: 503, body: unavailable, contentType: "application/problem+json" },
    );
    const error = await failure(
      client.changeAppointmentStatus({ params: { appointment_uuid: appointment.uuid }, body: { status: "confirmed" } }),
    );
    expect(error.mayHaveWritten).toBe(true);
    expect(attempts(/\/status$/)).toBe(1);
  });
});

describe("429 Too Many Requests", () => {
  it("honours Retry-After when it fits the deadline", async () => {
    harness.proxy.inject(PROVIDERS, { kind: "rate_limit", retryAfterSeconds: 1 });
    const started = performance.now();
    await client.listProviders();
    expect(performance.now() - started).toBeGreaterThanOrEqual(990);
    expect(attempts(/\/providers$/)).toBe(2);
  });

  it("fails fast with rate_limited and the wait when Retry-After does not fit", async () => {
    harness.proxy.inject(PROVIDERS, { kind: "rate_limit", retryAfterSeconds: 30 });
    const error = await failure(client.listProviders());
    expect(error.kind).toBe("rate_limited");
    expect(error.retryAfterSeconds).toBe(30);
    expect(error.message).toContain("retry after 30 s");
    expect(attempts(/\/providers$/)).toBe(1);
  });
});

describe("bookings: POST with an Idempotency-Key", () => {
  it("a lost response is retried with the same key and ends as exactly one appointment", async () => {
    const slot = await freeSlot(client);
    const key = randomUUID();
    harness.proxy.clear();
    harness.proxy.inject(BOOKINGS, { kind: "lose_response" });
    const { value: booked } = await client.createAppointment({ body: bookingFor(slot) }, { idempotencyKey: key });
    expect(booked.scheduled_start).toBe(slot.scheduled_start);

    const posts = harness.proxy.requests.filter((r) => r.method === "POST");
    expect(posts.map((r) => r.fault)).toEqual(["lose_response", undefined]);
    expect(posts.map((r) => r.headers["idempotency-key"])).toEqual([key, key]);

    const date = slot.scheduled_start.slice(0, 10);
    const mine = await client.listAppointments({
      query: { patient_uuid: JANE, start_date: date, end_date: date, page_size: 100 },
    });
    expect(mine.items.filter((a) => a.scheduled_start === slot.scheduled_start && a.status !== "cancelled")).toEqual([
      expect.objectContaining({ uuid: booked.uuid }),
    ]);
  });

  it("a 500 and a timeout are retried with the same key too", async () => {
    const slot = await freeSlot(client);
    const key = randomUUID();
    harness.proxy.clear();
    harness.proxy.inject(BOOKINGS, { kind: "status", status: 500 }, { kind: "delay", ms: 1_500 });
    const { value: booked } = await client.createAppointment({ body: bookingFor(slot) }, { idempotencyKey: key });
    const posts = harness.proxy.requests.filter((r) => r.method === "POST");
    expect(posts.map((r) => r.headers["idempotency-key"])).toEqual([key, key, key]);
    expect((await client.getAppointment({ params: { appointment_uuid: booked.uuid } })).status).toBe("scheduled");
  });
});

describe("a booking whose every answer is lost", () => {
  it("reports that it may have taken effect, and the same key then returns the one appointment", async () => {
    const slot = await freeSlot(client);
    const key = randomUUID();
    const lost = Array.from({ length: 6 }, () => ({ kind: "lose_response" as const }));
    harness.proxy.inject(BOOKINGS, ...lost);
    const error = await failure(client.createAppointment({ body: bookingFor(slot) }, { idempotencyKey: key }));
    expect(error.kind).toBe("unavailable");
    expect(error.mayHaveWritten).toBe(true);
    harness.proxy.clear();
    const again = await client.createAppointment({ body: bookingFor(slot) }, { idempotencyKey: key });
    expect(again.replayed).toBe(true);
  });
});

describe("requests that are not idempotent are not repeated", () => {
  it("a lost createPatient response → unavailable, outcome unknown, sent once (and it did take effect)", async () => {
    const last = `Lost${randomUUID().slice(0, 8)}`;
    harness.proxy.inject({ method: "POST", path: /\/patients$/ }, { kind: "lose_response" });
    const error = await failure(
      client.createPatient({ body: { first_name: "Ada", last_name: last, date_of_birth: "1990-02-03" } }),
    );
    expect(error.kind).toBe("unavailable");
    expect(error.mayHaveWritten).toBe(true);
    expect(error.transport).toBe("connection_lost");
    expect(attempts(/\/patients$/)).toBe(1);
    expect((await client.searchPatients({ query: { query: last } })).total).toBe(1);
  });

  it("a 503 on a status change or a reset on a reschedule → outcome unknown, sent once", async () => {
    const { value: booked } = await client.createAppointment(
      { body: bookingFor(await freeSlot(client)) },
      { idempotencyKey: randomUUID() },
    );
    harness.proxy.clear();
    harness.proxy.inject({ method: "POST", path: /\/status$/ }, { kind: "status", status: 503 });
    const status = await failure(
      client.changeAppointmentStatus({ params: { appointment_uuid: booked.uuid }, body: { status: "confirmed" } }),
    );
    expect(status.mayHaveWritten).toBe(true);
    harness.proxy.inject({ method: "PATCH" }, { kind: "reset" });
    const patch = await failure(
      client.updateAppointment({ params: { appointment_uuid: booked.uuid }, body: { notes: "x" } }),
    );
    expect(patch.kind).toBe("unavailable");
    expect(patch.mayHaveWritten).toBe(true);
    expect(harness.proxy.requests.map((r) => r.method)).toEqual(["POST", "PATCH"]);
  });

  it("a 429 is safe to repeat for any method: the server did nothing", async () => {
    const { value: booked } = await client.createAppointment(
      { body: bookingFor(await freeSlot(client)) },
      { idempotencyKey: randomUUID() },
    );
    harness.proxy.clear();
    harness.proxy.inject({ method: "POST", path: /\/notes$/ }, { kind: "rate_limit", retryAfterSeconds: 0 });
    const note = await client.addAppointmentNote({
      params: { appointment_uuid: booked.uuid },
      body: { text: "Allergic to latex" },
    });
    expect(note.text).toBe("Allergic to latex");
    expect(attempts(/\/notes$/)).toBe(2);
  });
});

describe("cancellation", () => {
  it("honours the caller's AbortSignal", async () => {
    harness.proxy.inject(PROVIDERS, { kind: "delay", ms: 3_000 });
    const patient = harness.client({ timeoutMs: 5_000, totalDeadlineMs: 10_000 });
    const controller = new AbortController();
    const pending = failure(patient.listProviders({}, { signal: controller.signal }));
    setTimeout(() => controller.abort(), 100);
    const error = await pending;
    expect(error.kind).toBe("unavailable");
    expect(error.transport).toBe("cancelled");
    expect(attempts(/\/providers$/)).toBe(1);
  });
});

describe("secrets and patient data stay out of errors and logs", () => {
  it("never shows the token, even when the server echoes it", async () => {
    const echo = JSON.stringify({
      type: "https://dental-pms-mcp.dev/problems/validation-failed",
      title: "Invalid request",
      status: 400,
      code: "validation_failed",
      detail: `Bad header Authorization: Bearer ${TOKEN}`,
      errors: [{ field: "header.authorization", message: `got ${TOKEN}` }],
    });
    harness.proxy.inject(PROVIDERS, {
      kind: "respond",
      status: 400,
      body: echo,
      contentType: "application/problem+json",
    });
    const error = await failure(client.listProviders());
    expect(error.kind).toBe("validation");
    expect(error.problem?.detail).toContain("[redacted]");
    expect(error.fieldErrors[0]?.message).toContain("[redacted]");
    expect(error.message).not.toContain(TOKEN);
    expect(JSON.stringify(error.facts)).not.toContain(TOKEN);
  });

  it("logs one line per request with route, status, attempt and ms, and no token, names or query", async () => {
    // Everything logged by the tests above, faults and failures included.
    expect(harness.logLines.length).toBeGreaterThan(20);
    for (const line of harness.logLines) expect(line).not.toContain(TOKEN);
    harness.logLines.length = 0;
    harness.proxy.inject({ method: "GET", path: /\/patients\?/ }, { kind: "status", status: 502 });
    await client.searchPatients({ query: { query: "Smith", phone: "+1-415-555-0148" } });
    const requests = harness.logLines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.event === "pms.request");
    expect(requests).toEqual([
      expect.objectContaining({ route: "searchPatients", status: 502, attempt: 1, ms: expect.any(Number) }),
      expect.objectContaining({ route: "searchPatients", status: 200, attempt: 2, ms: expect.any(Number) }),
    ]);
    for (const line of harness.logLines) {
      expect(line).not.toContain(TOKEN);
      // The clock's fields may hold any digits (a time of 19:57:52.555 did): the rest must hold no part of the query.
      const { time: _time, ms: _ms, ...rest } = JSON.parse(line) as Record<string, unknown>;
      expect(JSON.stringify(rest)).not.toMatch(/Smith|555|query=/);
    }
  });
});
