/**
 * The MCP server: every tool and the prompt over one PmsApi. Tools are served through the low-level
 * request handlers rather than McpServer.registerTool so that input validation, handler failures and
 * output checks all pass through one place (errors.ts) and come out as results the model can act on.
 */
import { z } from "zod";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import {
  CallToolRequestSchema,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
  type CallToolResult,
  type Tool,
} from "@modelcontextprotocol/sdk/types.js";
import type { PmsApi } from "../pms/api.js";
import type { Logger } from "../log.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { CallerGuard } from "./caller-guard.js";
import { toErrorResult } from "./errors.js";
import { clip, guardTransport } from "./protocol-guard.js";
import { registerPrompts } from "./prompts.js";
import { InvalidToolOutput } from "./tool-error.js";
import { toolsFor } from "./tools/index.js";
import type { PrivacyMode } from "./privacy.js";
import type { CallerToolContext, ToolContext, ToolDefinition } from "./tools/define-tool.js";
import { PACKAGE_VERSION } from "../version.js";

export const SERVER_NAME = "dental-pms-mcp";

export interface McpServerDeps {
  pms: PmsApi;
  privacy: PrivacyMode;
  logger: Logger;
  /** The current time in epoch ms; injectable so tests can pin "today". */
  now?: () => number;
  /** Required in caller mode: one per process, since it counts identity attempts. */
  guard?: CallerGuard;
}

/** An McpServer whose every transport is guarded (protocol-guard.ts): -32602 for params of the wrong shape, short error texts. */
class GuardedMcpServer extends McpServer {
  override async connect(transport: Transport): Promise<void> {
    await super.connect(transport);
    guardTransport(transport);
  }
}

export function createMcpServer(deps: McpServerDeps): McpServer {
  if (deps.privacy === "caller" && deps.guard === undefined) throw new Error("caller mode needs a CallerGuard");
  const byName = toolsByName[deps.privacy];
  // Capabilities named in these options would make McpServer install its own tool handlers and declare
  // listChanged; the tools capability is declared below instead, as exactly what this server does.
  const server = new GuardedMcpServer(
    { name: SERVER_NAME, title: "Dental PMS scheduling", version: PACKAGE_VERSION },
    { instructions: instructions(deps.privacy) },
  );
  server.server.registerCapabilities({ tools: {} });
  server.server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: listedTools(deps.privacy) }));
  server.server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const tool = byName.get(request.params.name);
    if (!tool) {
      throw new McpError(
        ErrorCode.InvalidParams,
        `Unknown tool ${clip(request.params.name)}; available: ${[...byName.keys()].join(", ")}`,
      );
    }
    // Caller-mode tools are only served with the guard present (checked above).
    const context: ToolContext & Partial<CallerToolContext> = {
      pms: deps.pms,
      privacy: deps.privacy,
      logger: deps.logger,
      now: deps.now ?? Date.now,
      signal: extra.signal,
      guard: deps.guard,
    };
    return callTool(tool, request.params.arguments, context);
  });
  registerPrompts(server, deps.privacy);
  // registerPrompt declares prompts.listChanged; the lists of this server never change while it runs.
  server.server.registerCapabilities({ prompts: { listChanged: false } });
  return server;
}

const nameIndex = (privacy: PrivacyMode) => new Map(toolsFor(privacy).map((tool) => [tool.name, tool]));
const toolsByName: Readonly<Record<PrivacyMode, ReadonlyMap<string, ToolDefinition>>> = {
  staff: nameIndex("staff"),
  caller: nameIndex("caller"),
};
const listedByPrivacy = new Map<PrivacyMode, Tool[]>();

/**
 * tools/list, built on first use (converting every schema to JSON Schema would delay the initialize
 * answer) and kept for the process: over stateless HTTP every request has a fresh McpServer.
 */
function listedTools(privacy: PrivacyMode): Tool[] {
  let listed = listedByPrivacy.get(privacy);
  if (!listed) {
    listed = toolsFor(privacy).map((tool) => describeTool(tool, privacy));
    listedByPrivacy.set(privacy, listed);
  }
  return listed;
}

/** Validate, run, check the output; any failure becomes an isError result (never structuredContent). */
async function callTool(tool: ToolDefinition, rawArgs: unknown, context: ToolContext): Promise<CallToolResult> {
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
  // The audit trail: who did what, without the values (they are patient data).
  context.logger.info("tool_call", {
    tool: tool.name,
    ok: !result.isError,
    ms: Math.round(performance.now() - started),
    privacy: context.privacy,
  });
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

function instructions(privacy: PrivacyMode): string {
  return [
    "Books dental appointments in the practice management system.",
    "Workflow: get_practice_info (today's date, providers) → search_patients (or create_patient) → list_appointment_types → check_availability → confirm with the person → book_appointment → read back the confirmation.",
    "Use only uuids returned by the tools. Always state times with their timezone.",
    privacy === "caller"
      ? "Caller mode: before anything about a patient, verify the caller with search_patients (first name, last name, and date of birth or phone), or register a new patient with create_patient. Keep the caller_pass it returns and pass it to every later call; the tools act only for that patient. Never disclose contact details."
      : "Staff mode: full patient records are available; get_schedule shows a location's or provider's day, and " +
        "update_appointment_status confirms, checks in or completes many appointments at once.",
  ].join(" ");
}
