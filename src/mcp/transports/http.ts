/**
 * MCP over Streamable HTTP, stateless: every POST /mcp gets a fresh McpServer and transport (the PMS
 * client behind them is shared). Loopback only, a bearer token, and Host/Origin checks against DNS
 * rebinding: a web page must not be able to drive the booking tools through the user's browser.
 *
 * Limits for clients that misbehave on purpose or not: at most `maxConnections` sockets; idle, slow-header
 * and slow-body sockets closed after a deadline; a per-address rate limit (429 with Retry-After); the
 * token checked from the headers before any body is read; refusals (401, 403, 408, 413, 429) close the
 * connection; JSON-RPC batches of at most MAX_BATCH messages.
 */
import { createHash, randomUUID, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { isInitializeRequest } from "@modelcontextprotocol/sdk/types.js";
import type { Logger } from "../../log.js";
import { RateLimiter } from "./rate-limit.js";

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
  /** Connections open at once; more are closed as they arrive. Default DEFAULT_MAX_CONNECTIONS. */
  maxConnections?: number;
  /** Requests per second per client address, sustained, with bursts of ten seconds' worth; 0 turns it off. */
  rateLimit?: number;
  /** Limits on slow clients; see DEFAULT_TIMEOUTS. */
  timeouts?: Partial<HttpTimeouts>;
  createServer: () => McpServer;
  logger: Logger;
}

export interface HttpTimeouts {
  /** A new connection must start a request within this (idle sockets are closed). */
  idleMs: number;
  /** All request headers must have arrived within this. */
  headersMs: number;
  /** The body must have arrived within this once the headers did. */
  bodyMs: number;
  /** An idle keep-alive connection between requests is closed after this. */
  keepAliveMs: number;
}

export const DEFAULT_TIMEOUTS: HttpTimeouts = { idleMs: 10_000, headersMs: 10_000, bodyMs: 10_000, keepAliveMs: 5_000 };
/** Enough that thousands of idle sockets do not lock a legitimate client out; far below a usual fd limit. */
export const DEFAULT_MAX_CONNECTIONS = 10_000;
/** Generous for one busy voice platform behind one address, yet a flood from one address is cut off. */
export const DEFAULT_RATE_LIMIT = 200;
/** JSON-RPC messages in one batch: a batch is one request's worth of work, so it is bounded like one. */
export const MAX_BATCH = 10;

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
  const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  const rate = options.rateLimit ?? DEFAULT_RATE_LIMIT;
  const limiter = rate > 0 ? new RateLimiter(rate, rate * 10) : undefined;

  const server = createServer(
    {
      headersTimeout: timeouts.headersMs,
      // Backstop for the whole request; the body deadline below answers first.
      requestTimeout: timeouts.headersMs + timeouts.bodyMs + 1_000,
      keepAliveTimeout: timeouts.keepAliveMs,
      connectionsCheckingInterval: 1_000,
    },
    (req, res) => {
      // A request is under way: the idle limit no longer applies (a tool call may take a while).
      req.socket.setTimeout(0);
      handle(req, res).catch(() => {
        options.logger.error("http_request_failed", { path: pathOf(req) });
        if (!res.headersSent) sendJson(res, 500, rpcError(-32603, "Internal server error"));
        else res.end();
      });
    },
  );
  server.maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  // A socket that never sends a request is closed (the server destroys a socket that times out unheard).
  server.on("connection", (socket: Socket) => socket.setTimeout(timeouts.idleMs));

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = pathOf(req);
    const host = (req.headers.host ?? "").toLowerCase();
    if (!isLoopback(`http://${host}`) && !allowedHosts.has(host)) {
      return refuse(res, 403, rpcError(-32000, "Forbidden: unexpected Host header"));
    }
    const origin = req.headers.origin?.toLowerCase();
    if (origin !== undefined && !isLoopback(origin) && !allowedOrigins.has(origin)) {
      return refuse(res, 403, rpcError(-32000, "Forbidden: unexpected Origin"));
    }
    const allowed = limiter?.take(req.socket.remoteAddress ?? "unknown") ?? { ok: true };
    if (!allowed.ok) {
      options.logger.debug("http_rate_limited", { retry_after_s: allowed.retryAfterSeconds });
      return refuse(res, 429, rpcError(-32000, `Too many requests: retry after ${allowed.retryAfterSeconds} s.`), {
        "Retry-After": String(allowed.retryAfterSeconds),
      });
    }
    if (path === "/healthz") return sendJson(res, 200, { status: "ok" });
    if (path !== "/mcp") return sendJson(res, 404, rpcError(-32000, "Not found: the MCP endpoint is /mcp"));
    // Decided from the headers alone: a client without the token never gets to send us a body.
    if (!authorized(req.headers.authorization)) {
      return refuse(res, 401, rpcError(-32001, "Unauthorized: send Authorization: Bearer <MCP_HTTP_TOKEN>"), {
        "WWW-Authenticate": 'Bearer realm="dental-pms-mcp"',
      });
    }
    if (req.method !== "POST") {
      // Stateless: no standalone SSE stream (GET) and no session to delete (DELETE).
      res.setHeader("Allow", "POST");
      return sendJson(res, 405, rpcError(-32000, "Method not allowed."));
    }
    const body = await readJsonBody(req, options.maxBodyBytes ?? 1024 * 1024, timeouts.bodyMs);
    if (!body.ok) {
      const answer = rpcError(body.code, body.message);
      return body.status === 400 ? sendJson(res, 400, answer) : refuse(res, body.status, answer);
    }
    if (Array.isArray(body.value) && body.value.length > MAX_BATCH) {
      return sendJson(
        res,
        400,
        rpcError(
          -32600,
          `Invalid request: a batch of ${body.value.length} messages; send at most ${MAX_BATCH} per request.`,
        ),
      );
    }
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
  options.logger.info("http_listening", { host, port, max_connections: server.maxConnections, rate_limit: rate });

  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}/mcp`,
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

/** The body as JSON, read within `deadlineMs` and `limit` bytes. */
function readJsonBody(req: IncomingMessage, limit: number, deadlineMs: number): Promise<JsonBody> {
  const tooLarge: JsonBody = {
    ok: false,
    status: 413,
    code: -32000,
    message: `Request body larger than ${limit} bytes.`,
  };
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve(tooLarge);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (result: JsonBody) => {
      clearTimeout(timer);
      req.off("data", onData).off("end", onEnd).off("error", onError);
      resolve(result);
    };
    const timer = setTimeout(
      () =>
        finish({
          ok: false,
          status: 408,
          code: -32000,
          message: `The request body did not arrive within ${deadlineMs / 1000} s.`,
        }),
      deadlineMs,
    );
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) finish(tooLarge);
      else chunks.push(chunk);
    };
    const onEnd = () => {
      try {
        finish({ ok: true, value: JSON.parse(Buffer.concat(chunks).toString("utf8")) });
      } catch {
        finish({ ok: false, status: 400, code: -32700, message: "Parse error: the body must be a JSON-RPC message." });
      }
    };
    const onError = () =>
      finish({ ok: false, status: 400, code: -32000, message: "The request body could not be read." });
    req.on("data", onData).on("end", onEnd).on("error", onError);
  });
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

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "Content-Type": "application/json", ...headers }).end(JSON.stringify(body));
}

/**
 * An answer that ends the connection: node closes the socket once the response is sent, with whatever
 * body the client still means to send unread. A refused client holds no socket of ours.
 */
function refuse(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  sendJson(res, status, body, { ...headers, Connection: "close" });
}
