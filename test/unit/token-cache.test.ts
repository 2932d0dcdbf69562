/** The sandbox's token cache: a revoked token stops working within TOKEN_TTL_MS; unknown tokens are never remembered. */
import { describe, expect, it } from "vitest";
import { TOKEN_TTL_MS, TokenCache, type TokenOwner } from "../../src/sandbox/http/token-cache.js";

function cacheOver(rows: Map<string, TokenOwner>) {
  let clock = 0;
  let lookups = 0;
  const cache = new TokenCache(
    async (hash) => {
      lookups++;
      return rows.get(hash) ?? null;
    },
    () => clock,
  );
  return {
    cache,
    lookups: () => lookups,
    advance: (ms: number) => {
      clock += ms;
    },
  };
}

const owner = { token_id: "t1", org_id: "org" };

describe("TokenCache", () => {
  it("answers a known token from memory until TOKEN_TTL_MS has passed, then looks it up again", async () => {
    const rows = new Map([["h1", owner]]);
    const { cache, lookups, advance } = cacheOver(rows);
    expect(await cache.find("h1")).toEqual(owner);
    advance(TOKEN_TTL_MS - 1);
    expect(await cache.find("h1")).toEqual(owner);
    expect(lookups()).toBe(1);
    rows.delete("h1"); // revoked in the database
    advance(1);
    expect(await cache.find("h1")).toBeNull();
    expect(lookups()).toBe(2);
  });

  it("never remembers a token it did not find: one registered meanwhile works at once", async () => {
    const rows = new Map<string, TokenOwner>();
    const { cache, lookups } = cacheOver(rows);
    expect(await cache.find("h2")).toBeNull();
    rows.set("h2", owner);
    expect(await cache.find("h2")).toEqual(owner);
    expect(lookups()).toBe(2);
  });

  it("a failed lookup (the database unreachable) fails the request and is not remembered", async () => {
    let fail = true;
    const cache = new TokenCache(
      async () => {
        if (fail) throw new Error("unreachable");
        return owner;
      },
      () => 0,
    );
    await expect(cache.find("h3")).rejects.toThrow("unreachable");
    fail = false;
    expect(await cache.find("h3")).toEqual(owner);
  });
});
