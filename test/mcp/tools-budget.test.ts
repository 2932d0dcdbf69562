/**
 * What tools/list costs every turn, in staff mode, weighed as the bench weighs it (bench/tokens.ts): at most
 * 13 tools, at most 2,800 tokens for the part the model reads and 4,000 for the whole array (the goals of
 * issue 13, met with every tool in: the day sheet, status, note and hold tools).
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import { modelFacing, tokens } from "../../bench/tokens.js";
import { silentLogger } from "../../src/log.js";
import { deferredPms } from "../../src/mcp/deferred-pms.js";
import { createMcpServer } from "../../src/mcp/server.js";
import { connectInMemory } from "../support/mcp.js";

const MAX_TOOLS = 13;
const MAX_MODEL_FACING_TOKENS = 2800;
const MAX_TOOLS_ARRAY_TOKENS = 4000;

let client: Client;
let tools: Tool[];
beforeAll(async () => {
  const { pms } = deferredPms(() => Promise.reject(new Error("not needed to list tools")), silentLogger);
  client = await connectInMemory(createMcpServer({ pms, privacy: "staff", logger: silentLogger }));
  tools = (await client.listTools()).tools;
});
afterAll(async () => client?.close());

/** The heaviest tools first, for the failure message: where to cut. */
const byWeight = (weigh: (tool: Tool) => unknown) =>
  tools
    .map((tool) => `${tool.name} ${tokens(weigh(tool))}`)
    .sort((a, b) => Number(b.split(" ")[1]) - Number(a.split(" ")[1]))
    .join(", ");

it(`offers at most ${MAX_TOOLS} tools`, () => {
  expect(tools.length, tools.map((t) => t.name).join(", ")).toBeLessThanOrEqual(MAX_TOOLS);
});

it(`keeps the model-facing part of tools/list within ${MAX_MODEL_FACING_TOKENS} tokens`, () => {
  const weight = tokens(modelFacing(tools));
  expect(
    weight,
    byWeight((tool) => modelFacing([tool])[0]),
  ).toBeLessThanOrEqual(MAX_MODEL_FACING_TOKENS);
});

it(`keeps the whole tools array within ${MAX_TOOLS_ARRAY_TOKENS} tokens`, () => {
  expect(
    tokens(tools),
    byWeight((tool) => tool),
  ).toBeLessThanOrEqual(MAX_TOOLS_ARRAY_TOKENS);
});
