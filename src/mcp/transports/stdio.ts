/** MCP over stdin/stdout. stdout carries JSON-RPC only; everything else goes to the stderr logger. */
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";

/** Connects and resolves once the client has gone (stdin closed) or the transport was closed. */
export async function serveStdio(server: McpServer): Promise<{ closed: Promise<void> }> {
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    server.server.onclose = resolve;
    process.stdin.once("end", resolve);
    process.stdin.once("close", resolve);
  });
  await server.connect(transport);
  return { closed };
}
