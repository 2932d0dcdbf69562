/**
 * `npm run bench`: every figure of issue 13 in one run, so that each ratio compares figures measured side by
 * side on the same (noisy, shared) machine. Human-readable sections first, each figure with its spread and
 * its goal; then a goal summary; then exactly one line `BENCH {json}` for machines.
 */
import { cpus, loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { benchAvailability } from "./availability.js";
import { benchBookings } from "./bookings.js";
import { benchColdStart } from "./cold-start.js";
import { judgeAll, type Figures, type SectionResult } from "./goals.js";
import { benchMcp } from "./mcp.js";
import { round, type Spread } from "./measure.js";
import { scaledPractice } from "./practice.js";

const report = (line: string) => console.log(line);
const started = performance.now();
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");
report(`dental-pms-mcp bench: node ${process.version}, ${cpus().length} CPUs, load average ${load()}`);
report("Figures: median (p25–p75 interquartile range, min–max, n samples). Ratios are of medians from this run.");

const built = performance.now();
const practice = scaledPractice();
report(`scaled practice built in ${(performance.now() - built).toFixed(0)} ms`);

/** The keys issue 13 asks of the BENCH line: null when their section could not run. */
const REQUIRED = [
  "availability_p50_ms",
  "availability_http_p50_ms",
  "availability_pg_http_p50_ms",
  "bookings_per_s",
  "http_floor_bookings_per_s",
  "raw_inserts_per_s",
  "cold_start_ms",
  "minimal_cold_start_ms",
  "stdio_search_ms",
  "undici_search_ms",
  "peer_search_ms",
  "tools_list_tokens",
  "tools_list_model_tokens",
  "rss_mib_after_1000_calls",
  "rss_mib_proxy_start",
];
const figures: Figures = Object.fromEntries(REQUIRED.map((key) => [key, null]));
const spreads: Record<string, Spread> = {};
const sections: [string, () => Promise<SectionResult>][] = [
  ["availability", () => benchAvailability(practice, report)],
  ["bookings", () => benchBookings(practice, report)],
  ["cold start", () => benchColdStart(report)],
  ["MCP", () => benchMcp(report)],
];
// BENCH_ONLY=bookings,MCP runs only the named sections (for profiling one figure; goals of the others stay null).
const only = process.env.BENCH_ONLY?.split(",").map((name) => name.trim().toLowerCase());
// A section that fails is reported and leaves its figures null, so the others still give their figures; the
// exit code says the run was incomplete.
const failed: string[] = [];
for (const [name, section] of sections) {
  if (only && !only.includes(name.toLowerCase())) continue;
  (globalThis as { gc?: () => void }).gc?.();
  report("");
  try {
    const result = await section();
    Object.assign(figures, result.figures);
    Object.assign(spreads, result.spreads);
  } catch (error) {
    failed.push(name);
    report(`!! ${name} section failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  }
}

const { goals, lines } = judgeAll(figures);
report("");
report("## Goals of issue 13");
for (const line of lines) report(line);
const seconds = (performance.now() - started) / 1000;
report(`bench took ${seconds.toFixed(0)} s; load average now ${load()}`);
if (failed.length > 0) {
  report(`!! incomplete run: ${failed.join(", ")} failed (their figures are null)`);
  process.exitCode = 1;
}

const rounded = Object.fromEntries(
  Object.entries(figures).map(([key, value]) => [key, value === null ? null : round(value)]),
);
const roundedGoals = Object.fromEntries(
  Object.entries(goals).map(([key, verdict]) => [
    key,
    {
      ...verdict,
      value: verdict.value === null ? null : round(verdict.value),
      limit: verdict.limit === null ? null : round(verdict.limit),
    },
  ]),
);
const roundedSpreads = Object.fromEntries(
  Object.entries(spreads).map(([key, spread]) => [
    key,
    {
      median: round(spread.median),
      p25: round(spread.p25),
      p75: round(spread.p75),
      min: round(spread.min),
      max: round(spread.max),
      n: spread.n,
    },
  ]),
);
console.log(
  `BENCH ${JSON.stringify({ ...rounded, goals: roundedGoals, spreads: roundedSpreads, seconds: Math.round(seconds) })}`,
);
