/** One version and one name everywhere a user or a registry reads them: package.json, server.json, the server itself. */
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import packageJson from "../../package.json" with { type: "json" };
import { startMcpHarness } from "../support/mcp.js";

const serverJson = JSON.parse(await readFile(new URL("../../server.json", import.meta.url), "utf8"));

describe("package metadata", () => {
  it("server.json follows the MCP registry's current schema, names the npm package and its mcpName", () => {
    expect(serverJson.$schema).toBe("https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json");
    expect(serverJson.name).toBe(packageJson.mcpName);
    expect(serverJson.name).toMatch(/^io\.github\.[\w-]+\/[\w.-]+$/);
    expect(serverJson.description.length).toBeLessThanOrEqual(100);
    expect(serverJson.repository.url).toBe(packageJson.repository.url.replace(/^git\+/, "").replace(/\.git$/, ""));
    expect(serverJson.packages).toEqual([
      expect.objectContaining({ registryType: "npm", identifier: packageJson.name, transport: { type: "stdio" } }),
    ]);
    const secrets = serverJson.packages[0].environmentVariables.filter((v: { isSecret?: boolean }) => v.isSecret);
    expect(secrets.map((v: { name: string }) => v.name)).toEqual(["PMS_API_TOKEN"]);
  });

  it("server.json, its package and the running server report package.json's version", async () => {
    expect(serverJson.version).toBe(packageJson.version);
    expect(serverJson.packages[0].version).toBe(packageJson.version);
    const harness = await startMcpHarness();
    try {
      expect(harness.client.getServerVersion()).toMatchObject({ name: packageJson.name, version: packageJson.version });
    } finally {
      await harness.close();
    }
  });

  it("ships the MIT license its package.json declares, and says where the code lives", async () => {
    expect(packageJson.license).toBe("MIT");
    expect(await readFile(new URL("../../LICENSE", import.meta.url), "utf8")).toMatch(/^MIT License\n/);
    for (const field of ["repository", "author", "keywords", "homepage", "bugs"] as const)
      expect(packageJson[field], field).toBeTruthy();
  });
});
