/**
 * The package as a user gets it: `npm pack` in a clean copy of the repository (the files git tracks or would
 * track, as a fresh clone has them), the tarball installed into an empty folder, and its bin launched over
 * stdio by an MCP client. PACKAGE_TEST_NODE runs the installed bin under another node (e.g. 22, in .ci/run);
 * PACKAGE_TEST_INSTALL_SCRIPTS=1 installs with dependencies' install scripts (npm's default), else without.
 */
import { execFile, execFileSync } from "node:child_process";
import { cp, mkdir, mkdtemp, readFile, readdir, rm, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { cleanEnv } from "./mcp-process.js";

const run = promisify(execFile);
export const REPO = fileURLToPath(new URL("../..", import.meta.url));

export const PACKAGE_NODE = process.env.PACKAGE_TEST_NODE || process.execPath;
export const INSTALL_SCRIPTS = process.env.PACKAGE_TEST_INSTALL_SCRIPTS === "1";
export const PACKAGE_NODE_VERSION = execFileSync(PACKAGE_NODE, ["--version"], { encoding: "utf8" }).trim();
const [major = 0, minor = 0] = PACKAGE_NODE_VERSION.slice(1).split(".").map(Number);
/** node:sqlite, unflagged since Node 22.13: the embedded demo's SQLite when better-sqlite3 is not built. */
export const PACKAGE_NODE_HAS_SQLITE = major > 22 || (major === 22 && minor >= 13);

export interface PackedTarball {
  path: string;
  /** Paths inside the package, e.g. "dist/cli.js". */
  files: string[];
  bytes: number;
  unpackedBytes: number;
}

/** A copy of what a clone holds (node_modules linked, as after `npm ci`), packed with `npm pack`. */
export async function packCleanCopy(workDir: string): Promise<PackedTarball> {
  const clone = join(workDir, "clone");
  const { stdout: listed } = await run("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
    cwd: REPO,
    maxBuffer: 16 * 1024 * 1024,
  });
  for (const file of listed.split("\0").filter(Boolean)) {
    const from = join(REPO, file);
    // A tracked file deleted in the working tree is not in a clone of the next commit either.
    if (!(await stat(from).catch(() => undefined))) continue;
    await mkdir(dirname(join(clone, file)), { recursive: true });
    await cp(from, join(clone, file));
  }
  await symlink(join(REPO, "node_modules"), join(clone, "node_modules"));
  const { stdout } = await run("npm", ["pack", "--json", "--silent", "--pack-destination", workDir], {
    cwd: clone,
    maxBuffer: 16 * 1024 * 1024,
  });
  const [packed] = JSON.parse(stdout) as {
    filename: string;
    size: number;
    unpackedSize: number;
    files: { path: string }[];
  }[];
  if (!packed) throw new Error(`npm pack printed no package: ${stdout}`);
  return {
    path: join(workDir, packed.filename),
    files: packed.files.map((file) => file.path).sort(),
    bytes: packed.size,
    unpackedBytes: packed.unpackedSize,
  };
}

export interface InstalledPackage {
  dir: string;
  /** The installed bin's script, to run under PACKAGE_NODE. */
  bin: string;
  installMs: number;
  /** Everything npm put in node_modules. */
  installedBytes: number;
}

/** `npm install <tarball>` into an empty folder, as `npx` or a global install would. */
export async function installTarball(
  tarball: string,
  workDir: string,
  scripts = INSTALL_SCRIPTS,
): Promise<InstalledPackage> {
  const dir = join(workDir, scripts ? "install-with-scripts" : "install-without-scripts");
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "package.json"), '{ "private": true }\n');
  const started = performance.now();
  await run(
    "npm",
    ["install", "--no-audit", "--no-fund", "--no-save", ...(scripts ? [] : ["--ignore-scripts"]), tarball],
    // Install scripts (node-gyp) build for the node that runs them.
    {
      cwd: dir,
      env: { ...process.env, PATH: `${dirname(PACKAGE_NODE)}:${process.env.PATH ?? ""}` },
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  const installMs = Math.round(performance.now() - started);
  return {
    dir,
    bin: join(dir, "node_modules", "dental-pms-mcp", "dist", "cli.js"),
    installMs,
    installedBytes: await sizeOf(join(dir, "node_modules")),
  };
}

export async function sizeOf(path: string): Promise<number> {
  const info = await stat(path);
  if (!info.isDirectory()) return info.size;
  let total = 0;
  for (const entry of await readdir(path)) total += await sizeOf(join(path, entry));
  return total;
}

export interface StdioSession {
  client: Client;
  /** From spawning the process to the answer to initialize. */
  initializeMs: number;
  stderr: () => string;
}

/** An MCP client on `node script`, launched over stdio with `env` as Claude Desktop would. */
export async function connectStdio(
  script: string,
  env: Record<string, string>,
  node = PACKAGE_NODE,
): Promise<StdioSession> {
  const transport = new StdioClientTransport({ command: node, args: [script], env: cleanEnv(env), stderr: "pipe" });
  let stderr = "";
  transport.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  const client = new Client({ name: "package-test", version: "1.0.0" });
  const started = performance.now();
  await client.connect(transport);
  return { client, initializeMs: Math.round(performance.now() - started), stderr: () => stderr };
}

export async function makeWorkDir(label: string): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `dental-pms-mcp-${label}-`));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** A bundle's manifest, as far as launching its server goes. */
interface McpbManifest {
  server: { mcp_config: { command: string; args: string[]; env: Record<string, string> } };
  user_config: Record<string, { default?: string }>;
}

/**
 * The server of an unpacked .mcpb, launched as Claude Desktop does: `${__dirname}` is the bundle's folder, and
 * `${user_config.x}` the value the user gave, or its default, or empty.
 */
export async function connectMcpb(dir: string, userConfig: Record<string, string>): Promise<StdioSession> {
  const manifest = JSON.parse(await readFile(join(dir, "manifest.json"), "utf8")) as McpbManifest;
  const fill = (text: string) =>
    text
      .replaceAll("${__dirname}", dir)
      .replace(
        /\$\{user_config\.(\w+)\}/g,
        (_, key: string) => userConfig[key] ?? manifest.user_config[key]?.default ?? "",
      );
  const { command, args, env } = manifest.server.mcp_config;
  if (command !== "node") throw new Error(`the bundle runs ${command}, not node`);
  const [script, ...rest] = args.map(fill);
  if (script === undefined || rest.length > 0) throw new Error(`unexpected args ${JSON.stringify(args)}`);
  return connectStdio(script, Object.fromEntries(Object.entries(env).map(([key, value]) => [key, fill(value)])));
}
