/**
 * Two guarantees at the JSON-RPC edge of every transport, for clients that send anything at all:
 *
 * - A request whose params do not have the shape of the method (`arguments: null`, an array, a string)
 *   gets -32602 Invalid params with a short text naming the field. The SDK would answer -32603 Internal
 *   error with its raw zod issue dump.
 * - No error text quotes more than a short prefix of what the client sent (a 900 KB tool name, say).
 */
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import {
  CallToolRequestSchema,
  ErrorCode,
  GetPromptRequestSchema,
  InitializeRequestSchema,
  ListPromptsRequestSchema,
  ListToolsRequestSchema,
  PingRequestSchema,
  isJSONRPCErrorResponse,
  isJSONRPCRequest,
  type JSONRPCMessage,
} from "@modelcontextprotocol/sdk/types.js";
import type { z } from "zod";

/** The requests this server serves, with the shape the SDK will hold them to. */
const REQUEST_SCHEMAS: ReadonlyMap<string, z.ZodType> = new Map<string, z.ZodType>([
  ["initialize", InitializeRequestSchema],
  ["ping", PingRequestSchema],
  ["tools/list", ListToolsRequestSchema],
  ["tools/call", CallToolRequestSchema],
  ["prompts/list", ListPromptsRequestSchema],
  ["prompts/get", GetPromptRequestSchema],
]);

/** Longest error text sent, and longest quote of client input inside one. */
export const MAX_ERROR_TEXT = 500;
export const MAX_QUOTE = 64;

/** `text` cut to `max` characters, saying so. */
export function clip(text: string, max = MAX_QUOTE): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length} characters)` : text;
}

/** Puts both guarantees between `transport` and the server it was just connected to. */
export function guardTransport(transport: Transport): void {
  const deliver = transport.onmessage;
  const send = transport.send.bind(transport);
  transport.send = (message, options) => send(capErrorText(message), options);
  transport.onmessage = (message, extra) => {
    const problem = isJSONRPCRequest(message) ? paramsProblem(message.method, message) : undefined;
    if (problem === undefined) return deliver?.(message, extra);
    const id = (message as { id: string | number }).id;
    void transport
      .send({ jsonrpc: "2.0", id, error: { code: ErrorCode.InvalidParams, message: problem } })
      .catch(() => {});
  };
}

/** No tool or prompt has a longer name: a longer one is refused without being quoted back. */
const MAX_NAME = 128;

function paramsProblem(method: string, request: unknown): string | undefined {
  const schema = REQUEST_SCHEMAS.get(method);
  const result = schema?.safeParse(request);
  if (!result) return undefined;
  if (result.success) {
    const name = (request as { params?: { name?: unknown } }).params?.name;
    if (typeof name !== "string" || name.length <= MAX_NAME) return undefined;
    return `Invalid params for ${method}: params.name is ${name.length} characters long; no name here is longer than ${MAX_NAME}`;
  }
  const issues = result.error.issues.slice(0, 3).map((issue) => {
    const where = issue.path.map(String).join(".") || "params";
    const field =
      method === "tools/call" && where === "params.arguments"
        ? `${where} (the tool's arguments: an object such as {"patient_uuid": "…"})`
        : where;
    return `${clip(field, 120)}: ${clip(issue.message, 120)}`;
  });
  return `Invalid params for ${clip(method)}: ${issues.join("; ")}`;
}

function capErrorText(message: JSONRPCMessage): JSONRPCMessage {
  if (!isJSONRPCErrorResponse(message) || message.error.message.length <= MAX_ERROR_TEXT) return message;
  return { ...message, error: { ...message.error, message: clip(message.error.message, MAX_ERROR_TEXT) } };
}
