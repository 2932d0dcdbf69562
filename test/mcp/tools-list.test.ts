/** tools/list as clients see it: a snapshot per tool and mode, and non-empty object schemas. */
import { existsSync, readdirSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { silentLogger } from "../../src/log.js";
import { PRIVACY_MODES } from "../../src/mcp/privacy.js";
import { createMcpServer } from "../../src/mcp/server.js";
import { toolsFor } from "../../src/mcp/tools/index.js";
import { deferredPms } from "../../src/mcp/deferred-pms.js";
import { connectInMemory, testCallerGuard } from "../support/mcp.js";

// Listing never reaches the PMS: a backend that fails to start proves it.
const { pms } = deferredPms(() => Promise.reject(new Error("not needed to list tools")), silentLogger);
const clients: Record<"staff" | "caller", Client> = {} as never;

beforeAll(async () => {
  clients.staff = await connectInMemory(createMcpServer({ pms, privacy: "staff", logger: silentLogger }));
  clients.caller = await connectInMemory(
    createMcpServer({ pms, privacy: "caller", logger: silentLogger, guard: testCallerGuard("caller") }),
  );
});
afterAll(async () => Promise.all(Object.values(clients).map((c) => c.close())));

/** One committed file per tool and mode: a change to one tool's surface shows as a diff of that tool alone. */
const SNAPSHOTS = join(dirname(fileURLToPath(import.meta.url)), "__snapshots__", "tools");

describe.each(PRIVACY_MODES)("tools/list in %s mode", (mode) => {
  it.each(toolsFor(mode).map((tool) => tool.name))("%s matches its committed snapshot", async (name) => {
    const listed = (await clients[mode].listTools()).tools.find((tool) => tool.name === name);
    const file = join(SNAPSHOTS, mode, `${name}.json`);
    // A snapshot is written where it is missing, except in CI: there a tool without one is a failure, not a new file.
    if (process.env.CI && !existsSync(file)) {
      expect.fail(`${relative(process.cwd(), file)} is missing: run npx vitest run --project mcp -u and commit it`);
    }
    await expect(JSON.stringify(listed, null, 2)).toMatchFileSnapshot(file);
  });

  it("has no snapshot of a tool it does not serve (a missing one is the test above's)", () => {
    const served = new Set(toolsFor(mode).map((tool) => `${tool.name}.json`));
    const stale = readdirSync(join(SNAPSHOTS, mode)).filter((file) => !served.has(file));
    expect(stale, "snapshots of tools no longer served: delete them").toEqual([]);
  });

  it("has object input and output schemas with exactly each tool's parameters", async () => {
    const listed = await clients[mode].listTools();
    const tools = toolsFor(mode);
    expect(listed.tools.map((t) => t.name)).toEqual(tools.map((t) => t.name));
    for (const [i, tool] of listed.tools.entries()) {
      const definition = tools[i]!;
      expect(tool.inputSchema.type).toBe("object");
      expect(Object.keys(tool.inputSchema.properties ?? {}).sort()).toEqual(
        Object.keys(definition.inputSchema.shape).sort(),
      );
      expect(tool.outputSchema?.type).toBe("object");
      expect(Object.keys(tool.outputSchema?.properties ?? {}).length).toBeGreaterThan(0);
      expect(tool.title).toBeTruthy();
      expect(tool.description!.length).toBeGreaterThan(80);
      expect(tool.annotations).toMatchObject({ openWorldHint: true });
      expect(typeof tool.annotations?.readOnlyHint).toBe("boolean");
    }
  });
});

it("requires caller_pass in caller mode on every tool that acts for a patient, which no longer takes a patient uuid", async () => {
  const actingForPatient = [
    "find_appointments",
    "hold_slot",
    "book_appointment",
    "reschedule_appointment",
    "cancel_appointment",
    "update_appointment_status",
  ];
  const { tools: caller } = await clients.caller.listTools();
  for (const tool of caller) {
    const required = (tool.inputSchema.required ?? []).includes("caller_pass");
    expect(required, tool.name).toBe(actingForPatient.includes(tool.name));
    expect(Object.keys(tool.inputSchema.properties ?? {}), tool.name).not.toContain("patient_uuid");
    if (required) expect(tool.description, tool.name).toMatch(/caller_pass .*is required/);
  }
  const search = caller.find((t) => t.name === "search_patients")!;
  expect(search.inputSchema.required).toEqual(["first_name", "last_name"]);
  expect(search.description).toMatch(/keep it and pass it as caller_pass to every later call/);
  expect(caller.find((t) => t.name === "create_patient")!.description).toMatch(/caller_pass/);

  const { tools: staff } = await clients.staff.listTools();
  for (const tool of staff) expect(JSON.stringify(tool), tool.name).not.toContain("caller_pass");
});

it("marks only cancel and reschedule destructive, and the reads read-only", async () => {
  const { tools: listed } = await clients.staff.listTools();
  const flags = Object.fromEntries(listed.map((t) => [t.name, t.annotations]));
  expect(
    listed
      .filter((t) => t.annotations?.destructiveHint)
      .map((t) => t.name)
      .sort(),
  ).toEqual(["cancel_appointment", "reschedule_appointment"]);
  expect(flags.book_appointment).toMatchObject({ readOnlyHint: false, destructiveHint: false, idempotentHint: true });
  for (const name of [
    "search_patients",
    "list_appointment_types",
    "check_availability",
    "get_practice_info",
    "find_appointments",
    "get_schedule",
  ]) {
    expect(flags[name]?.readOnlyHint).toBe(true);
  }
});

it("offers the schedule_appointment prompt walking through the workflow", async () => {
  const { prompts } = await clients.staff.listPrompts();
  expect(prompts.map((p) => p.name)).toEqual(["schedule_appointment"]);
  const prompt = await clients.caller.getPrompt({
    name: "schedule_appointment",
    arguments: { patient_name: "Jane Smith" },
  });
  const text = prompt.messages.map((m) => (m.content.type === "text" ? m.content.text : "")).join("");
  const order = [
    "search_patients",
    "create_patient",
    "list_appointment_types",
    "check_availability",
    "book_appointment",
    "Read back",
  ];
  const positions = order.map((word) => text.indexOf(word));
  expect(positions.every((p) => p >= 0)).toBe(true);
  expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  expect(text).toContain("Jane Smith");
  expect(text).toContain("date of birth");
});
