/**
 * heap-footprint.ts imported by a real node process: the young generation stays at its initial size under an allocation
 * pattern that makes V8 grow it to its maximum by default, and sizes the user gave node are left alone.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { buildSync } from "esbuild";
import { afterAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), "heap-footprint-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const module = join(dir, "heap-footprint.mjs");
buildSync({ entryPoints: [join(import.meta.dirname, "../../src/heap-footprint.ts")], outfile: module, format: "esm" });

/** A script that optionally imports heap-footprint, keeps a rolling window of live objects, and prints new space's size in MiB. */
function script(tuned: boolean): string {
  const file = join(dir, `probe-${tuned}.mjs`);
  writeFileSync(
    file,
    `import { getHeapSpaceStatistics } from "node:v8";
${tuned ? `import ${JSON.stringify(module)};` : ""}
const window = new Array(20000);
for (let i = 0; i < 400000; i++) window[i % window.length] = { i, text: "slot " + i, list: [i, i + 1] };
const space = getHeapSpaceStatistics().find((s) => s.space_name === "new_space");
console.log(space.space_size / 1048576);
`,
  );
  return file;
}

async function newSpaceMiB(tuned: boolean, nodeOptions = ""): Promise<number> {
  const { stdout } = await run(process.execPath, [script(tuned)], {
    env: { ...process.env, NODE_OPTIONS: nodeOptions },
  });
  return Number(stdout.trim());
}

describe("heap-footprint", () => {
  it("keeps the young generation at its initial size where V8 would grow it", async () => {
    const [tuned, untuned] = await Promise.all([newSpaceMiB(true), newSpaceMiB(false)]);
    expect(tuned).toBeLessThanOrEqual(2);
    expect(untuned).toBeGreaterThan(tuned * 2);
  });

  it("leaves alone a heap the user sized through node's options", async () => {
    const sized = await newSpaceMiB(true, "--max-semi-space-size=8");
    expect(sized).toBeGreaterThan(2);
  });
});
