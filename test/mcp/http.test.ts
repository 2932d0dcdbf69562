/** The built bin over Streamable HTTP: bearer auth, DNS-rebinding protection, the guide's steps. */
import { request } from "node:http";
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { assertBuilt, cleanEnv, spawnCli, type SpawnedCli } from "../support/mcp-process.js";
import { runGuideWorkflow } from "../support/mcp.js";

const TOKEN = "test-http-token-0123456789abcdef";
let cli: SpawnedCli;
let port: number;

beforeAll(async () => {
  assertBuilt();
  cli = spawnCli(["--http", "--port", "0"], cleanEnv({ MCP_HTTP_TOKEN: TOKEN }));
  const ready = await cli.waitForEvent("mcp_http_ready");
  port = Number(ready.port);
});
afterAll(async () => {
  const code = await cli?.stop();
  expect(code).toBe(0);
});

/** A raw request, so that Host and Origin can be set freely. */
function raw(options: { method?: string; path?: string; headers?: Record<string, string>; body?: string }) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        method: options.method ?? "POST",
        path: options.path ?? "/mcp",
        headers: options.headers,
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8").on("data", (c: string) => (body += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on("error", reject);
    req.end(options.body);
  });
}

const initialize = JSON.stringify({
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1" } },
});
const jsonHeaders = { "Content-Type": "application/json", Accept: "application/json, text/event-stream" };

