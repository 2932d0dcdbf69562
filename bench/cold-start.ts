/**
 * Cold start: from spawn to the initialize answer on stdout, of the bin (embedded demo practice, stdio, as
 * users launch it) against a minimal SDK server with one tool, built and launched the same way: plain ESM
 * from a file when the bin loads the SDK from node_modules (tsc output), an esbuild bundle when the bin is a
 * bundle. Interleaved pairs after warm-up pairs.
 */
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, extname, join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { createInterface } from "node:readline";
import { judged, type Figures, type SectionResult } from "./goals.js";
import { describeSpread, interleave, type Round } from "./measure.js";
import { ROOT, binPath, childEnv } from "./processes.js";

const WARMUP = 2;
const PAIRS = 15;
const TIMEOUT_MS = 20_000;

const MINIMAL_SERVER = `import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { z } from "zod";

const server = new McpServer({ name: "minimal", version: "1.0.0" });
server.registerTool("echo", { inputSchema: { text: z.string() } }, ({ text }) => ({
  content: [{ type: "text", text }],
}));
await server.connect(new StdioServerTransport());
`;

const INITIALIZE = JSON.stringify({
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "bench", version: "1.0.0" } },
});

/** A file and the local files it imports (statically or lazily): their sources, and the bare specifiers they load. */
function importGraph(entry: string): { bare: Set<string>; sources: string[] } {
  const bare = new Set<string>();
  const sources: string[] = [];
  const seen = new Set<string>();
  const pending = [entry];
  const pattern = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)["']([^"']+)["']/g;
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    let source: string;
    try {
      source = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    sources.push(source);
    for (const [, specifier] of source.matchAll(pattern)) {
      if (specifier!.startsWith(".")) pending.push(resolve(dirname(file), specifier!));
      else bare.add(specifier!);
    }
  }
  return { bare, sources };
}

interface Launch {
  description: string;
  args: string[];
}

/** The minimal server, built the way the bin is. */
async function minimalServer(bin: string): Promise<Launch> {
  const source = join(ROOT, ".bench", "minimal-server.mjs");
  writeFileSync(source, MINIMAL_SERVER);
  const graph = importGraph(bin);
  const loadsSdk = [...graph.bare].some((specifier) => specifier.startsWith("@modelcontextprotocol/sdk"));
  if (loadsSdk) {
    return { description: "plain ESM from .bench/ (the bin loads the SDK from node_modules)", args: [source] };
  }

  // The bin is a bundle: bundle the minimal server alike (same format, minified if the bin is). Judged over the
  // bin and its chunks together: the entry alone is short and carries the usage text's many lines.
  const chars = graph.sources.reduce((sum, source) => sum + source.length, 0);
  const lines = graph.sources.reduce((sum, source) => sum + source.split("\n").length, 0);
  const minify = chars / Math.max(1, lines) > 300;
  const format = extname(bin) === ".cjs" ? "cjs" : "esm";
  const outfile = join(ROOT, ".bench", format === "cjs" ? "minimal-server.bundle.cjs" : "minimal-server.bundle.mjs");
  const esbuild = await import("esbuild");
  await esbuild.build({
    entryPoints: [source],
    outfile,
    bundle: true,
    platform: "node",
    target: "node20",
    format,
    minify,
    logLevel: "warning",
    // CommonJS dependencies bundled into ESM may require() Node's own modules.
    ...(format === "esm"
      ? {
          banner: {
            js: 'import { createRequire } from "node:module"; const require = createRequire(import.meta.url);',
          },
        }
      : {}),
  });
  return {
    description: `esbuild bundle (${format}${minify ? ", minified" : ""}), as the bin is a bundle`,
    args: [outfile],
  };
}

/** Milliseconds from spawn to the initialize answer; then stdin is closed and the process awaited. */
async function coldStart(args: string[], env: Record<string, string>): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ["pipe", "pipe", "ignore"] });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  child.stdin.write(`${INITIALIZE}\n`);
  const answered = new Promise<number>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.on("line", (line) => {
      try {
        const message = JSON.parse(line) as { id?: unknown; result?: unknown };
        if (message.id === 1 && message.result !== undefined) resolve(performance.now() - started);
      } catch {
        // not JSON-RPC: keep reading
      }
    });
    void exited.then((code) => reject(new Error(`${args.join(" ")} exited (${code}) before answering initialize`)));
  });
  const timeout = setTimeout(() => child.kill("SIGKILL"), TIMEOUT_MS);
  try {
    return await answered;
  } finally {
    child.stdin.end();
    await exited;
    clearTimeout(timeout);
  }
}

export async function benchColdStart(report: (line: string) => void): Promise<SectionResult> {
  const bin = binPath();
  const minimal = await minimalServer(bin);
  report(`## Cold start (spawn → initialize answer, ${WARMUP} warm-up + ${PAIRS} interleaved pairs)`);
  report(
    `bin: node ${bin.slice(ROOT.length)} (embedded demo practice, stdio); minimal SDK server: ${minimal.description}`,
  );
  const env = childEnv();
  const ours: Round = () => coldStart([bin], env);
  const theirs: Round = () => coldStart(minimal.args, env);
  const spreads = await interleave({ bin: ours, minimal: theirs }, { warmup: WARMUP, rounds: PAIRS });
  const figures: Figures = { cold_start_ms: spreads.bin.median, minimal_cold_start_ms: spreads.minimal.median };
  report(`dental-pms-mcp      ${describeSpread(spreads.bin, "ms")}`);
  report(`minimal SDK server  ${describeSpread(spreads.minimal, "ms")}`);
  report(`  bin / minimal ${judged("cold_start_ratio", figures)}`);
  return { figures, spreads: { cold_start_ms: spreads.bin, minimal_cold_start_ms: spreads.minimal } };
}
