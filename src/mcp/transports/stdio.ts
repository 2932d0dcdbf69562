/** MCP over stdin/stdout. stdout carries JSON-RPC only; everything else goes to the stderr logger. */
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { STDIO_DEFAULT_MAX_BUFFER_SIZE } from "@modelcontextprotocol/sdk/shared/stdio.js";

/** The longest line (one JSON-RPC message) read from stdin; the SDK gives up on the stream beyond it. */
export const MAX_STDIO_LINE_BYTES = STDIO_DEFAULT_MAX_BUFFER_SIZE;

/**
 * Why serving ended: the client closed stdin (the normal end), or the transport gave up on a stream it
 * could not read, e.g. a line longer than MAX_STDIO_LINE_BYTES (`lineBytes`: the length it had reached).
 */
export type StdioEnd =
  { reason: "stdin_closed" } | { reason: "transport_failed"; lineBytes: number; limitBytes: number };

/** Connects; `closed` resolves once serving has ended, saying why. */
export async function serveStdio(server: McpServer): Promise<{ closed: Promise<StdioEnd> }> {
  const transport = new StdioServerTransport(process.stdin, process.stdout, { maxBufferSize: MAX_STDIO_LINE_BYTES });
  // The length of the line being read, counted here: the SDK reports an overflow only as a closed transport.
  let lineBytes = 0;
  process.stdin.on("data", (chunk: Buffer) => {
    const lastNewline = chunk.lastIndexOf(0x0a);
    lineBytes = lastNewline === -1 ? lineBytes + chunk.length : chunk.length - lastNewline - 1;
  });
  const closed = new Promise<StdioEnd>((resolve) => {
    const stdinClosed = () => resolve({ reason: "stdin_closed" });
    process.stdin.once("end", stdinClosed);
    process.stdin.once("close", stdinClosed);
    // The transport closes itself only when it cannot go on reading; stdin is still open then.
    server.server.onclose = () => resolve({ reason: "transport_failed", lineBytes, limitBytes: MAX_STDIO_LINE_BYTES });
  });
  await server.connect(transport);
  return { closed };
}
