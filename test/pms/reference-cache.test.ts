import { describe, expect, it } from "vitest";
import { ReferenceCache } from "../../src/pms/reference-cache.js";

describe("ReferenceCache", () => {
  it("reuses a value until its time to live has passed", async () => {
    let clock = 1_000;
    const cache = new ReferenceCache(60_000, () => clock);
    let loads = 0;
    const load = async () => ++loads;
    expect(await cache.get("types", load)).toBe(1);
    clock += 59_999;
    expect(await cache.get("types", load)).toBe(1);
    clock += 1;
    expect(await cache.get("types", load)).toBe(2);
    expect(await cache.get("providers", load)).toBe(3);
  });

  it("shares one load among concurrent callers", async () => {
    const cache = new ReferenceCache(60_000, () => 0);
    let loads = 0;
    let finish: (value: string) => void = () => {};
    const load = () => {
      loads++;
      return new Promise<string>((resolve) => (finish = resolve));
    };
    const all = Promise.all([cache.get("k", load), cache.get("k", load), cache.get("k", load)]);
    finish("v");
    expect(await all).toEqual(["v", "v", "v"]);
    expect(loads).toBe(1);
  });

  it("does not keep failures", async () => {
    const cache = new ReferenceCache(60_000, () => 0);
    await expect(cache.get("k", () => Promise.reject(new Error("down")))).rejects.toThrow("down");
    expect(await cache.get("k", async () => "up")).toBe("up");
  });

  it("caches nothing with a time to live of 0", async () => {
    const cache = new ReferenceCache(0, () => 0);
    let loads = 0;
    await cache.get("k", async () => ++loads);
    await cache.get("k", async () => ++loads);
    expect(loads).toBe(2);
  });
});
