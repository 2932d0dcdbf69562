/**
 * The tool catalogue's house rules, for every tool each privacy mode serves: a title, all four hint
 * annotations, a description that says enough and stays short (tools/list is read on every turn), and one
 * file of its own, src/mcp/tools/<kebab-name>.ts, exporting it. A new tool that breaks one fails here.
 */
import { readdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from "vitest";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { silentLogger } from "../../src/log.js";
import { deferredPms } from "../../src/mcp/deferred-pms.js";
import { PRIVACY_MODES, type PrivacyMode } from "../../src/mcp/privacy.js";
import { createMcpServer } from "../../src/mcp/server.js";
import type { ToolDefinition } from "../../src/mcp/tools/define-tool.js";
import { toolsFor, type ToolName, type ToolResult } from "../../src/mcp/tools/index.js";
import { connectInMemory, testCallerGuard } from "../support/mcp.js";

/** Longest description allowed, in characters (the longest today is caller-mode search_patients, 644). */
const MAX_DESCRIPTION = 700;
const MIN_DESCRIPTION = 80;
const HINTS = ["readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"] as const;
/** Files of src/mcp/tools that are not a tool: the building blocks every tool file uses. */
const NOT_TOOLS = ["define-tool.ts", "index.ts", "params.ts"];
const TOOLS_DIR = new URL("../../src/mcp/tools/", import.meta.url);

const { pms } = deferredPms(() => Promise.reject(new Error("not needed to list tools")), silentLogger);
const clients = {} as Record<PrivacyMode, Client>;
beforeAll(async () => {
  for (const privacy of PRIVACY_MODES) {
    clients[privacy] = await connectInMemory(
      createMcpServer({ pms, privacy, logger: silentLogger, guard: testCallerGuard(privacy) }),
    );
  }
});
afterAll(async () => Promise.all(Object.values(clients).map((c) => c.close())));

const kebab = (name: string) => name.replaceAll("_", "-");

describe.each(PRIVACY_MODES)("every tool in %s mode", (mode) => {
  it.each(toolsFor(mode).map((tool) => [tool.name, tool] as const))("%s", async (name, tool) => {
    const listed = (await clients[mode].listTools()).tools.find((t) => t.name === name);
    expect(listed, `${name} is listed`).toBeDefined();

    expect(listed!.title?.trim()).toBeTruthy();
    // The title once, at the top (clients prefer it): annotations.title would repeat it to the model every turn.
    expect(listed!.annotations).not.toHaveProperty("title");
    for (const hint of HINTS) expect(typeof listed!.annotations?.[hint], `${name}.${hint}`).toBe("boolean");

    const description = listed!.description ?? "";
    expect(description.length, `${name}'s description`).toBeGreaterThanOrEqual(MIN_DESCRIPTION);
    expect(description.length, `${name}'s description`).toBeLessThanOrEqual(MAX_DESCRIPTION);

    const module = (await import(new URL(`${kebab(name)}.ts`, TOOLS_DIR).href)) as Record<string, unknown>;
    const exported = Object.values(module).some(
      (value) =>
        value === tool ||
        (typeof value === "object" && value !== null && (value as Record<string, unknown>)[mode] === tool),
    );
    expect(exported, `src/mcp/tools/${kebab(name)}.ts exports ${name}`).toBe(true);
  });
});

it("has no file in src/mcp/tools that is not a served tool (or a building block)", () => {
  const served = new Set(
    PRIVACY_MODES.flatMap((mode) => toolsFor(mode).map((tool: ToolDefinition) => `${kebab(tool.name)}.ts`)),
  );
  const files = readdirSync(TOOLS_DIR).filter((file) => !NOT_TOOLS.includes(file));
  expect(files.sort()).toEqual([...served].sort());
});

it("types each tool's result by its output schema, per privacy mode (checked by the typecheck)", () => {
  // Caller mode serves every tool but the staff-only ones.
  expectTypeOf<Exclude<ToolName<"staff">, "get_schedule" | "add_appointment_note">>().toEqualTypeOf<
    ToolName<"caller">
  >();
  expectTypeOf<ToolResult<"staff", "book_appointment">["scheduled_start"]>().toEqualTypeOf<string>();
  expectTypeOf<ToolResult<"staff", "search_patients">>().toHaveProperty("items");
  expectTypeOf<ToolResult<"caller", "search_patients">>().toHaveProperty("caller_pass");
  expectTypeOf<ToolResult<"caller", "search_patients">>().not.toHaveProperty("items");
  // The types above come from the very schemas the server lists and checks results against.
  const outputFields = (mode: PrivacyMode, name: string) =>
    Object.keys(toolsFor(mode).find((tool) => tool.name === name)?.outputSchema.shape ?? {});
  expect(outputFields("staff", "search_patients")).toContain("items");
  expect(outputFields("caller", "search_patients")).toEqual(["patient", "caller_pass", "caller_pass_expires_at"]);
});
