/**
 * MCP over Streamable HTTP, stateless: every POST /mcp gets a fresh McpServer and transport (the PMS
 * client behind them is shared). Loopback only, a bearer token, and Host/Origin checks against DNS
 * rebinding: a web page must not be able to drive the booking tools through the user's browser.
 */
import { createHash, randomUUID, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { isInitializeRequest } from "@modelcontextprotocol/sdk/types.js";
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

const LOOPBACK_NAMES = new Set(["localhost", "127.0.0.1", "[::1]"]);

export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const host = options.host ?? "127.0.0.1";
  const expectedToken = digest(options.token);
  const allowedHosts = new Set((options.allowedHosts ?? []).map((h) => h.toLowerCase()));
  const allowedOrigins = new Set((options.allowedOrigins ?? []).map((o) => o.toLowerCase()));

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      options.logger.error("http_request_failed", { path: pathOf(req) });
      if (!res.headersSent) sendJson(res, 500, rpcError(-32603, "Internal server error"));
      else res.end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = pathOf(req);
    const host = (req.headers.host ?? "").toLowerCase();
    if (!isLoopback(`http://${host}`) && !allowedHosts.has(host)) {
      return sendJson(res, 403, rpcError(-32000, "Forbidden: unexpected Host header"));
    }
    const origin = req.headers.origin?.toLowerCase();
    if (origin !== undefined && !isLoopback(origin) && !allowedOrigins.has(origin)) {
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
    const body = await readJsonBody(req, options.maxBodyBytes ?? 1024 * 1024);
    if (!body.ok) return sendJson(res, body.status, rpcError(body.code, body.message));
    const mcp = options.createServer();
    const transport = new StreamableHTTPServerTransport({
      // Stateless, yet initialize hands out a session id, as clients and the conformance suite expect.
      // No state hangs on it: later requests go to a fresh session-less transport that ignores the
      // header, so any instance behind a load balancer can answer them.
      sessionIdGenerator: isInitialize(body.value) ? randomUUID : undefined,
      enableJsonResponse: true,
    });
    res.on("close", () => {
      void transport.close();
      void mcp.close();
    });
    await mcp.connect(transport);
    await transport.handleRequest(req, res, body.value);
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

/**
 * A loopback name on any port (a local proxy or inspector may sit in front): DNS rebinding shows up as
 * a foreign host name, never as localhost.
 */
function isLoopback(url: string): boolean {
  try {
    return LOOPBACK_NAMES.has(new URL(url).hostname);
  } catch {
    return false;
  }
}

function isInitialize(message: unknown): boolean {
  return Array.isArray(message) ? message.some((m) => isInitializeRequest(m)) : isInitializeRequest(message);
}

type JsonBody = { ok: true; value: unknown } | { ok: false; status: number; code: number; message: string };

async function readJsonBody(req: IncomingMessage, limit: number): Promise<JsonBody> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) return { ok: false, status: 413, code: -32000, message: `Request body larger than ${limit} bytes.` };
    chunks.push(chunk);
  }
  try {
    return { ok: true, value: JSON.parse(Buffer.concat(chunks).toString("utf8")) };
  } catch {
    return { ok: false, status: 400, code: -32700, message: "Parse error: the body must be a JSON-RPC message." };
  }
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
