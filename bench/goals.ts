/**
 * The goals of issue 13, each computed from figures of the same run (ratios from medians measured side by
 * side), so a figure and its goal are printed together and the BENCH line says met / not met per goal.
 */
import type { Spread } from "./measure.js";

/** The figures of the BENCH line; null when a part could not run (e.g. PostgreSQL unreachable). */
export type Figures = Record<string, number | null>;

/** What a section of the bench returns: its figures, and the spread of each one measured over rounds. */
export interface SectionResult {
  figures: Figures;
  spreads: Record<string, Spread>;
}

interface Goal {
  /** Key in the BENCH line's `goals` object. */
  key: string;
  label: string;
  value: (figures: Figures) => number | null;
  op: "<=" | ">=" | "<";
  /** A number, or the figure the value must stay below (for "faster than the peer"). */
  limit: number | ((figures: Figures) => number | null);
  unit: "ms" | "×" | "tokens" | "MiB";
}

const ratio = (numerator: string, denominator: string) => (figures: Figures) => {
  const top = figures[numerator];
  const bottom = figures[denominator];
  return top === null || top === undefined || bottom === null || bottom === undefined || bottom === 0
    ? null
    : top / bottom;
};
const figure = (key: string) => (figures: Figures) => figures[key] ?? null;

export const GOALS: readonly Goal[] = [
  {
    key: "availability_p50",
    label: "availability p50 in process",
    value: figure("availability_p50_ms"),
    op: "<=",
    limit: 1.5,
    unit: "ms",
  },
  {
    key: "availability_http_ratio",
    label: "availability over HTTP / in process",
    value: ratio("availability_http_p50_ms", "availability_p50_ms"),
    op: "<=",
    limit: 1.3,
    unit: "×",
  },
  {
    key: "availability_pg_ratio",
    label: "availability PostgreSQL / SQLite (both over HTTP)",
    value: ratio("availability_pg_http_p50_ms", "availability_http_p50_ms"),
    op: "<=",
    limit: 1.5,
    unit: "×",
  },
  {
    key: "bookings_floor_ratio",
    label: "bookings/s over HTTP / HTTP floor",
    value: ratio("bookings_per_s", "http_floor_bookings_per_s"),
    op: ">=",
    limit: 0.5,
    unit: "×",
  },
  {
    key: "cold_start_ratio",
    label: "cold start / minimal SDK server",
    value: ratio("cold_start_ms", "minimal_cold_start_ms"),
    op: "<=",
    limit: 1.1,
    unit: "×",
  },
  {
    key: "stdio_undici_ratio",
    label: "search_patients stdio / undici",
    value: ratio("stdio_search_ms", "undici_search_ms"),
    op: "<=",
    limit: 1.5,
    unit: "×",
  },
  {
    key: "stdio_faster_than_peer",
    label: "search_patients stdio vs the OpenAPI bridge peer",
    value: figure("stdio_search_ms"),
    op: "<",
    limit: figure("peer_search_ms"),
    unit: "ms",
  },
  {
    key: "tools_list_tokens",
    label: "tools/list tokens",
    value: figure("tools_list_tokens"),
    op: "<=",
    limit: 4000,
    unit: "tokens",
  },
  {
    key: "tools_list_model_tokens",
    label: "tools/list model-facing tokens",
    value: figure("tools_list_model_tokens"),
    op: "<=",
    limit: 2800,
    unit: "tokens",
  },
  {
    key: "rss_after_1000_calls",
    label: "RSS after 1,000 calls (embedded PMS)",
    value: figure("rss_mib_after_1000_calls"),
    op: "<=",
    limit: 100,
    unit: "MiB",
  },
  {
    key: "rss_proxy_start",
    label: "RSS at start, proxy mode",
    value: figure("rss_mib_proxy_start"),
    op: "<=",
    limit: 60,
    unit: "MiB",
  },
];

export interface Verdict {
  value: number | null;
  limit: number | null;
  goal: string;
  /** null: a figure is missing, so the goal could not be judged. */
  met: boolean | null;
}

function format(value: number, unit: Goal["unit"]): string {
  switch (unit) {
    case "ms":
      return `${value.toFixed(2)} ms`;
    case "×":
      return `×${value.toFixed(2)}`;
    case "tokens":
      return `${Math.round(value)} tokens`;
    case "MiB":
      return `${value.toFixed(1)} MiB`;
  }
}

const SYMBOL = { "<=": "≤", ">=": "≥", "<": "<" } as const;

export function judge(goal: Goal, figures: Figures): Verdict {
  const value = goal.value(figures);
  const limit = typeof goal.limit === "number" ? goal.limit : goal.limit(figures);
  const target =
    limit === null
      ? "?"
      : typeof goal.limit === "number"
        ? format(limit, goal.unit)
        : `the peer's ${format(limit, goal.unit)}`;
  const text = `${SYMBOL[goal.op]} ${target}`;
  if (value === null || limit === null || !Number.isFinite(value) || !Number.isFinite(limit)) {
    return { value, limit, goal: text, met: null };
  }
  const met = goal.op === "<=" ? value <= limit : goal.op === ">=" ? value >= limit : value < limit;
  return { value, limit, goal: text, met };
}

const mark = (met: boolean | null) => (met === null ? "–" : met ? "✓" : "✗");

function verdictOf(key: string, figures: Figures): { goal: Goal; verdict: Verdict } {
  const goal = GOALS.find((g) => g.key === key);
  if (!goal) throw new Error(`no goal ${key}`);
  return { goal, verdict: judge(goal, figures) };
}

/** "(goal ≤ ×1.30) ✓" for the goal with this key. */
export function goalNote(key: string, figures: Figures): string {
  const { verdict } = verdictOf(key, figures);
  return `(goal ${verdict.goal}) ${verdict.met === null ? "– not judged" : mark(verdict.met)}`;
}

/** "×1.11 (goal ≤ ×1.30) ✓": the value the goal is judged on (a ratio of medians, say), then its note. */
export function judged(key: string, figures: Figures): string {
  const { goal, verdict } = verdictOf(key, figures);
  return `${verdict.value === null ? "not measured" : format(verdict.value, goal.unit)} ${goalNote(key, figures)}`;
}

/** Every goal judged: the `goals` object of the BENCH line, and one line each for the summary. */
export function judgeAll(figures: Figures): { goals: Record<string, Verdict>; lines: string[] } {
  const goals: Record<string, Verdict> = {};
  const lines: string[] = [];
  for (const goal of GOALS) {
    const verdict = judge(goal, figures);
    goals[goal.key] = verdict;
    const shown = verdict.value === null ? "not measured" : format(verdict.value, goal.unit);
    lines.push(`${mark(verdict.met)} ${goal.label}: ${shown} (goal ${verdict.goal})`);
  }
  return { goals, lines };
}
