/**
 * The official MCP conformance suite (server mode) against our Streamable HTTP server, spawned from
 * the built bin. The suite cannot send a bearer token, so a loopback proxy adds ours and forwards
 * everything else untouched (Host and Origin included, so the DNS-rebinding scenario still bites).
 * Failures listed in baseline.yml are expected; the runner exits non-zero on any other failure and on
 * a baseline entry that has started to pass.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { assertBuilt, cleanEnv, spawnCli, type SpawnedCli } from "../support/mcp-process.js";

const RUNNER = fileURLToPath(
  new URL("../../node_modules/@modelcontextprotocol/conformance/dist/index.js", import.meta.url),
);
const BASELINE = fileURLToPath(new URL("./baseline.yml", import.meta.url));
const TOKEN = "conformance-bearer-token-0123456789";

let server: SpawnedCli;
let proxy: Server;
let outputDir: string;

beforeAll(async () => {
  assertBuilt();
  server = spawnCli(["--http", "--port", "0"], cleanEnv({ MCP_HTTP_TOKEN: TOKEN }));
  const ready = await server.waitForEvent("mcp_http_ready");
  proxy = await startBearerProxy(Number(ready.port), TOKEN);
  outputDir = mkdtempSync(join(tmpdir(), "conformance-"));
});

afterAll(async () => {
  await new Promise((resolve) => proxy?.close(resolve));
  await server?.stop();
  if (outputDir) rmSync(outputDir, { recursive: true, force: true });
});

it("passes every generic MCP conformance scenario; only the baselined fixture-dependent ones fail", async () => {
  const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/mcp`;
  const run = await new Promise<{ code: number; output: string }>((resolve) => {
    execFile(
      process.execPath,
      [RUNNER, "server", "--url", url, "--suite", "all", "--expected-failures", BASELINE, "-o", outputDir],
      { cwd: outputDir, timeout: 100_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, output: stdout + stderr }),
    );
  });
  const summary = run.output.slice(run.output.indexOf("=== SUMMARY ==="));
  expect(run.code, summary).toBe(0);

  // The scenarios we claim to pass did run and pass (the runner's exit code alone would also accept
  // an empty run).
  const passed = scenarioResults(outputDir)
    .filter((s) => s.failed === 0)
    .map((s) => s.name);
  expect(passed).toEqual(
    expect.arrayContaining([
      "server-initialize",
      "ping",
      "tools-list",
      "prompts-list",
      "dns-rebinding-protection",
      "server-sse-polling",
      "server-sse-multiple-streams",
    ]),
  );
  console.log(`conformance: ${passed.length} scenarios passed, ${countBaselined()} baselined`);
});

function scenarioResults(dir: string): { name: string; failed: number }[] {
  return readdirSync(dir)
    .filter((entry) => entry.startsWith("server-"))
    .map((entry) => {
      const checks = JSON.parse(readFileSync(join(dir, entry, "checks.json"), "utf8")) as { status: string }[];
      const name = entry.replace(/^server-/, "").replace(/-\d{4}-\d{2}-\d{2}T.*$/, "");
      return { name, failed: checks.filter((check) => check.status === "FAILURE").length };
    });
}

function countBaselined(): number {
  return readFileSync(BASELINE, "utf8")
    .split("\n")
    .filter((line) => /^\s+- /.test(line)).length;
}

/** Adds `Authorization: Bearer <token>` and forwards the request as it came. */
function startBearerProxy(targetPort: number, token: string): Promise<Server> {
  const proxyServer = createServer((req, res) => {
    const upstream = request(
      {
        host: "127.0.0.1",
        port: targetPort,
        path: req.url,
        method: req.method,
        headers: { ...req.headers, authorization: `Bearer ${token}` },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  });
  return new Promise((resolve) => proxyServer.listen(0, "127.0.0.1", () => resolve(proxyServer)));
}
