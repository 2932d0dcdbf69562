/**
 * One tool = one file exporting `defineTool({...})`, `perPrivacyMode({staff, caller})` when caller
 * mode takes other parameters (a caller_pass instead of a patient uuid), or `staffOnly(defineTool({...}))`
 * when caller mode does not offer it at all. A tool returns structured data
 * and a short text rendering; the server (server.ts) validates input, runs the handler and turns every
 * failure into an `isError` result in one place, so handlers just throw.
 */
import type { z } from "zod";
import type { ToolAnnotations } from "@modelcontextprotocol/sdk/types.js";
import type { PmsApi } from "../../pms/api.js";
import type { Logger } from "../../log.js";
import type { CallerGuard } from "../caller-guard.js";
import type { PrivacyMode } from "../privacy.js";

export interface ToolContext {
  pms: PmsApi;
  privacy: PrivacyMode;
  logger: Logger;
  now: () => number;
  /** Aborted when the client cancels the request. */
  signal: AbortSignal;
}

/** What caller-mode handlers get besides: the pass issuer and checker, and the attempt counter. */
export interface CallerToolContext extends ToolContext {
  guard: CallerGuard;
}

export interface ToolOutput<Structured> {
  structured: Structured;
  /** Short rendering for reading aloud or chat; names and local times, not walls of uuids. */
  text: string;
}

export interface ToolDefinition<
  Input extends z.ZodObject = z.ZodObject,
  Output extends z.ZodObject = z.ZodObject,
  Context extends ToolContext = ToolContext,
  Name extends string = string,
> {
  /** Kept as its literal type, so that the tools' names and output types can be looked up by name. */
  name: Name;
  title: string;
  /** When to use the tool and where each uuid comes from; may depend on the privacy mode. */
  description: string | ((privacy: PrivacyMode) => string);
  inputSchema: Input;
  outputSchema: Output;
  /** Every tool reaches an external PMS, so openWorldHint is always true and set by the server. */
  annotations: Required<Pick<ToolAnnotations, "readOnlyHint" | "destructiveHint" | "idempotentHint">>;
  // Method syntax keeps handlers of different tools assignable to one ToolDefinition list.
  handler(args: z.output<Input>, context: Context): Promise<ToolOutput<z.input<Output>>>;
}

export function defineTool<Input extends z.ZodObject, Output extends z.ZodObject, const Name extends string>(
  definition: ToolDefinition<Input, Output, ToolContext, Name>,
): ToolDefinition<Input, Output, ToolContext, Name> {
  return definition;
}

/** A tool as caller mode serves it: its handler gets the CallerGuard. */
export function defineCallerTool<Input extends z.ZodObject, Output extends z.ZodObject, const Name extends string>(
  definition: ToolDefinition<Input, Output, CallerToolContext, Name>,
): ToolDefinition<Input, Output, CallerToolContext, Name> {
  return definition;
}

export type CallerToolDefinition = ToolDefinition<z.ZodObject, z.ZodObject, CallerToolContext>;

/** One tool served differently per privacy mode: same name, title and annotations, other parameters. */
export interface ToolModes<
  Staff extends ToolDefinition = ToolDefinition,
  Caller extends CallerToolDefinition = CallerToolDefinition,
> {
  staff: Staff;
  caller: Caller;
}

export function perPrivacyMode<Staff extends ToolDefinition, Caller extends CallerToolDefinition>(
  modes: ToolModes<Staff, Caller>,
): ToolModes<Staff, Caller> {
  const { staff, caller } = modes;
  const sameAnnotations = JSON.stringify(staff.annotations) === JSON.stringify(caller.annotations);
  if (staff.name !== caller.name || staff.title !== caller.title || !sameAnnotations) {
    throw new Error(`the staff and caller definitions of ${staff.name} must share name, title and annotations`);
  }
  return modes;
}

/** A tool of staff mode alone: caller mode neither lists nor serves it. */
export interface StaffOnly<Staff extends ToolDefinition = ToolDefinition> {
  staff: Staff;
  caller?: never;
}

export function staffOnly<Staff extends ToolDefinition>(staff: Staff): StaffOnly<Staff> {
  return { staff };
}
