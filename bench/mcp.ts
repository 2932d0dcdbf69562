/**
 * What the MCP layer costs on top of the PMS, measured side by side on the same machine: per-call
 * overhead (in memory and over stdio) as a ratio to the same direct HTTP call, cold start of the bin
 * beside a minimal SDK server, resident memory, and the size in tokens of what the model reads.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { silentLogger } from "../src/log.js";
import { createMcpServer } from "../src/mcp/server.js";
import { PmsClient } from "../src/pms/client.js";
import { startSandbox } from "../src/sandbox/index.js";
import { ms } from "./measure.js";

const CLI = fileURLToPath(new URL("../src/cli.js", import.meta.url));
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const ITERATIONS = 40;
const WARMUP = 5;
const COLD_STARTS = 5;

/** The smallest SDK server over stdio with one tool: the baseline for cold start. */
const MINIMAL_SERVER = `
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { z } from "zod";
const server = new McpServer({ name: "minimal", version: "1.0.0" });
server.registerTool("echo", { inputSchema: { text: z.string() } }, ({ text }) => ({ content: [{ type: "text", text }] }));
await server.connect(new StdioServerTransport());
`;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function timeMedian(run: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < WARMUP; i++) await run();
  const samples: number[] = [];
  for (let i = 0; i < ITERATIONS; i++) {
    const started = performance.now();
    await run();
    samples.push(performance.now() - started);
  }
  return median(samples);
}

const tokens = (text: string) => Math.round(Buffer.byteLength(text, "utf8") / 4);

async function call(client: Client, name: string, args: Record<string, unknown>): Promise<CallToolResult> {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  if (result.isError) throw new Error(`${name} failed: ${JSON.stringify(result.content)}`);
  return result;
}

/** Milliseconds from spawn to the initialize response. */
async function coldStart(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ["pipe", "pipe", "ignore"] });
  const initialize = { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "bench", version: "1" } } };
  child.stdin.write(`${JSON.stringify(initialize)}\n`);
  await new Promise<void>((resolve, reject) => {
    child.stdout.once("data", () => resolve());
    child.once("exit", (code) => reject(new Error(`exited ${code} before answering initialize`)));
  });
  const elapsed = performance.now() - started;
  child.stdin.end();
  await new Promise((resolve) => child.once("exit", resolve));
  return elapsed;
}

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return kib / 1024;
}

export async function benchMcp(report: (line: string) => void): Promise<void> {
  report("## MCP server");
  const sandbox = await startSandbox();
  const pms = new PmsClient({ baseUrl: sandbox.url, orgId: sandbox.orgId, token: sandbox.token });
  const server = createMcpServer({ pms, privacy: "staff", logger: silentLogger });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const memory = new Client({ name: "bench", version: "1.0.0" });
  await Promise.all([server.connect(serverSide), memory.connect(clientSide)]);

  const env = { ...process.env, PMS_BASE_URL: sandbox.url, PMS_ORG_ID: sandbox.orgId, PMS_API_TOKEN: sandbox.token, LOG_LEVEL: "warn" };
  const stdioTransport = new StdioClientTransport({ command: process.execPath, args: [CLI], env: env as Record<string, string>, stderr: "ignore" });
  const stdio = new Client({ name: "bench", version: "1.0.0" });
  await stdio.connect(stdioTransport);

  try {
    const types = await call(memory, "list_appointment_types", {});
    const typeUuid = (types.structuredContent as { appointment_types: { uuid: string }[] }).appointment_types[0]!.uuid;
    const headers = { Authorization: `Bearer ${sandbox.token}`, Accept: "application/json" };
    const direct = (path: string) => async () => {
      const response = await fetch(`${sandbox.baseUrl}${path}`, { headers });
      await response.json();
    };
    const cases = [
      { tool: "search_patients", args: { query: "Smith" }, path: "/patients?query=Smith&page=1&page_size=5" },
      { tool: "check_availability", args: { appointment_type_uuid: typeUuid }, path: `/schedule/availability?appointment_type_uuid=${typeUuid}&limit=11` },
    ];
    for (const c of cases) {
      const http = await timeMedian(direct(c.path));
      const inMemory = await timeMedian(() => call(memory, c.tool, c.args));
      const overStdio = await timeMedian(() => call(stdio, c.tool, c.args));
      report(
        `${c.tool}: direct HTTP ${ms(http)}; MCP in memory ${ms(inMemory)} (x${(inMemory / http).toFixed(2)}); ` +
          `MCP stdio ${ms(overStdio)} (x${(overStdio / http).toFixed(2)})  [median of ${ITERATIONS}]`,
      );
    }
    const pid = stdioTransport.pid;
    if (pid !== null) report(`stdio server RSS after the calls: ${rssMiB(pid).toFixed(1)} MiB`);

    const listed = await memory.listTools();
    report(`tools/list: ~${tokens(JSON.stringify(listed))} tokens (${listed.tools.length} tools)`);
    const jane = (await call(memory, "search_patients", { query: "Jane Smith" })).structuredContent as { patients: { uuid: string }[] };
    const typical: [string, Record<string, unknown>][] = [
      ["get_practice_info", {}],
      ["search_patients", { query: "Smith" }],
      ["list_appointment_types", {}],
      ["check_availability", { appointment_type_uuid: typeUuid }],
      ["find_appointments", { patient_uuid: jane.patients[0]!.uuid, include_past: true }],
    ];
    const sizes: string[] = [];
    for (const [tool, args] of typical) {
      const result = await call(memory, tool, args);
      sizes.push(`${tool} ~${tokens(JSON.stringify(result))} (text ~${tokens(JSON.stringify(result.content))})`);
    }
    report(`typical result sizes in tokens: ${sizes.join("; ")}`);
  } finally {
    await stdio.close();
    await memory.close();
    await server.close();
    await pms.close();
    await sandbox.close();
  }

  const embedded: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: "warn" };
  for (const key of ["PMS_BASE_URL", "PMS_ORG_ID", "PMS_API_TOKEN"]) delete embedded[key];
  const ours: number[] = [];
  const minimal: number[] = [];
  for (let i = 0; i < COLD_STARTS; i++) {
    ours.push(await coldStart([CLI], embedded));
    minimal.push(await coldStart(["--input-type=module", "-e", MINIMAL_SERVER], embedded));
  }
  report(
    `cold start to initialize response: dental-pms-mcp ${ms(median(ours))}, minimal SDK server ${ms(median(minimal))} ` +
      `(x${(median(ours) / median(minimal)).toFixed(2)})  [median of ${COLD_STARTS}]`,
  );
}
