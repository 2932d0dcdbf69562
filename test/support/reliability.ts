/**
 * The reliability suite's stack: the real sandbox, optionally the fault proxy in front of it, a real
 * PmsClient, and the real MCP server behind an in-process Streamable HTTP listener, driven by SDK
 * Clients over loopback HTTP. Plus the small readers every reliability test needs.
 */
import { randomBytes } from "node:crypto";
import { expect } from "vitest";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { CallToolResultSchema, type CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { Appointment, AppointmentPage, Availability } from "../../src/contract/index.js";
import { silentLogger } from "../../src/log.js";
import { createMcpServer } from "../../src/mcp/server.js";
import type { PrivacyMode } from "../../src/mcp/privacy.js";
import { startHttpServer, type RunningHttpServer } from "../../src/mcp/transports/http.js";
import { PmsClient, type PmsClientOptions } from "../../src/pms/client.js";
import { startSandbox, type RunningSandbox, type SandboxOptions } from "../../src/sandbox/index.js";
import { startFaultProxy, type FaultProxy } from "./fault-proxy.js";
import { testCallerGuard } from "./mcp.js";
import { apiCaller, type Caller } from "./sandbox.js";

export const MCP_TOKEN = "reliability-mcp-token-0123456789abcdef";

export interface McpStack {
  sandbox: RunningSandbox;
  /** Direct calls to the sandbox (not through the proxy), to check what really happened. */
  api: Caller;
  /** Present when started with `faults: true`: the PmsClient talks to the sandbox through it. */
  proxy: FaultProxy | undefined;
  pms: PmsClient;
  http: RunningHttpServer;
  /** A new SDK Client connected over Streamable HTTP with the bearer token. */
  connect(name?: string): Promise<Client>;
  close(): Promise<void>;
}

export interface StackOptions {
  faults?: boolean;
  privacy?: PrivacyMode;
  pms?: Partial<PmsClientOptions>;
  sandbox?: SandboxOptions;
}

export async function startMcpStack(options: StackOptions = {}): Promise<McpStack> {
  const sandbox = await startSandbox(options.sandbox);
  const proxy = options.faults ? await startFaultProxy(sandbox.url) : undefined;
  const pms = new PmsClient({
    baseUrl: proxy?.url ?? sandbox.url,
    orgId: sandbox.orgId,
    token: sandbox.token,
    ...options.pms,
  });
  const privacy = options.privacy ?? "staff";
  const guard = testCallerGuard(privacy);
  const http = await startHttpServer({
    port: 0,
    token: MCP_TOKEN,
    createServer: () => createMcpServer({ pms, privacy, logger: silentLogger, guard }),
    logger: silentLogger,
  });
  const clients: Client[] = [];
  return {
    sandbox,
    api: apiCaller(sandbox.baseUrl, sandbox.token),
    proxy,
    pms,
    http,
    async connect(name = "reliability") {
      const client = new Client({ name, version: "1.0.0" });
      await client.connect(
        new StreamableHTTPClientTransport(new URL(http.url), {
          requestInit: { headers: { Authorization: `Bearer ${MCP_TOKEN}` } },
        }),
      );
      clients.push(client);
      return client;
    },
    async close() {
      await Promise.all(clients.map((c) => c.close()));
      await http.close();
      await guard?.close();
      await pms.close();
      await proxy?.close();
      await sandbox.close();
    },
  };
}

/** Calls a tool, checking the answer is a well-formed CallToolResult; never throws on isError. */
export async function callTool(client: Client, name: string, args: Record<string, unknown>): Promise<CallToolResult> {
  const result = CallToolResultSchema.parse(await client.callTool({ name, arguments: args }));
  if (result.isError)
    expect(result.structuredContent, `${name}: an error result carries no structuredContent`).toBeUndefined();
  return result;
}

export function textOf(result: CallToolResult): string {
  return result.content.map((c) => (c.type === "text" ? c.text : "")).join("\n");
}

export interface FreeSlot {
  scheduled_start: string;
  scheduled_end: string;
  provider_uuid: string;
  location_uuid: string;
}

/**
 * Up to `count` free slots that can all be booked at once: within a location no two overlap in time,
 * so neither a provider nor the last free operatory can make one booking conflict with another.
 * Starts `fromDay` days after the sandbox's today so that tests in one file do not collide.
 */
export async function disjointSlots(
  api: Caller,
  appointmentTypeUuid: string,
  count: number,
  options: { fromDay?: number; days?: number; providerUuid?: string } = {},
): Promise<FreeSlot[]> {
  const today = new Date();
  const day = (offset: number) => new Date(today.getTime() + offset * 86_400_000).toISOString().slice(0, 10);
  const end = day((options.fromDay ?? 1) + (options.days ?? 27));
  const provider = options.providerUuid ? `&provider_uuid=${options.providerUuid}` : "";
  const busyUntil = new Map<string, string>();
  const picked: FreeSlot[] = [];
  // One answer holds at most 500 slots (a day or two of the practice): page on by date until enough.
  for (let from = day(options.fromDay ?? 1); picked.length < count && from <= end;) {
    const response = await api(
      "GET",
      `/schedule/availability?appointment_type_uuid=${appointmentTypeUuid}&start_date=${from}&end_date=${end}&limit=500${provider}`,
    );
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    const availability = Availability.parse(response.body);
    for (const slot of availability.slots) {
      const location = slot.location.uuid;
      // Local times of one location compare correctly as text.
      if ((busyUntil.get(location) ?? "") > slot.scheduled_start) continue;
      busyUntil.set(location, slot.scheduled_end);
      picked.push({
        scheduled_start: slot.scheduled_start,
        scheduled_end: slot.scheduled_end,
        provider_uuid: slot.provider.uuid,
        location_uuid: location,
      });
      if (picked.length === count) break;
    }
    const lastDay = availability.slots.at(-1)?.scheduled_start.slice(0, 10);
    if (!availability.has_more || lastDay === undefined) break;
    from = lastDay > from ? lastDay : new Date(Date.parse(`${from}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  }
  expect(picked.length, "the demo practice has enough free time").toBe(count);
  return picked;
}

/** Every appointment of the org, page by page; each page must validate against the contract. */
export async function allAppointments(api: Caller, query = ""): Promise<Appointment[]> {
  const found: Appointment[] = [];
  for (let page = 1; ; page++) {
    const response = await api("GET", `/appointments?page=${page}&page_size=100${query}`);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    const parsed = AppointmentPage.parse(response.body);
    found.push(...parsed.items);
    if (page * parsed.page_size >= parsed.total) {
      expect(found.length).toBe(parsed.total);
      return found;
    }
  }
}

/** Appointments (not cancelled) of this provider starting at exactly this local time. */
export async function bookingsAt(api: Caller, slot: FreeSlot): Promise<Appointment[]> {
  const day = slot.scheduled_start.slice(0, 10);
  const sameDay = await allAppointments(api, `&provider_uuid=${slot.provider_uuid}&start_date=${day}&end_date=${day}`);
  return sameDay.filter((a) => a.scheduled_start === slot.scheduled_start && a.status !== "cancelled");
}

/**
 * `count` new patients of the practice, registered for the test: different people with no appointment yet,
 * so that each can be booked into any free slot (a patient is never in two appointments at once).
 */
export async function freshPatients(api: Caller, count: number): Promise<string[]> {
  const run = randomBytes(4).toString("hex");
  return inParallel(
    8,
    Array.from({ length: count }, (_, i) => async () => {
      const response = await api("POST", "/patients", {
        body: { first_name: `Fresh${i}`, last_name: `Patient ${run}`, date_of_birth: "1980-02-03" },
      });
      expect(response.status, JSON.stringify(response.body)).toBe(201);
      return response.body.uuid as string;
    }),
  );
}

/** Runs `tasks` with at most `width` in flight, in order of the array; results in the same order. */
export async function inParallel<T>(width: number, tasks: (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = new Array<T>(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const index = next++;
      results[index] = await tasks[index]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, tasks.length) }, worker));
  return results;
}

/** One line per test file for the lead to quote: `[reliability] <file>: key=value ...`. */
export function printSummary(file: string, figures: Record<string, string | number>): void {
  const parts = Object.entries(figures).map(([key, value]) => `${key}=${value}`);
  console.log(`[reliability] ${file}: ${parts.join(" ")}`);
}
