/**
 * `npm run mcpb`: the Claude Desktop bundle validates with @anthropic-ai/mcpb, and unpacked, its server runs the way
 * Claude Desktop launches it, with the user's settings in its environment.
 */
import { execFile } from "node:child_process";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import packageJson from "../../package.json" with { type: "json" };
import { startSandbox, type RunningSandbox } from "../../src/sandbox/index.js";
import { PACKAGE_NODE_HAS_SQLITE, PACKAGE_NODE_VERSION, REPO, connectMcpb, makeWorkDir } from "../support/package.js";

const run = promisify(execFile);
const MCPB = join(REPO, "node_modules", ".bin", "mcpb");
let work: Awaited<ReturnType<typeof makeWorkDir>>;
let bundle: string;
let unpacked: string;
let sandbox: RunningSandbox;

beforeAll(async () => {
  // npm test has built dist/ already; the script bundles it.
  const { stdout } = await run(process.execPath, [join(REPO, "scripts", "mcpb.mjs")], { cwd: REPO });
  bundle = stdout.trim();
  work = await makeWorkDir("mcpb");
  unpacked = join(work.dir, "unpacked");
  await run(MCPB, ["unpack", bundle, unpacked]);
  sandbox = await startSandbox();
});
afterAll(async () => {
  await sandbox?.close();
  await work?.remove();
});

describe("the .mcpb bundle", () => {
  it("has a manifest 0.3 that @anthropic-ai/mcpb validates, with the settings Claude Desktop asks for", async () => {
    await run(MCPB, ["validate", join(unpacked, "manifest.json")]);
    const manifest = JSON.parse(await readFile(join(unpacked, "manifest.json"), "utf8"));
    expect(manifest).toMatchObject({ manifest_version: "0.3", name: packageJson.name, version: packageJson.version });
    expect(Object.keys(manifest.user_config)).toEqual([
      "pms_base_url",
      "pms_org_id",
      "pms_api_token",
      "privacy_mode",
      "data_directory",
    ]);
    expect(manifest.user_config.pms_api_token.sensitive).toBe(true);
    expect(manifest.privacy_policies).toEqual([expect.stringMatching(/^https:\/\/.+\/PRIVACY\.md$/)]);
    expect(manifest.server.entry_point).toBe("server/cli.js");
    await stat(join(unpacked, "server", "cli.js"));
    expect(manifest.tools.map((tool: { name: string }) => tool.name)).toContain("book_appointment");
    console.log(`.mcpb: ${((await stat(bundle)).size / 1024).toFixed(0)} kB`);
  });

  it("runs as Claude Desktop launches it: initialize and search_patients against the configured PMS", async () => {
    const session = await connectMcpb(unpacked, {
      pms_base_url: sandbox.url,
      pms_org_id: sandbox.orgId,
      pms_api_token: sandbox.token,
    });
    try {
      expect(session.client.getServerVersion()?.version).toBe(packageJson.version);
      const result = await session.client.callTool({ name: "search_patients", arguments: { query: "Smith" } });
      expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
      expect(JSON.stringify(result.structuredContent)).toContain("Jane");
      expect(session.stderr()).not.toContain(sandbox.token);
    } finally {
      await session.client.close();
    }
  });

  // The bundle carries no native module: its embedded demo runs on node:sqlite, or says what it needs.
  it(`runs the demo practice with no PMS configured on node ${PACKAGE_NODE_VERSION}, or says it needs SQLite`, async () => {
    const session = await connectMcpb(unpacked, {});
    try {
      const result = await session.client.callTool({ name: "search_patients", arguments: { query: "Smith" } });
      const text = JSON.stringify(result.content);
      if (PACKAGE_NODE_HAS_SQLITE) {
        expect(result.isError, `${text}\n${session.stderr()}`).toBeFalsy();
        expect(JSON.stringify(result.structuredContent)).toContain("Jane");
      } else {
        expect(result.isError).toBe(true);
        expect(text).toContain("The embedded demo practice cannot start: it needs SQLite");
      }
    } finally {
      await session.client.close();
    }
  });
});
