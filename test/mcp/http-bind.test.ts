/** The HTTP tier bound beyond loopback (--host), as behind a reverse proxy: only the allowed Host names get in. */
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertBuilt, cleanEnv, spawnCli, type SpawnedCli } from "../support/mcp-process.js";

const TOKEN = "test-bind-token-0123456789abcdef";
let cli: SpawnedCli;
let ready: Record<string, unknown>;

beforeAll(async () => {
  assertBuilt();
  cli = spawnCli(
    ["--http", "--host", "0.0.0.0", "--port", "0"],
    cleanEnv({ MCP_HTTP_TOKEN: TOKEN, MCP_ALLOWED_HOSTS: "mcp.example.test" }),
  );
  ready = await cli.waitForEvent("mcp_http_ready");
});
afterAll(async () => {
  expect(await cli?.stop()).toBe(0);
});

function initializeWithHost(host: string) {
  const body = JSON.stringify({
    jsonrpc: "2.0",
    id: 1,
    method: "initialize",
    params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "bind", version: "1" } },
  });
  return new Promise<number>((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port: Number(ready.port),
        method: "POST",
        path: "/mcp",
        headers: {
          Host: host,
          Authorization: `Bearer ${TOKEN}`,
          "Content-Type": "application/json",
          Accept: "application/json, text/event-stream",
        },
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

describe("--host 0.0.0.0", () => {
  it("listens on every interface and says so", () => {
    expect(ready.url).toBe(`http://0.0.0.0:${String(ready.port)}/mcp`);
  });

  it("serves the allowed Host name, and refuses any other with 403", async () => {
    expect(await initializeWithHost("mcp.example.test")).toBe(200);
    expect(await initializeWithHost("evil.example.test")).toBe(403);
  });
});
