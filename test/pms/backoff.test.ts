import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { backoffDelayMs, DEFAULT_BACKOFF, parseRetryAfterMs } from "../../src/pms/backoff.js";

describe("backoffDelayMs (full jitter)", () => {
  it("grows the ceiling exponentially from the base and caps it", () => {
    const almostOne = () => 0.999_999;
    expect(backoffDelayMs(1, almostOne, { baseMs: 100, capMs: 2000 })).toBe(99);
    expect(backoffDelayMs(2, almostOne, { baseMs: 100, capMs: 2000 })).toBe(199);
    expect(backoffDelayMs(3, almostOne, { baseMs: 100, capMs: 2000 })).toBe(399);
    expect(backoffDelayMs(10, almostOne, { baseMs: 100, capMs: 2000 })).toBe(1999);
  });

  it("can be zero: the jitter spans the whole range", () => {
    expect(backoffDelayMs(3, () => 0)).toBe(0);
  });

  it("always lies in [0, min(cap, base * 2^(retry-1)))", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (retry, r) => {
          const delay = backoffDelayMs(retry, () => r);
          const ceiling = Math.min(DEFAULT_BACKOFF.capMs, DEFAULT_BACKOFF.baseMs * 2 ** (retry - 1));
          expect(Number.isInteger(delay)).toBe(true);
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThan(ceiling);
        },
      ),
    );
  });
});

describe("parseRetryAfterMs", () => {
  const now = Date.parse("2025-05-20T10:00:00Z");

  it("reads delay-seconds", () => {
    expect(parseRetryAfterMs("3", now)).toBe(3000);
    expect(parseRetryAfterMs(" 0 ", now)).toBe(0);
    expect(parseRetryAfterMs(["7", "9"], now)).toBe(7000);
  });

  it("reads an HTTP date relative to now, never negative", () => {
    expect(parseRetryAfterMs("Tue, 20 May 2025 10:00:05 GMT", now)).toBe(5000);
    expect(parseRetryAfterMs("Tuesday, 20-May-25 10:00:05 GMT", now)).toBe(5000);
    expect(parseRetryAfterMs("Tue, 20 May 2025 09:59:00 GMT", now)).toBe(0);
  });

  it("ignores what is absent or not a delay", () => {
    expect(parseRetryAfterMs(undefined, now)).toBeUndefined();
    expect(parseRetryAfterMs("", now)).toBeUndefined();
    expect(parseRetryAfterMs("-1", now)).toBeUndefined();
    expect(parseRetryAfterMs("1.5", now)).toBeUndefined();
    expect(parseRetryAfterMs("soon", now)).toBeUndefined();
    expect(parseRetryAfterMs("2025", now)).toBe(2025_000);
  });
});
