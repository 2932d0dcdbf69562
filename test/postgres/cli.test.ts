/** DATABASE_URL in the configuration, and the MCP server's embedded sandbox keeping its data in PostgreSQL. */
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError, USAGE, loadConfig } from "../../src/config.js";
import { CLI, assertBuilt, cleanEnv } from "../support/mcp-process.js";
import { runGuideWorkflow } from "../support/mcp.js";
import { createTestSchema, withAdminClient, type TestSchema } from "../support/postgres.js";

describe("DATABASE_URL setting", () => {
  const url = "postgres://app@db.internal:5432/dental";

  it("is picked up from the environment for the sandbox command and the embedded sandbox", () => {
    expect(loadConfig(["sandbox"], { DATABASE_URL: url }).sandbox).toMatchObject({
      databaseUrl: url,
      dataDir: undefined,
    });
    expect(loadConfig([], { DATABASE_URL: url }).sandbox.databaseUrl).toBe(url);
    expect(loadConfig([], {}).sandbox.databaseUrl).toBeUndefined();
    expect(USAGE).toContain("DATABASE_URL");
  });

  it.each([
    ["not a PostgreSQL URL", { DATABASE_URL: "mysql://db/dental" }, [], /DATABASE_URL must be a PostgreSQL URL/],
    ["together with SANDBOX_DATA_DIR", { DATABASE_URL: url, SANDBOX_DATA_DIR: "/tmp/x" }, [], /keep only one/],
    ["together with --data-dir", { DATABASE_URL: url }, ["sandbox", "--data-dir", "/tmp/x"], /keep only one/],
  ])("is rejected when %s, naming the setting", (_, env, argv, message) => {
    expect(() => loadConfig(argv, env)).toThrow(ConfigError);
    expect(() => loadConfig(argv, env)).toThrow(message);
  });
});

describe("the MCP server's embedded sandbox on PostgreSQL", () => {
  let schema: TestSchema | undefined;
  let client: Client | undefined;
  afterAll(async () => {
    await client?.close();
    await schema?.drop();
  });

  it("runs the guide's workflow and the booking lands in the database", async () => {
    assertBuilt();
    schema = await createTestSchema();
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [CLI],
      env: cleanEnv({ DATABASE_URL: schema.url }),
      stderr: "pipe",
    });
    client = new Client({ name: "postgres-test", version: "1.0.0" });
    await client.connect(transport);
    const { booking } = await runGuideWorkflow(client);
    const uuid = booking.structured.uuid as string;
    const stored = await withAdminClient(
      async (admin) => (await admin.query("SELECT status FROM appointments WHERE uuid = $1", [uuid])).rows,
      schema.url,
    );
    expect(stored).toEqual([{ status: "scheduled" }]);
  });
});
