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
      {
        // The API tests once more, on PostgreSQL: test/support/sandbox.ts switches on TEST_SANDBOX_BACKEND.
        // persistence.test.ts reads the SQLite file itself; test/postgres has its own restart test; the OpenAPI
        // document does not depend on the storage; sqlite-driver.test.ts is SQLite's alone.
        extends: true as const,
        test: {
          name: "api-postgres",
          include: ["test/api/**/*.test.ts"],
          exclude: ["test/api/persistence.test.ts", "test/api/openapi.test.ts", "test/api/sqlite-driver.test.ts"],
          env: { TEST_SANDBOX_BACKEND: "postgres" },
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      project("postgres", 180_000),
      project("pms"),
      project("mcp", 60_000),
      project("conformance", 120_000),
      project("reliability", 120_000),
      // npm pack, npm install and the installed bin: .ci/run repeats it on Node 22 and with install scripts.
      project("package", 300_000),
    ],
    // CI also writes a machine-readable summary, from which .ci/run prints its closing count.
    reporters: process.env.CI ? ["default", "json"] : ["default"],
    outputFile: { json: ".vitest-results.json" },
  },
});
