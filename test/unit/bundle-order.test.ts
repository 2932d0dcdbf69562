/**
 * The built bin sets its V8 flags (heap-footprint.ts, loading-phase.ts) before it evaluates anything large: in
 * an ES module the imported chunks run first, in the order cli.js imports them, so the chunks holding those
 * flags must come before every chunk of more than a few kilobytes (zod, the SDK).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const DIST = join(import.meta.dirname, "../../dist");
const SMALL = 4096;

describe("the bundle's evaluation order", () => {
  it("runs the chunks that set V8's flags before any large chunk", () => {
    const entry = readFileSync(join(DIST, "cli.js"), "utf8");
    const chunks = [...entry.matchAll(/import(?:[^"']*?from)?\s*"\.\/(chunks\/[\w-]+\.js)"/g)].map((m) => m[1]!);
    const source = (chunk: string) => readFileSync(join(DIST, chunk), "utf8");
    const settingFlag = (flag: string) => chunks.findIndex((chunk) => source(chunk).includes(flag));
    const firstLarge = chunks.findIndex((chunk) => source(chunk).length > SMALL);
    expect(firstLarge).toBeGreaterThan(-1);
    for (const flag of ["--semi-space-growth-factor=1", "--no-turbofan"]) {
      expect(settingFlag(flag), flag).toBeGreaterThan(-1);
      expect(settingFlag(flag), flag).toBeLessThan(firstLarge);
    }
  });
});
