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
const { stdout: nodeVersion } = await run(PACKAGE_NODE, ["--version"]);

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

describe(`the packed package on node ${nodeVersion.trim()}, installed ${INSTALL_SCRIPTS ? "with" : "without"} install scripts`, () => {
  it("holds exactly the bundle, the README, the LICENSE and package.json: no sources, no source maps", () => {
    const unexpected = tarball.files.filter(
      (file) =>
        !["LICENSE", "README.md", "package.json", "dist/cli.js"].includes(file) &&
        !/^dist\/chunks\/[\w-]+\.js$/.test(file),
    );
    expect(unexpected).toEqual([]);
    for (const file of ["LICENSE", "README.md", "package.json", "dist/cli.js"]) expect(tarball.files).toContain(file);
    expect(tarball.files.some((file) => file.startsWith("dist/chunks/server-"))).toBe(true);
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

  // The embedded demo needs a SQLite driver: better-sqlite3 when its install script built it.
  it.runIf(INSTALL_SCRIPTS)("answers initialize and search_patients on the embedded demo practice", async () => {
    const session = await connectStdio(installed.bin, {});
    try {
      const result = await session.client.callTool({ name: "search_patients", arguments: { query: "Smith" } });
      expect(result.isError, `${JSON.stringify(result.content)}\n${session.stderr()}`).toBeFalsy();
      expect(JSON.stringify(result.structuredContent)).toContain("Jane");
    } finally {
      await session.client.close();
    }
  });
});

const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} kB`;
