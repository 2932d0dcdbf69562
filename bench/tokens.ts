/**
 * How tools/list is weighed, by the bench and by the budget test alike: tokens as UTF-8 bytes of the JSON
 * over 4, of the whole tools array and of the part the model reads.
 */
import type { Tool } from "@modelcontextprotocol/sdk/types.js";

export const tokens = (value: unknown): number => Math.round(Buffer.byteLength(JSON.stringify(value), "utf8") / 4);

/** What the model reads of each tool; the rest of tools/list (outputSchema, _meta) serves the client. */
export function modelFacing(tools: readonly Tool[]) {
  return tools.map(({ name, title, description, inputSchema, annotations }) => ({
    name,
    title,
    description,
    inputSchema,
    annotations,
  }));
}
