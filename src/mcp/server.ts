/**
 * The MCP server: every tool and the prompt over one PmsApi. Tools are served through the low-level
 * request handlers rather than McpServer.registerTool so that input validation, handler failures and
 * output checks all pass through one place (errors.ts) and come out as results the model can act on.
 * The tools themselves (serve-tools.ts) load on the first tools/list or tools/call, or on preloadTools().
 */
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { CallToolRequestSchema, ErrorCode, ListToolsRequestSchema, McpError } from "@modelcontextprotocol/sdk/types.js";
import type { PmsApi } from "../pms/api.js";
import type { Logger } from "../log.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { CallerGuard } from "./caller-guard.js";
import { clip, guardTransport } from "./protocol-guard.js";
import { registerPrompts } from "./prompts.js";
import type { PrivacyMode } from "./privacy.js";
import type { CallerToolContext, ToolContext } from "./tools/define-tool.js";
import { PACKAGE_VERSION } from "../version.js";

export const SERVER_NAME = "dental-pms-mcp";

export interface McpServerDeps {
  /** The PMS, or its loader, called on every tool call (the CLI loads the PMS client after the handshake). */
  pms: PmsApi | (() => Promise<PmsApi>);
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
  // Capabilities named in these options would make McpServer install its own tool handlers and declare
  // listChanged; the tools capability is declared below instead, as exactly what this server does.
  const server = new GuardedMcpServer(
    { name: SERVER_NAME, title: "Dental PMS scheduling", version: PACKAGE_VERSION },
    { instructions: instructions(deps.privacy) },
  );
  server.server.registerCapabilities({ tools: {} });
  server.server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: (await serveTools()).listedTools(deps.privacy),
  }));
  server.server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const { toolsByName, callTool } = await serveTools();
    const byName = toolsByName[deps.privacy];
    const tool = byName.get(request.params.name);
    if (!tool) {
      throw new McpError(
        ErrorCode.InvalidParams,
        `Unknown tool ${clip(request.params.name)}; available: ${[...byName.keys()].join(", ")}`,
      );
    }
    // Caller-mode tools are only served with the guard present (checked above).
    const context: ToolContext & Partial<CallerToolContext> = {
      pms: typeof deps.pms === "function" ? await deps.pms() : deps.pms,
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

let loading: Promise<typeof import("./serve-tools.js")> | undefined;

/** The tools' module, loaded once; a failed load is tried again by the next request. */
function serveTools(): Promise<typeof import("./serve-tools.js")> {
  loading ??= import("./serve-tools.js").catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}

/** Loads the tools ahead of the first tools/list (once initialize has been answered); resolves once tried. */
export function preloadTools(): Promise<void> {
  return serveTools().then(
    () => {},
    () => {}, // a request that needs them reports the failure
  );
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
