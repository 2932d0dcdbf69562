/** The per-client token bucket of the HTTP transport, on a pinned clock. */
import { describe, expect, it } from "vitest";
import { RateLimiter } from "../../src/mcp/transports/rate-limit.js";

describe("RateLimiter", () => {
  it("lets a burst through, then one request per refill, and says how long to wait", () => {
    let now = 0;
    const limiter = new RateLimiter(2, 5, () => now);
    for (let i = 0; i < 5; i++) expect(limiter.take("a")).toEqual({ ok: true });
    expect(limiter.take("a")).toEqual({ ok: false, retryAfterSeconds: 1 });
    // Another client has its own bucket.
    expect(limiter.take("b")).toEqual({ ok: true });
    now += 500; // one token back at 2 per second
    expect(limiter.take("a")).toEqual({ ok: true });
    expect(limiter.take("a").ok).toBe(false);
    now += 60_000;
    for (let i = 0; i < 5; i++) expect(limiter.take("a").ok).toBe(true);
    expect(limiter.take("a").ok).toBe(false);
  });

  it("says when the next token comes at a slow rate", () => {
    let now = 0;
    const limiter = new RateLimiter(0.1, 1, () => now);
    expect(limiter.take("a").ok).toBe(true);
    expect(limiter.take("a")).toEqual({ ok: false, retryAfterSeconds: 10 });
    now += 4_000;
    expect(limiter.take("a")).toEqual({ ok: false, retryAfterSeconds: 6 });
  });

  it("forgets clients whose bucket refilled, so a flood of addresses does not grow it for ever", () => {
    let now = 0;
    const limiter = new RateLimiter(100, 10, () => now);
    for (let i = 0; i < 10_000; i++) limiter.take(`10.0.${i >> 8}.${i & 255}`);
    expect(limiter.size).toBe(10_000);
    now += 1_000;
    limiter.take("192.0.2.1");
    expect(limiter.size).toBe(1);
  });
});
