/** Reference data is cached per query, shared between concurrent callers, and failures are not kept. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { PmsError } from "../../src/pms/errors.js";
import { startHarness, type Harness } from "./harness.js";

let harness: Harness;
let clock = Date.parse("2025-05-10T14:32:00Z");
const now = () => clock;

beforeAll(async () => {
  harness = await startHarness();
});
afterAll(() => harness.close());
beforeEach(() => harness.proxy.clear());

const seen = (path: RegExp) => harness.proxy.requests.filter((r) => path.test(r.path)).length;

describe("reference data cache", () => {
  it("answers repeated calls from the cache until the TTL has passed", async () => {
    const client = harness.client({ cacheTtlMs: 60_000, now });
    const first = await client.listProviders();
    const second = await client.listProviders();
    expect(second).toEqual(first);
    await client.listLocations();
    await client.listLocations();
    expect(seen(/\/providers$/)).toBe(1);
    expect(seen(/\/locations$/)).toBe(1);
    clock += 60_000;
    await client.listProviders();
    expect(seen(/\/providers$/)).toBe(2);
  });

  it("keys appointment types by query", async () => {
    const client = harness.client({ cacheTtlMs: 60_000, now });
    const active = await client.listAppointmentTypes({ query: { is_active: true } });
    const all = await client.listAppointmentTypes();
    await client.listAppointmentTypes({ query: { is_active: true } });
    await client.listAppointmentTypes({ query: {} });
    expect(seen(/\/appointment-types/)).toBe(2);
    expect(all.total).toBeGreaterThanOrEqual(active.total);
  });

  it("gives each caller its own copy", async () => {
    const client = harness.client({ cacheTtlMs: 60_000, now });
    const first = await client.listProviders();
    first.items.length = 0;
    expect((await client.listProviders()).items.length).toBeGreaterThan(0);
  });

  it("shares one request among concurrent callers", async () => {
    const client = harness.client({ cacheTtlMs: 60_000, now });
    harness.proxy.inject({ path: /\/locations$/ }, { kind: "delay", ms: 200 });
    const results = await Promise.all(Array.from({ length: 5 }, () => client.listLocations()));
    expect(new Set(results.map((r) => JSON.stringify(r))).size).toBe(1);
    expect(seen(/\/locations$/)).toBe(1);
  });

  it("does not cache a failure", async () => {
    const client = harness.client({ cacheTtlMs: 60_000, now, maxRetries: 0 });
    harness.proxy.inject({ path: /\/providers$/ }, { kind: "status", status: 503 });
    const error = await client.listProviders().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PmsError);
    expect((await client.listProviders()).items.length).toBeGreaterThan(0);
    expect(seen(/\/providers$/)).toBe(2);
  });

  it("lets one caller give up without failing the others sharing the request", async () => {
    const client = harness.client({ cacheTtlMs: 60_000, now });
    harness.proxy.inject({ path: /\/providers$/ }, { kind: "delay", ms: 300 });
    const controller = new AbortController();
    const impatient = client.listProviders({}, { signal: controller.signal }).catch((e: unknown) => e);
    const patient = client.listProviders();
    controller.abort();
    expect(((await impatient) as PmsError).transport).toBe("cancelled");
    expect((await patient).items.length).toBeGreaterThan(0);
    expect(seen(/\/providers$/)).toBe(1);
  });
});
