/**
 * Child processes of the benchmarks: the built bin (whatever package.json's "bin" points at, run as a user
 * would run it), the OpenAPI bridge peer, their environment, and their resident memory.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";

/** The repository root (this file runs from .bench/bench/). */
export const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** The bin users launch: package.json's "bin" entry. */
export function binPath(): string {
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { bin: string | Record<string, string> };
  const bin = typeof pkg.bin === "string" ? pkg.bin : Object.values(pkg.bin)[0];
  if (bin === undefined) throw new Error("package.json has no bin");
  return join(ROOT, bin);
}

/**
 * The environment of the bench minus every setting the bin reads, plus `settings`: a DATABASE_URL exported
 * for the PostgreSQL part must not turn the embedded demo practice into a PostgreSQL one.
 */
export function childEnv(settings: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || /^(PMS_|MCP_|SANDBOX_)/.test(key) || key === "DATABASE_URL" || key === "LOG_LEVEL") {
      continue;
    }
    env[key] = value;
  }
  return { ...env, ...settings };
}

/** Resident memory of a process, from /proc/PID/status (VmRSS), in MiB. */
export function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = /VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1];
  if (kib === undefined) throw new Error(`no VmRSS for process ${pid}`);
  return Number(kib) / 1024;
}

export interface StdioPeer {
  client: Client;
  pid: number;
  /** The last few kilobytes the process wrote to stderr, to explain a failure. */
  stderrTail(): string;
  close(): Promise<void>;
}

/** An MCP client connected (initialize done) to `node args…` over stdio. */
export async function connectStdio(args: string[], env: Record<string, string>): Promise<StdioPeer> {
  const transport = new StdioClientTransport({ command: process.execPath, args, env, cwd: ROOT, stderr: "pipe" });
  let tail = "";
  transport.stderr?.on("data", (chunk: Buffer) => {
    tail = (tail + chunk.toString("utf8")).slice(-4000);
  });
  const client = new Client({ name: "bench", version: "1.0.0" });
  try {
    await client.connect(transport);
  } catch (error) {
    throw new Error(`${args.join(" ")} did not initialize: ${String(error)}\n${tail}`);
  }
  const pid = transport.pid;
  if (pid === null) throw new Error(`${args.join(" ")} has no pid`);
  return { client, pid, stderrTail: () => tail, close: () => client.close() };
}
