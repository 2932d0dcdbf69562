/**
 * The real sandbox behind the fault proxy, and clients pointed at the proxy with short deadlines so
 * fault tests finish quickly. Every log line the clients write is captured for inspection.
 */
import { randomUUID } from "node:crypto";
import { createLogger } from "../../src/log.js";
import { expect } from "vitest";
import { PmsClient, type PmsClientOptions } from "../../src/pms/client.js";
import { PmsError } from "../../src/pms/errors.js";
import { startSandbox } from "../../src/sandbox/index.js";
import { startFaultProxy, type FaultProxy } from "../support/fault-proxy.js";

export const JANE = "a1b2c3d4-e5f6-7890-abcd-ef1234567890";
export const NPE = "b2c3d4e5-f6a7-8901-bcde-f12345678901";
export const MAIN_STREET = "c3d4e5f6-a7b8-9012-cdef-123456789012";
export const DR_CHEN = "d4e5f6a7-b8c9-0123-defa-234567890123";

/** Long and distinctive, so a leak anywhere is found by a plain substring search. */
export const TOKEN = `sk_test_${randomUUID().replaceAll("-", "")}`;

export interface Harness {
  proxy: FaultProxy;
  orgId: string;
  logLines: string[];
  /** A client through the proxy; defaults: 1 s per attempt, 4 s overall, no jitter wait, no cache. */
  client(overrides?: Partial<PmsClientOptions>): PmsClient;
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const sandbox = await startSandbox({ token: TOKEN });
  const proxy = await startFaultProxy(sandbox.url);
  const logLines: string[] = [];
  const clients: PmsClient[] = [];
  const logger = createLogger({ level: "debug", write: (line) => logLines.push(line) });
  return {
    proxy,
    orgId: sandbox.orgId,
    logLines,
    client(overrides = {}) {
      const client = new PmsClient({
        baseUrl: proxy.url,
        orgId: sandbox.orgId,
        token: TOKEN,
        timeoutMs: 1_000,
        totalDeadlineMs: 4_000,
        cacheTtlMs: 0,
        random: () => 0,
        logger,
        ...overrides,
      });
      clients.push(client);
      return client;
    },
    async close() {
      await Promise.all(clients.map((c) => c.close()));
      await proxy.close();
      await sandbox.close();
    },
  };
}

/** The first free New Patient Exam slot with Dr Chen at Main Street, `skip` slots in. */
export async function freeSlot(client: PmsClient, skip = 0) {
  const availability = await client.checkAvailability({
    query: {
      appointment_type_uuid: NPE,
      provider_uuid: DR_CHEN,
      location_uuid: MAIN_STREET,
      limit: skip + 1,
    },
  });
  const slot = availability.slots[skip];
  if (!slot) throw new Error("the sandbox offered no free slot");
  return slot;
}

export function bookingFor(slot: { scheduled_start: string }, notes?: string) {
  return {
    patient_uuid: JANE,
    appointment_type_uuid: NPE,
    location_uuid: MAIN_STREET,
    provider_uuid: DR_CHEN,
    scheduled_start: slot.scheduled_start,
    ...(notes ? { notes } : {}),
  };
}

/** The PmsError a call rejects with; fails the test if it resolves or rejects with anything else. */
export async function failure(promise: Promise<unknown>): Promise<PmsError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PmsError);
  return error as PmsError;
}
