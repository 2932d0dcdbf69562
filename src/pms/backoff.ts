/**
 * When to try again: full-jitter exponential backoff (AWS architecture blog, "Exponential Backoff
 * And Jitter"), and the server's own `Retry-After`. Pure functions; the client supplies time and chance.
 */

export interface BackoffPolicy {
  /** Ceiling of the first retry's delay. */
  baseMs: number;
  /** No delay is ever longer than this. */
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 100, capMs: 2_000 };

/**
 * Delay before retry number `retry` (1 for the first retry): uniformly random in
 * [0, min(cap, base * 2^(retry-1))), so concurrent clients spread out instead of retrying in step.
 * `random` returns a number in [0, 1), like Math.random.
 */
export function backoffDelayMs(retry: number, random: () => number, policy: BackoffPolicy = DEFAULT_BACKOFF): number {
  const exponent = Math.max(0, retry - 1);
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** exponent);
  return Math.floor(random() * ceiling);
}

/**
 * `Retry-After` as milliseconds from `nowMs`: either delay-seconds ("120") or an HTTP date
 * ("Wed, 21 Oct 2015 07:28:00 GMT"). Undefined when absent or unparseable; never negative.
 */
export function parseRetryAfterMs(header: string | string[] | undefined, nowMs: number): number | undefined {
  const value = (Array.isArray(header) ? header[0] : header)?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  // Date.parse is lenient; require the shape of an HTTP date (it names a weekday and a month).
  if (!/^[A-Za-z]{3,9},? .*\d{2}:\d{2}:\d{2}/.test(value)) return undefined;
  const at = Date.parse(value);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}