describe("Streamable HTTP", () => {
  it("runs the guide's steps with the bearer token", async () => {
    const client = new Client({ name: "http-test", version: "1.0.0" });
    const transport = new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`), {
      requestInit: { headers: { Authorization: `Bearer ${TOKEN}` } },
    });
    await client.connect(transport);
    const { booking } = await runGuideWorkflow(client);
    expect(booking.structured.status).toBe("scheduled");
    await client.close();
  });

  it("answers 401 with WWW-Authenticate without a valid token", async () => {
    const missing = await raw({ headers: { ...jsonHeaders, Host: `127.0.0.1:${port}` }, body: initialize });
    expect(missing.status).toBe(401);
    expect(missing.headers["www-authenticate"]).toMatch(/^Bearer/);
    const wrong = await raw({ headers: { ...jsonHeaders, Authorization: "Bearer nope" }, body: initialize });
    expect(wrong.status).toBe(401);
  });

  it("answers 403 to a foreign Host or Origin, even with the token", async () => {
    const auth = { ...jsonHeaders, Authorization: `Bearer ${TOKEN}` };
    const host = await raw({ headers: { ...auth, Host: `evil.example:${port}` }, body: initialize });
    expect(host.status).toBe(403);
    const origin = await raw({ headers: { ...auth, Origin: "https://evil.example" }, body: initialize });
    expect(origin.status).toBe(403);
    const local = await raw({
      headers: { ...auth, Host: `localhost:${port}`, Origin: `http://localhost:${port}` },
      body: initialize,
    });
    expect(local.status).toBe(200);
    expect(JSON.parse(local.body).result.serverInfo.name).toBe("dental-pms-mcp");
  });

  it("answers 405 to GET and DELETE in stateless mode, and serves /healthz", async () => {
    const auth = { Authorization: `Bearer ${TOKEN}` };
    expect((await raw({ method: "GET", headers: auth })).status).toBe(405);
    expect((await raw({ method: "DELETE", headers: auth })).status).toBe(405);
    const health = await raw({ method: "GET", path: "/healthz" });
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toEqual({ status: "ok" });
  });

  it("hands out a session id on initialize and serves later requests with or without it", async () => {
    const auth = { ...jsonHeaders, Authorization: `Bearer ${TOKEN}` };
    const init = await raw({ headers: auth, body: initialize });
    const sessionId = init.headers["mcp-session-id"];
    expect(sessionId).toMatch(/^[0-9a-f-]{36}$/);
    const list = JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" });
    for (const headers of [{ ...auth, "Mcp-Session-Id": String(sessionId) }, auth]) {
      const response = await raw({ headers, body: list });
      expect(response.status).toBe(200);
      expect(JSON.parse(response.body).result.tools.length).toBeGreaterThanOrEqual(4);
    }
  });

  it("answers a JSON-RPC parse error to a body that is not JSON", async () => {
    const response = await raw({ headers: { ...jsonHeaders, Authorization: `Bearer ${TOKEN}` }, body: "{not json" });
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body).error.code).toBe(-32700);
  });

  it("refuses an oversized body with 413", async () => {
    const huge = JSON.stringify({
      jsonrpc: "2.0",
      id: 2,
      method: "ping",
      params: { pad: "x".repeat(2 * 1024 * 1024) },
    });
    const response = await raw({ headers: { ...jsonHeaders, Authorization: `Bearer ${TOKEN}` }, body: huge });
    expect(response.status).toBe(413);
  });

  const call = (id: number, name: string, args: unknown) => ({
    jsonrpc: "2.0",
    id,
    method: "tools/call",
    params: { name, arguments: args },
  });
  const authed = { ...jsonHeaders, Authorization: `Bearer ${TOKEN}` };

  it("answers -32602 naming params.arguments, never -32603 with a zod dump, for arguments of the wrong shape", async () => {
    for (const args of [null, [], "search", 42]) {
      const response = await raw({ headers: authed, body: JSON.stringify(call(7, "search_patients", args)) });
      const error = JSON.parse(response.body).error;
      expect(error.code, JSON.stringify(args)).toBe(-32602);
      expect(error.message).toMatch(
        /^Invalid params for tools\/call: params\.arguments \(the tool's arguments: an object/,
      );
      expect(error.message).not.toMatch(/"code":|\[\s*\{/);
    }
  });

  it("quotes at most a short prefix of a 900 KB tool name", async () => {
    const name = "x".repeat(900 * 1024);
    const response = await raw({ headers: authed, body: JSON.stringify(call(8, name, {})) });
    expect(response.body.length).toBeLessThan(1_000);
    expect(JSON.parse(response.body).error).toMatchObject({
      code: -32602,
      message: expect.stringContaining(`is ${name.length} characters long`),
    });
    const unknown = await raw({
      headers: authed,
      body: JSON.stringify(call(9, `no_such_tool_${"y".repeat(100)}`, {})),
    });
    const message = JSON.parse(unknown.body).error.message as string;
    expect(message).toMatch(/Unknown tool no_such_tool_y+… \(113 characters\); available: get_practice_info/);
  });

  it("runs a batch of up to 10 messages, and refuses a larger one without running any of it", async () => {
    const run = `Batch${Date.now()}`;
    const creates = (n: number) =>
      Array.from({ length: n }, (_, i) =>
        call(100 + i, "create_patient", { first_name: `B${i}`, last_name: run, date_of_birth: "1990-01-01" }),
      );
    const refused = await raw({ headers: authed, body: JSON.stringify(creates(11)) });
    expect(refused.status).toBe(400);
    expect(JSON.parse(refused.body).error).toMatchObject({
      code: -32600,
      message: expect.stringContaining("at most 10"),
    });
    const search = (id: number) => JSON.stringify(call(id, "search_patients", { query: run }));
    expect(JSON.parse((await raw({ headers: authed, body: search(200) })).body).result.structuredContent.total).toBe(0);

    const ran = await raw({ headers: authed, body: JSON.stringify(creates(10)) });
    expect(ran.status).toBe(200);
    expect(JSON.parse(ran.body)).toHaveLength(10);
    expect(JSON.parse((await raw({ headers: authed, body: search(201) })).body).result.structuredContent.total).toBe(
      10,
    );
  });

  it("closes the connection after refusing a client: 401 from the headers alone, before any body", async () => {
    const socket = connect(port, "127.0.0.1");
    await new Promise((resolve) => socket.once("connect", resolve));
    let answer = "";
    socket.setEncoding("utf8").on("data", (chunk: string) => (answer += chunk));
    const closed = new Promise((resolve) => socket.once("close", resolve));
    // A body announced but never sent: the answer must not wait for it.
    socket.write(
      `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer wrong\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{"jsonrpc":`,
    );
    await closed;
    expect(answer).toMatch(/^HTTP\/1\.1 401 /);
    expect(answer.toLowerCase()).toContain("connection: close");
  });
});
