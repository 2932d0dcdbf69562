/**
 * The MCP server as clients see it, through the built bin over stdio:
 * - search_patients over stdio (bin in proxy mode) against the same request made directly with undici and
 *   against the OpenAPI→MCP bridge peer (@ivotoby/openapi-mcp-server) pointed at the same sandbox, interleaved;
 * - tools/list size in tokens (bytes/4), whole and model-facing part, staff mode;
 * - resident memory of the bin after 1,000 tool calls with the embedded PMS, and at start in proxy mode.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { startSandbox, type RunningSandbox } from "../src/sandbox/index.js";
import { goalNote, judged, type Figures, type SectionResult } from "./goals.js";
import { jsonClient, pathOf } from "./http.js";
import { describeSpread, interleave, summarize, timed } from "./measure.js";
import { ROOT, binPath, childEnv, connectStdio, rssMiB, type StdioPeer } from "./processes.js";
import { modelFacing, tokens } from "./tokens.js";
import { runWorkload } from "./workload.js";

const WARMUP = 30;
const ROUNDS = 300;
const CALLS = 1000;
const PROXY_STARTS = 3;
/**
 * The bin loads its PMS client only once `initialized` has arrived, so RSS right at the initialize answer
 * misses it (about 11 MiB on the tsc build): the start figure is taken once the process has settled.
 */
const SETTLE_MS = 1000;
const SEARCH = { query: "Smith", page: 1, page_size: 5 };

function peerBin(): string {
  const dir = join(ROOT, "node_modules", "@ivotoby", "openapi-mcp-server");
  const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { bin: string | Record<string, string> };
  const bin = typeof pkg.bin === "string" ? pkg.bin : Object.values(pkg.bin)[0];
  if (bin === undefined) throw new Error("@ivotoby/openapi-mcp-server has no bin");
  return join(dir, bin);
}

const proxyEnv = (sandbox: RunningSandbox) =>
  childEnv({
    PMS_BASE_URL: sandbox.url,
    PMS_ORG_ID: sandbox.orgId,
    PMS_API_TOKEN: sandbox.token,
    MCP_PRIVACY_MODE: "staff",
  });

async function call(peer: StdioPeer, name: string, args: Record<string, unknown>): Promise<CallToolResult> {
  const result = (await peer.client.callTool({ name, arguments: args })) as CallToolResult;
  if (result.isError) {
    throw new Error(`${name} failed: ${JSON.stringify(result.content).slice(0, 500)}\n${peer.stderrTail()}`);
  }
  return result;
}

const uuidsIn = (items: readonly { uuid: string }[]) => items.map((p) => p.uuid).join(",");

async function searchPatients(sandbox: RunningSandbox, report: (line: string) => void): Promise<SectionResult> {
  report(
    `## search_patients ${JSON.stringify(SEARCH)} ` +
      `(${WARMUP} warm-up + ${ROUNDS} interleaved rounds, one sandbox for all three)`,
  );
  const ours = await connectStdio([binPath()], proxyEnv(sandbox));
  const peer = await connectStdio(
    [
      peerBin(),
      "--api-base-url",
      sandbox.url,
      "--openapi-spec",
      `${sandbox.url}/openapi.json`,
      "--headers",
      `Authorization:Bearer ${sandbox.token}`,
      "--verbose",
      "false",
    ],
    childEnv(),
  );
  const undici = jsonClient(sandbox.url, sandbox.token);
  try {
    const peerTools = (await peer.client.listTools()).tools;
    const peerSearch = peerTools.find((tool) => /^search-?patients$/i.test(tool.name));
    if (!peerSearch) throw new Error(`the peer has no patient search tool: ${peerTools.map((t) => t.name).join(", ")}`);
    const search = new URLSearchParams({
      query: SEARCH.query,
      page: String(SEARCH.page),
      page_size: String(SEARCH.page_size),
    });
    const path = `${pathOf(sandbox.baseUrl)}/patients?${search}`;
    const viaUndici = async () => (await undici.get(path)) as { items: { uuid: string }[] };
    const viaOurs = async () =>
      (await call(ours, "search_patients", { query: SEARCH.query })).structuredContent as {
        items: { uuid: string }[];
      };
    const viaPeer = async () => {
      const result = await call(peer, peerSearch.name, { org_id: sandbox.orgId, ...SEARCH });
      const text = result.content.find((c) => c.type === "text");
      return JSON.parse(text?.type === "text" ? text.text : "{}") as { items: { uuid: string }[] };
    };

    // The same request and the same answer on all three sides.
    const expected = uuidsIn((await viaUndici()).items);
    if (uuidsIn((await viaOurs()).items) !== expected) {
      throw new Error("search_patients over stdio found other patients than undici");
    }
    if (uuidsIn((await viaPeer()).items) !== expected) throw new Error("the peer found other patients than undici");
    report(`same ${expected.split(",").length} patients from every side; peer tool ${peerSearch.name}`);

    // The client must not validate results against output schemas (it would once tools/list is cached): the
    // figure is the server's and the transport's cost, and the peer declares no output schemas.
    const spreads = await interleave(
      { stdio: timed(viaOurs), undici: timed(viaUndici), peer: timed(viaPeer) },
      { warmup: WARMUP, rounds: ROUNDS },
    );
    const figures: Figures = {
      stdio_search_ms: spreads.stdio.median,
      undici_search_ms: spreads.undici.median,
      peer_search_ms: spreads.peer.median,
    };
    report(`MCP stdio (ours)    ${describeSpread(spreads.stdio, "ms")}`);
    report(`undici Pool         ${describeSpread(spreads.undici, "ms")}`);
    report(`OpenAPI bridge peer ${describeSpread(spreads.peer, "ms")}`);
    report(`  stdio / undici ${judged("stdio_undici_ratio", figures)}`);
    report(
      `  stdio / peer ×${(spreads.stdio.median / spreads.peer.median).toFixed(2)}: ` +
        `${judged("stdio_faster_than_peer", figures)}`,
    );

    const tools = (await ours.client.listTools()).tools;
    figures.tools_list_tokens = tokens(tools);
    figures.tools_list_model_tokens = tokens(modelFacing(tools));
    figures.peer_tools_list_tokens = tokens(peerTools);
    report("");
    report(`## tools/list (staff mode, ${tools.length} tools: ${tools.map((t) => t.name).join(", ")})`);
    report(`whole tools array   ${figures.tools_list_tokens} tokens ${goalNote("tools_list_tokens", figures)}`);
    report(
      `model-facing part   ${judged("tools_list_model_tokens", figures)} ` +
        `(per tool: name, title, description, inputSchema, annotations)`,
    );
    report(`  the peer's tools array: ${figures.peer_tools_list_tokens} tokens for ${peerTools.length} tools`);
    return {
      figures,
      spreads: { stdio_search_ms: spreads.stdio, undici_search_ms: spreads.undici, peer_search_ms: spreads.peer },
    };
  } finally {
    await undici.close();
    await peer.close();
    await ours.close();
  }
}

