/**
 * find_appointments with include_past: the upcoming appointments first (soonest first), then the past
 * ones (newest first), in pages that reach every one. "Now" is the MCP server's clock, pinned between
 * the patient's appointments (all booked in the sandbox's future).
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { Availability } from "../../src/contract/index.js";
import { silentLogger } from "../../src/log.js";
import { createMcpServer } from "../../src/mcp/server.js";
import { instantAt } from "../../src/mcp/time.js";
import { PmsClient } from "../../src/pms/client.js";
import { GUIDE_UUIDS } from "../../src/sandbox/demo/index.js";
import { startSandbox, type RunningSandbox } from "../../src/sandbox/index.js";
import { callOk, connectInMemory } from "../support/mcp.js";
import { apiCaller } from "../support/sandbox.js";

let sandbox: RunningSandbox;
let pms: PmsClient;
let client: Client;
/** The patient's appointments in start order; the MCP's "now" falls inside the fourth one. */
const booked: { uuid: string; scheduled_start: string }[] = [];
let patientUuid: string;

beforeAll(async () => {
  sandbox = await startSandbox();
  const api = apiCaller(sandbox.baseUrl, sandbox.token);
  const patient = await api("POST", "/patients", {
    body: { first_name: "Hist", last_name: `Ory ${randomBytes(4).toString("hex")}`, date_of_birth: "1969-07-20" },
  });
  // One hygiene visit with Dr. Chen on each of seven days.
  const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
  const query =
    `appointment_type_uuid=${GUIDE_UUIDS.hygiene}&provider_uuid=${GUIDE_UUIDS.michaelChen}` +
    `&start_date=${day(2)}&end_date=${day(25)}&limit=500&step_minutes=120`;
  const slots = Availability.parse((await api("GET", `/schedule/availability?${query}`)).body).slots;
  const days = [...new Map(slots.map((s) => [s.scheduled_start.slice(0, 10), s])).values()].slice(0, 7);
  expect(days).toHaveLength(7);
  for (const slot of days) {
    const response = await api("POST", "/appointments", {
      body: {
        patient_uuid: patient.body.uuid,
        appointment_type_uuid: GUIDE_UUIDS.hygiene,
        provider_uuid: slot.provider.uuid,
        location_uuid: slot.location.uuid,
        scheduled_start: slot.scheduled_start,
      },
    });
    expect(response.status).toBe(201);
    booked.push({ uuid: response.body.uuid, scheduled_start: response.body.scheduled_start });
  }
  const fourth = days[3]!;
  const now = instantAt(fourth.scheduled_start, fourth.timezone)! + 10 * 60_000;
  pms = new PmsClient({ baseUrl: sandbox.url, orgId: sandbox.orgId, token: sandbox.token });
  client = await connectInMemory(createMcpServer({ pms, privacy: "staff", logger: silentLogger, now: () => now }));
  patientUuid = patient.body.uuid;
});
afterAll(async () => {
  await client?.close();
  await pms?.close();
  await sandbox?.close();
});

const order = (...indexes: number[]) => indexes.map((i) => booked[i - 1]!.uuid);

async function page(args: Record<string, unknown>) {
  const { structured, text } = await callOk(client, "find_appointments", { patient_uuid: patientUuid, ...args });
  return { uuids: structured.items.map((a) => a.uuid), structured, text };
}

describe("find_appointments", () => {
  it("lists the upcoming ones soonest first, counting the one under way, in pages", async () => {
    const first = await page({ limit: 3 });
    expect(first.uuids).toEqual(order(4, 5, 6));
    expect(first.structured).toMatchObject({ total: 4, has_more: true });
    expect(first.text).toContain("call find_appointments with page 2");
    const second = await page({ limit: 3, page: 2 });
    expect(second.uuids).toEqual(order(7));
    expect(second.structured).toMatchObject({ total: 4, has_more: false });
  });

  it("with include_past: upcoming first, then past ones newest first, and paging reaches every one", async () => {
    const pages = [];
    for (let n = 1; n <= 3; n++) pages.push(await page({ include_past: true, limit: 3, page: n }));
    expect(pages.map((p) => p.uuids)).toEqual([order(4, 5, 6), order(7, 3, 2), order(1)]);
    expect(pages.map((p) => [p.structured.total, p.structured.has_more])).toEqual([
      [7, true],
      [7, true],
      [7, false],
    ]);
    // Page sizes that split the two parts differently give the same order.
    const all = await page({ include_past: true, limit: 50 });
    expect(all.uuids).toEqual(order(4, 5, 6, 7, 3, 2, 1));
    const pairs = [];
    for (let n = 1; n <= 4; n++) pairs.push(...(await page({ include_past: true, limit: 2, page: n })).uuids);
    expect(pairs).toEqual(all.uuids);
    expect((await page({ include_past: true, limit: 3, page: 4 })).text).toMatch(
      /there are 7; ask for an earlier page/,
    );
  });

  it("leaves cancelled ones out unless asked for by status, and says each one's status", async () => {
    const api = apiCaller(sandbox.baseUrl, sandbox.token);
    const cancel = { body: { status: "cancelled", reason: "Travelling" } };
    for (const n of [2, 5])
      expect((await api("POST", `/appointments/${booked[n - 1]!.uuid}/status`, cancel)).status).toBe(200);

    const upcoming = await page({ limit: 3 });
    expect(upcoming.uuids).toEqual(order(4, 6, 7));
    expect(upcoming.structured).toMatchObject({ total: 3, has_more: false });
    expect(upcoming.text).toMatch(/^Upcoming appointments, 1-3 of 3:/);
    expect(upcoming.text.match(/Status: scheduled\./g)).toHaveLength(3);
    // Paging over the gaps the cancelled ones leave reaches every other one, in order.
    const pairs = [];
    for (let n = 1; n <= 3; n++) pairs.push(...(await page({ include_past: true, limit: 2, page: n })).uuids);
    expect(pairs).toEqual(order(4, 6, 7, 3, 1));
    expect((await page({ include_past: true, limit: 2, page: 3 })).structured).toMatchObject({
      total: 5,
      has_more: false,
    });

    const cancelled = await page({ include_past: true, status: "cancelled" });
    expect(cancelled.uuids).toEqual(order(5, 2));
    expect(cancelled.text).toMatch(/^Cancelled appointments \(upcoming first, then past, newest first\), 1-2 of 2:/);
    expect(cancelled.text.match(/Status: cancelled\./g)).toHaveLength(2);
  });
});
