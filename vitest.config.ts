import { defineConfig } from "vitest/config";

/** One project per layer, so each suite can run alone: `npx vitest run --project reliability`. */
const project = (name: string, timeout = 30_000) => ({
  extends: true as const,
  test: { name, include: [`test/${name}/**/*.test.ts`], testTimeout: timeout, hookTimeout: timeout },
});

export default defineConfig({
  test: {
    projects: [
      project("unit"),
      project("api"),
      project("pms"),
      project("mcp", 60_000),
      project("conformance", 120_000),
      project("reliability", 120_000),
    ],
    // CI also writes a machine-readable summary, from which .ci/run prints its closing count.
    reporters: process.env.CI ? ["default", "json"] : ["default"],
    outputFile: { json: ".vitest-results.json" },
  },
});
