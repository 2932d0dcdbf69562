/**
 * The one timing loop of the benchmarks: variants run in interleaved rounds (A B C, B C A, C A B, …) after
 * untimed warm-up rounds, so that a shared machine drifting (another build, a GC, CPU frequency) drifts every
 * variant alike; and the summary every figure is reported with: median, quartiles and extremes.
 */
import { performance } from "node:perf_hooks";

/** A figure's samples summarised. Quartiles by linear interpolation between order statistics. */
export interface Spread {
  median: number;
  p25: number;
  p75: number;
  min: number;
  max: number;
  n: number;
}

/** One round of a variant: what it measured (ms for a latency, per second for a rate). */
export type Round = (round: { index: number; warmup: boolean }) => Promise<number>;

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const at = (sorted.length - 1) * q;
  const below = Math.floor(at);
  const above = Math.min(sorted.length - 1, below + 1);
  return sorted[below]! + (sorted[above]! - sorted[below]!) * (at - below);
}

export function summarize(samples: readonly number[]): Spread {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    median: quantile(sorted, 0.5),
    p25: quantile(sorted, 0.25),
    p75: quantile(sorted, 0.75),
    min: sorted[0] ?? NaN,
    max: sorted[sorted.length - 1] ?? NaN,
    n: sorted.length,
  };
}

/** A round that times `run` and reports its duration in milliseconds. */
export function timed(run: (round: { index: number; warmup: boolean }) => Promise<unknown>): Round {
  return async (round) => {
    const started = performance.now();
    await run(round);
    return performance.now() - started;
  };
}

/**
 * Runs `warmup` untimed rounds then `rounds` measured ones; each round runs every variant once, the starting
 * variant rotating from round to round so that none always runs first (after an idle gap) or last. Round
 * indexes count warm-up rounds too (0 … warmup + rounds - 1), so a variant can take fresh inputs each round.
 */
export async function interleave<K extends string>(
  variants: Record<K, Round>,
  options: { warmup: number; rounds: number },
): Promise<Record<K, Spread>> {
  const names = Object.keys(variants) as K[];
  const samples = new Map<K, number[]>(names.map((name) => [name, []]));
  for (let index = 0; index < options.warmup + options.rounds; index++) {
    const warmup = index < options.warmup;
    for (let k = 0; k < names.length; k++) {
      const name = names[(index + k) % names.length]!;
      const value = await variants[name]({ index, warmup });
      if (!warmup) samples.get(name)!.push(value);
    }
  }
  return Object.fromEntries(names.map((name) => [name, summarize(samples.get(name)!)])) as Record<K, Spread>;
}

/** Rounds a figure for the JSON line: 2 decimals below 100, whole numbers above. */
export function round(value: number): number {
  if (!Number.isFinite(value)) return value;
  return Math.abs(value) >= 100 ? Math.round(value) : Math.round(value * 100) / 100;
}

export const ms = (value: number) => `${value.toFixed(2)} ms`;

/** "12.31 ms (p25–p75 12.10–12.60, min–max 11.90–15.20, n=100)" */
export function describeSpread(spread: Spread, unit: "ms" | "/s"): string {
  const digits = unit === "ms" ? 2 : 0;
  const f = (value: number) => value.toFixed(digits);
  const median = unit === "ms" ? ms(spread.median) : `${f(spread.median)}/s`;
  const ranges = `p25–p75 ${f(spread.p25)}–${f(spread.p75)}, min–max ${f(spread.min)}–${f(spread.max)}`;
  return `${median} (${ranges}, n=${spread.n})`;
}
