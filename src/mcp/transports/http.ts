/**
 * MCP over Streamable HTTP, stateless: every POST /mcp gets a fresh McpServer and transport (the PMS
 * client behind them is shared). Loopback only, a bearer token, and Host/Origin checks against DNS
 * rebinding: a web page must not be able to drive the booking tools through the user's browser.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import type { Logger } from "../../log.js";

export interface HttpServerOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** 0 picks a free port. */
  port: number;
  token: string;
  /** Extra Host header values to accept (e.g. "mcp.example.com" behind a proxy). */
  allowedHosts?: readonly string[];
  /** Extra Origin header values to accept (e.g. "https://app.example.com"). */
  allowedOrigins?: readonly string[];
  /** Default 1 MiB: tool arguments are small. */
  maxBodyBytes?: number;
  createServer: () => McpServer;
  logger: Logger;
}

export interface RunningHttpServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

const LOOPBACK_NAMES = ["localhost", "127.0.0.1", "[::1]"];

export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const host = options.host ?? "127.0.0.1";
  const expectedToken = digest(options.token);
  let allowedHosts = new Set<string>();
  let allowedOrigins = new Set<string>();

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      options.logger.error("http_request_failed", { path: pathOf(req) });
      if (!res.headersSent) sendJson(res, 500, rpcError(-32603, "Internal server error"));
      else res.end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = pathOf(req);
    if (!allowedHosts.has((req.headers.host ?? "").toLowerCase())) {
      return sendJson(res, 403, rpcError(-32000, "Forbidden: unexpected Host header"));
    }
    const origin = req.headers.origin;
    if (origin !== undefined && !allowedOrigins.has(origin.toLowerCase())) {
      return sendJson(res, 403, rpcError(-32000, "Forbidden: unexpected Origin"));
    }
    if (path === "/healthz") return sendJson(res, 200, { status: "ok" });
    if (path !== "/mcp") return sendJson(res, 404, rpcError(-32000, "Not found: the MCP endpoint is /mcp"));
    if (!authorized(req.headers.authorization)) {
      res.setHeader("WWW-Authenticate", 'Bearer realm="dental-pms-mcp"');
      return sendJson(res, 401, rpcError(-32001, "Unauthorized: send Authorization: Bearer <MCP_HTTP_TOKEN>"));
    }
    if (req.method !== "POST") {
      // Stateless: no standalone SSE stream (GET) and no session to delete (DELETE).
      res.setHeader("Allow", "POST");
      return sendJson(res, 405, rpcError(-32000, "Method not allowed."));
    }
    const mcp = options.createServer();
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
      maxRequestBodySize: options.maxBodyBytes ?? 1024 * 1024,
    });
    res.on("close", () => {
      void transport.close();
      void mcp.close();
    });
    await mcp.connect(transport);
    await transport.handleRequest(req, res);
  }

  function authorized(header: string | undefined): boolean {
    const match = /^Bearer\s+(.+)$/i.exec(header ?? "");
    // Comparing digests keeps the comparison constant-time whatever the lengths.
    return match !== null && timingSafeEqual(digest(match[1]!.trim()), expectedToken);
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  allowedHosts = new Set([
    ...LOOPBACK_NAMES.map((name) => `${name}:${port}`),
    ...(options.allowedHosts ?? []).map((h) => h.toLowerCase()),
  ]);
  allowedOrigins = new Set([
    ...LOOPBACK_NAMES.map((name) => `http://${name}:${port}`),
    ...(options.allowedOrigins ?? []).map((o) => o.toLowerCase()),
  ]);
  options.logger.info("http_listening", { host, port });

  return {
    url: `http://${host}:${port}/mcp`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value).digest();
}

function pathOf(req: IncomingMessage): string {
  return (req.url ?? "/").split("?")[0] ?? "/";
}

function rpcError(code: number, message: string) {
  return { jsonrpc: "2.0", error: { code, message }, id: null };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "Content-Type": "application/json" }).end(JSON.stringify(body));
}
