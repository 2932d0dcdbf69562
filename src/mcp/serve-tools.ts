/**
 * tools/list and tools/call: the tools' definitions (schemas and descriptions, as data), their listing, and
 * running one. Loaded by server.ts on the first of those requests, not before: initialize needs none of it,
 * and the handlers' libraries (luxon, libphonenumber-js, the contract's schemas) would delay its answer.
 */
import { z } from "zod";
import { type CallToolResult, type Tool } from "@modelcontextprotocol/sdk/types.js";
import { toErrorResult } from "./errors.js";
import type { PrivacyMode } from "./privacy.js";
import { InvalidToolOutput } from "./tool-error.js";
import type { ToolContext, ToolDefinition } from "./tools/define-tool.js";
import { toolsFor } from "./tools/index.js";

const nameIndex = (privacy: PrivacyMode) => new Map(toolsFor(privacy).map((tool) => [tool.name, tool]));
export const toolsByName: Readonly<Record<PrivacyMode, ReadonlyMap<string, ToolDefinition>>> = {
  staff: nameIndex("staff"),
  caller: nameIndex("caller"),
};
const listedByPrivacy = new Map<PrivacyMode, Tool[]>();

/**
 * tools/list, built on first use (converting every schema to JSON Schema would delay the initialize
 * answer) and kept for the process: over stateless HTTP every request has a fresh McpServer.
 */
export function listedTools(privacy: PrivacyMode): Tool[] {
  let listed = listedByPrivacy.get(privacy);
  if (!listed) {
    listed = toolsFor(privacy).map((tool) => describeTool(tool, privacy));
    listedByPrivacy.set(privacy, listed);
  }
  return listed;
}

/** Validate, run, check the output; any failure becomes an isError result (never structuredContent). */
export async function callTool(tool: ToolDefinition, rawArgs: unknown, context: ToolContext): Promise<CallToolResult> {
  const started = performance.now();
  const args = withoutNulls(rawArgs ?? {});
  let result: CallToolResult;
  try {
    const input = tool.inputSchema.parse(args);
    const output = await tool.handler(input, context);
    const structured = tool.outputSchema.safeParse(output.structured);
    if (!structured.success) throw new InvalidToolOutput(structured.error.issues[0]?.path.join("."));
    result = { content: [{ type: "text", text: output.text }], structuredContent: structured.data };
  } catch (error) {
    const call = { tool: tool.name, annotations: tool.annotations, privacy: context.privacy, args };
    result = toErrorResult(call, error, context.logger);
  }
  // The audit trail: who did what, without the values (they are patient data). Written once the answer has
  // been sent: the write to stderr is synchronous (a pipe), and the caller need not wait for it.
  const line = { tool: tool.name, ok: !result.isError, ms: Math.round(performance.now() - started) };
  setImmediate(() => context.logger.info("tool_call", { ...line, privacy: context.privacy }));
  return result;
}

/** Some clients send null for an omitted optional argument; treat it as omitted. */
function withoutNulls(args: unknown): unknown {
  if (args === null || typeof args !== "object" || Array.isArray(args)) return args;
  return Object.fromEntries(Object.entries(args).filter(([, value]) => value !== null));
}

function describeTool(tool: ToolDefinition, privacy: PrivacyMode): Tool {
  return {
    name: tool.name,
    title: tool.title,
    description: typeof tool.description === "function" ? tool.description(privacy) : tool.description,
    inputSchema: toObjectJsonSchema(tool.inputSchema, "input"),
    outputSchema: outline(toObjectJsonSchema(tool.outputSchema, "output")),
    // The title once, at the top: annotations.title would repeat it to the model on every turn.
    annotations: { ...tool.annotations, openWorldHint: true },
  };
}

interface ObjectJsonSchema {
  type: "object";
  properties?: Record<string, object>;
  required?: string[];
  [keyword: string]: unknown;
}

function toObjectJsonSchema(schema: z.ZodObject, io: "input" | "output"): ObjectJsonSchema {
  const {
    $schema: _dialect,
    additionalProperties: _closed,
    ...json
  } = compact(z.toJSONSchema(schema, { target: "draft-7", io })) as Record<string, unknown>;
  // tools/list requires an object schema at the root; fail at startup rather than confuse clients.
  if (json.type !== "object") throw new Error(`tool schema must be an object, got ${String(json.type)}`);
  return { ...json, type: "object" as const };
}

/**
 * An output schema as tools/list carries it: each field of the result with its JSON type, which fields are
 * always there, and nothing deeper. The whole tools array travels with every turn in many clients, and the
 * model never reads output schemas; the server checks every result against the full zod schema itself, and
 * the contract's OpenAPI document gives the nested shapes (the guide's patient, appointment, ...).
 */
function outline(schema: ObjectJsonSchema): ObjectJsonSchema {
  const properties = Object.fromEntries(
    Object.entries(schema.properties ?? {}).map(([name, field]) => [name, { type: jsonTypes(field) }]),
  );
  return { type: "object", properties, ...(schema.required ? { required: schema.required } : {}) };
}

/** The JSON type(s) a field may take: "string", or ["string", "null"] for a nullable one. */
function jsonTypes(field: object): string | string[] {
  const node = field as { type?: string | string[]; anyOf?: object[] };
  const types = [...new Set(node.anyOf ? node.anyOf.flatMap((option) => jsonTypes(option)) : [node.type ?? []].flat())];
  return types.length === 1 ? types[0]! : types;
}

/**
 * tools/list is read on every turn: drop what says nothing to a client. zod's long regexes where a
 * `format` (uuid, date) already says the same; `format: uuid` itself, which every such parameter's name
 * says (…_uuid), as its description says which tool supplies it; the ±2^53 bounds zod puts on every integer;
 * and `additionalProperties: false` at the root, since the server refuses unknown parameters itself, by name.
 */
function compact(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(compact);
  if (node === null || typeof node !== "object") return node;
  const entries = Object.entries(node).filter(
    ([key, value]) =>
      !(key === "pattern" && "format" in node) &&
      !(key === "format" && value === "uuid") &&
      !((key === "minimum" || key === "maximum") && Math.abs(Number(value)) === Number.MAX_SAFE_INTEGER),
  );
  return Object.fromEntries(entries.map(([key, value]) => [key, compact(value)]));
}