async function memory(sandbox: RunningSandbox, report: (line: string) => void): Promise<SectionResult> {
  report("");
  report("## Resident memory of the bin (VmRSS)");
  /** RSS of the bin after CALLS tool calls with the embedded PMS, launched with `settings` in its environment. */
  const afterWorkload = async (settings: Record<string, string>, describe: boolean): Promise<number> => {
    const embedded = await connectStdio([binPath()], childEnv({ MCP_PRIVACY_MODE: "staff", ...settings }));
    try {
      const outcome = await runWorkload(embedded.client, CALLS);
      const rss = rssMiB(embedded.pid);
      if (describe) {
        const mix = Object.entries(outcome.calls)
          .map(([tool, n]) => `${tool} ${n}`)
          .join(", ");
        report(
          `${CALLS} calls with the embedded PMS (${mix}): ${outcome.errors} errors` +
            (outcome.firstError ? ` (first: ${outcome.firstError})` : ""),
        );
      }
      return rss;
    } finally {
      await embedded.close();
    }
  };
  const afterCalls = await afterWorkload({}, true);
  // glibc raises its trim and mmap thresholds after V8 frees a large compiler zone, and then keeps freed memory
  // in its arenas; pinning one of them at launch (README, "Memory on Linux") stops that. Reported beside the
  // goal's figure, which is the bin launched with nothing added.
  const afterCallsPinned = await afterWorkload({ MALLOC_TRIM_THRESHOLD_: "131072" }, false);

  const starts: number[] = [];
  const atInitialize: number[] = [];
  for (let i = 0; i < PROXY_STARTS; i++) {
    const proxy = await connectStdio([binPath()], proxyEnv(sandbox));
    try {
      atInitialize.push(rssMiB(proxy.pid));
      await sleep(SETTLE_MS);
      starts.push(rssMiB(proxy.pid));
    } finally {
      await proxy.close();
    }
  }
  const figures: Figures = {
    rss_mib_after_1000_calls: afterCalls,
    rss_mib_proxy_start: summarize(starts).median,
    rss_mib_proxy_initialize: summarize(atInitialize).median,
    rss_mib_after_1000_calls_trim_pinned: afterCallsPinned,
  };
  report(
    `after ${CALLS} calls, embedded PMS   ${afterCalls.toFixed(1)} MiB ${goalNote("rss_after_1000_calls", figures)}`,
  );
  report(
    `  launched with MALLOC_TRIM_THRESHOLD_=131072 ${afterCallsPinned.toFixed(1)} MiB (glibc's default trim threshold, pinned)`,
  );
  report(
    `at start, proxy mode              ${judged("rss_proxy_start", figures)} (median of ${PROXY_STARTS} starts, ` +
      `${SETTLE_MS} ms after initialize; all: ${starts.map((s) => s.toFixed(1)).join(", ")})`,
  );
  report(
    `  at the initialize answer itself  ${figures.rss_mib_proxy_initialize!.toFixed(1)} MiB ` +
      `(before the PMS client is loaded)`,
  );
  return { figures, spreads: {} };
}

export async function benchMcp(report: (line: string) => void): Promise<SectionResult> {
  const sandbox = await startSandbox();
  try {
    const search = await searchPatients(sandbox, report);
    const rss = await memory(sandbox, report);
    return { figures: { ...search.figures, ...rss.figures }, spreads: search.spreads };
  } finally {
    await sandbox.close();
  }
}
