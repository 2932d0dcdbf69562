/**
 * One tool = one file exporting `defineTool({...})`. A tool returns structured data and a short text
 * rendering; the server (server.ts) validates input, runs the handler and turns every failure into an
 * `isError` result in one place, so handlers just throw.
 */
import type { z } from "zod";
import type { ToolAnnotations } from "@modelcontextprotocol/sdk/types.js";
import type { PmsApi } from "../../pms/api.js";
import type { Logger } from "../../log.js";

/** "staff": full records. "caller": a bot answering the public — verify identity, disclose nothing else. */
export type PrivacyMode = "staff" | "caller";

export interface ToolContext {
  pms: PmsApi;
  privacy: PrivacyMode;
  logger: Logger;
  now: () => number;
  /** Aborted when the client cancels the request. */
  signal: AbortSignal;
}

export interface ToolOutput<Structured> {
  structured: Structured;
  /** Short rendering for reading aloud or chat; names and local times, not walls of uuids. */
  text: string;
}

export interface ToolDefinition<Input extends z.ZodObject = z.ZodObject, Output extends z.ZodObject = z.ZodObject> {
  name: string;
  title: string;
  /** When to use the tool and where each uuid comes from; may depend on the privacy mode. */
  description: string | ((privacy: PrivacyMode) => string);
  inputSchema: Input;
  outputSchema: Output;
  /** Every tool reaches an external PMS, so openWorldHint is always true and set by the server. */
  annotations: Required<Pick<ToolAnnotations, "readOnlyHint" | "destructiveHint" | "idempotentHint">>;
  // Method syntax keeps handlers of different tools assignable to one ToolDefinition list.
  handler(args: z.output<Input>, context: ToolContext): Promise<ToolOutput<z.input<Output>>>;
}

export function defineTool<Input extends z.ZodObject, Output extends z.ZodObject>(
  definition: ToolDefinition<Input, Output>,
): ToolDefinition<Input, Output> {
  return definition;
}
