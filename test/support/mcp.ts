/**
 * Drives the real MCP server through the SDK's Client: in memory against createMcpServer + a real
 * PmsClient + a real sandbox, or a spawned built bin. Helpers assert the result kind they expect.
 */
import { expect } from "vitest";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { silentLogger } from "../../src/log.js";
import { CallerGuard } from "../../src/mcp/caller-guard.js";
import { localToMillis } from "../../src/mcp/time.js";
import { createMcpServer } from "../../src/mcp/server.js";
import type { PrivacyMode } from "../../src/mcp/privacy.js";
import type { ToolName, ToolResult } from "../../src/mcp/tools/index.js";
import { PmsClient } from "../../src/pms/client.js";
import { startSandbox, type RunningSandbox } from "../../src/sandbox/index.js";

/**
 * An SDK Client connected to a server of privacy mode `M`: `callOk` types each tool's structured result
 * by that mode's output schema. A plain Client is taken for staff mode.
 */
export type ModeClient<M extends PrivacyMode> = Client & { readonly privacyMode?: M };

export interface McpHarness<M extends PrivacyMode = "staff"> {
  client: ModeClient<M>;
  sandbox: RunningSandbox;
  close(): Promise<void>;
}

/** What test servers sign caller passes with, so that tests can forge and age passes of their own. */
export const TEST_CALLER_SECRET = "test-caller-secret-0123456789abcdef0123456789";

/** Caller mode's guard for an in-process server: the test secret, attempts counted in process. */
export function testCallerGuard(privacy: PrivacyMode): CallerGuard | undefined {
  return privacy === "caller" ? new CallerGuard({ secret: TEST_CALLER_SECRET, logger: silentLogger }) : undefined;
}

export async function startMcpHarness<M extends PrivacyMode = "staff">(
  options: { privacy?: M } = {},
): Promise<McpHarness<M>> {
  const sandbox = await startSandbox();
  const pms = new PmsClient({ baseUrl: sandbox.url, orgId: sandbox.orgId, token: sandbox.token });
  const privacy: PrivacyMode = options.privacy ?? "staff";
  const guard = testCallerGuard(privacy);
  const server = createMcpServer({ pms, privacy, logger: silentLogger, guard });
  const client = await connectInMemory(server);
  return {
    client,
    sandbox,
    async close() {
      await client.close();
      await server.close();
      await guard?.close();
      await pms.close();
      await sandbox.close();
    },
  };
}

export async function connectInMemory(server: ReturnType<typeof createMcpServer>): Promise<Client> {
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: "dental-pms-mcp-tests", version: "1.0.0" });
  await Promise.all([server.connect(serverTransport), client.connect(clientTransport)]);
  return client;
}

function textOf(result: CallToolResult): string {
  return result.content.map((c) => (c.type === "text" ? c.text : "")).join("\n");
}

/**
 * Calls a tool that must succeed; returns its structured content, typed by the tool's output schema in
 * the client's privacy mode (the Client validates it against that schema), and its text.
 */
export async function callOk<M extends PrivacyMode = "staff", N extends ToolName<M> = ToolName<M>>(
  client: ModeClient<M>,
  name: N,
  args: Record<string, unknown> = {},
): Promise<{ structured: ToolResult<M, N>; text: string }> {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  expect(result.isError, `${name} failed: ${textOf(result)}`).toBeFalsy();
  expect(result.structuredContent).toBeDefined();
  return { structured: result.structuredContent as ToolResult<M, N>, text: textOf(result) };
}

/** `value`, which the test requires to be there (an assertion, named by `what`), narrowed for what follows. */
export function defined<T>(value: T | undefined, what: string): T {
  expect(value, what).toBeDefined();
  return value as T;
}

/** Calls a tool that must fail as a tool result (isError, text only); returns the text. */
export async function callError(client: Client, name: string, args: Record<string, unknown> = {}): Promise<string> {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  expect(result.isError, `${name} unexpectedly succeeded: ${textOf(result)}`).toBe(true);
  expect(result.structuredContent).toBeUndefined();
  return textOf(result);
}

/**
 * The guide's four steps through any connected client: find Jane Smith, pick New Patient Exam, find a
 * slot with her preferred provider (or any), book it. Returns what each step produced.
 */
export async function runGuideWorkflow(client: ModeClient<"staff">) {
  const search = await callOk(client, "search_patients", { query: "Smith" });
  const jane = defined(
    search.structured.items.find((p) => p.first_name === "Jane" && p.last_name === "Smith"),
    "Jane Smith is in the demo practice",
  );

  const types = await callOk(client, "list_appointment_types", {});
  const npe = defined(
    types.structured.items.find((t) => t.name === "New Patient Exam"),
    "New Patient Exam is an appointment type",
  );

  // Jane can be in one appointment at a time: skip slots overlapping those she already has (from earlier runs).
  const booked = (await callOk(client, "find_appointments", { patient_uuid: jane.uuid, limit: 50 })).structured.items;
  const instant = (local: string, timezone: string) => localToMillis(local, timezone);
  type Span = { scheduled_start: string; scheduled_end: string; timezone: string };
  const free = (slot: Span) =>
    booked.every(
      (a) =>
        instant(slot.scheduled_end, slot.timezone) <= instant(a.scheduled_start, a.timezone) ||
        instant(slot.scheduled_start, slot.timezone) >= instant(a.scheduled_end, a.timezone),
    );
  const availability = await callOk(client, "check_availability", { appointment_type_uuid: npe.uuid, limit: 30 });
  const slot = defined(
    availability.structured.slots.find(free),
    "the demo practice has a free New Patient Exam slot this week",
  );

  const booking = await callOk(client, "book_appointment", {
    patient_uuid: jane.uuid,
    appointment_type_uuid: npe.uuid,
    provider_uuid: slot.provider.uuid,
    location_uuid: slot.location.uuid,
    scheduled_start: slot.scheduled_start,
    notes: "New patient — first visit",
  });
  return { search, types, jane, npe, slot, availability, booking };
}
