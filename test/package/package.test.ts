/**
 * `npm pack` from a clean clone ships a working package: the tarball holds the bundle and nothing else, and
 * installed into an empty folder its bin answers an MCP client over stdio, against a PMS and on the embedded demo.
 * The figures (sizes, install time, cold start) are printed for the record, not asserted: speed goals are in bench/.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import packageJson from "../../package.json" with { type: "json" };
import { startSandbox, type RunningSandbox } from "../../src/sandbox/index.js";
import {
  INSTALL_SCRIPTS,
  PACKAGE_NODE,
  PACKAGE_NODE_HAS_SQLITE,
  PACKAGE_NODE_VERSION,
  connectStdio,
  installTarball,
  makeWorkDir,
  packCleanCopy,
  type InstalledPackage,
  type PackedTarball,
} from "../support/package.js";

const run = promisify(execFile);
let work: Awaited<ReturnType<typeof makeWorkDir>>;
let tarball: PackedTarball;
let installed: InstalledPackage;
let sandbox: RunningSandbox;
/** No PMS configured (the embedded demo), and the driver chosen as it is for users (CI may force one for its suites). */
const AS_USERS_RUN_IT = { SQLITE_DRIVER: "" };
/** better-sqlite3 when its install script built it, else node:sqlite. */
const SQLITE_DRIVER_EXPECTED = INSTALL_SCRIPTS || PACKAGE_NODE_HAS_SQLITE;

beforeAll(async () => {
  work = await makeWorkDir("package");
  tarball = await packCleanCopy(work.dir);
  installed = await installTarball(tarball.path, work.dir);
  sandbox = await startSandbox();
});
afterAll(async () => {
  await sandbox?.close();
  await work?.remove();
});

describe(`the packed package on node ${PACKAGE_NODE_VERSION}, installed ${INSTALL_SCRIPTS ? "with" : "without"} install scripts`, () => {
  it("holds exactly the bundle, the README, the LICENSE and package.json: no sources, no source maps", () => {
    const unexpected = tarball.files.filter(
      (file) =>
        !["LICENSE", "README.md", "package.json", "dist/cli.js"].includes(file) &&
        !/^dist\/chunks\/[\w-]+\.js$/.test(file),
    );
    expect(unexpected).toEqual([]);
    for (const file of ["LICENSE", "README.md", "package.json", "dist/cli.js"]) expect(tarball.files).toContain(file);
    expect(tarball.files.some((file) => file.startsWith("dist/chunks/sandbox-"))).toBe(true);
    console.log(
      `package: tarball ${kb(tarball.bytes)}, unpacked ${kb(tarball.unpackedBytes)}, ${tarball.files.length} files; ` +
        `installed ${kb(installed.installedBytes)} in node_modules, install ${installed.installMs} ms ` +
        `(${INSTALL_SCRIPTS ? "with" : "without"} scripts)`,
    );
  });

  it("prints its version", async () => {
    const { stdout } = await run(PACKAGE_NODE, [installed.bin, "--version"]);
    expect(stdout).toBe(`${packageJson.version}\n`);
  });

  it("answers initialize and search_patients over stdio against a PMS (no database driver needed)", async () => {
    const session = await connectStdio(installed.bin, {
      PMS_BASE_URL: sandbox.url,
      PMS_ORG_ID: sandbox.orgId,
      PMS_API_TOKEN: sandbox.token,
    });
    try {
      expect(session.client.getServerVersion()).toMatchObject({ name: "dental-pms-mcp", version: packageJson.version });
      const result = await session.client.callTool({ name: "search_patients", arguments: { query: "Smith" } });
      expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
      expect(JSON.stringify(result.structuredContent)).toContain("Jane");
      console.log(`cold start of the packed bin (spawn → initialize answered): ${session.initializeMs} ms`);
    } finally {
      await session.client.close();
    }
  });

  // The embedded demo needs a SQLite driver: better-sqlite3 when its install script built it, else node:sqlite.
  it.runIf(SQLITE_DRIVER_EXPECTED)("answers initialize and search_patients on the embedded demo practice", async () => {
    const session = await connectStdio(installed.bin, AS_USERS_RUN_IT);
    try {
      const result = await session.client.callTool({ name: "search_patients", arguments: { query: "Smith" } });
      expect(result.isError, `${JSON.stringify(result.content)}\n${session.stderr()}`).toBeFalsy();
      expect(JSON.stringify(result.structuredContent)).toContain("Jane");
    } finally {
      await session.client.close();
    }
  });

  it.skipIf(SQLITE_DRIVER_EXPECTED)("says on the embedded demo that it needs SQLite, and how to fix it", async () => {
    const session = await connectStdio(installed.bin, AS_USERS_RUN_IT);
    try {
      const result = await session.client.callTool({ name: "search_patients", arguments: { query: "Smith" } });
      expect(result.isError).toBe(true);
      const [content] = result.content as { type: string; text: string }[];
      expect(content?.text).toMatch(/^The embedded demo practice cannot start: it needs SQLite/);
      expect(content?.text).toContain("set PMS_BASE_URL");
      expect(content?.text).toContain("Node 22.13 or later");
      expect(content?.text).not.toContain("unreachable");
      // The operator's log says why each driver failed to load.
      expect(session.stderr()).toMatch(/embedded_sandbox_needs_sqlite.*better-sqlite3: .*node: /);
    } finally {
      await session.client.close();
    }
  });
});

const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} kB`;
