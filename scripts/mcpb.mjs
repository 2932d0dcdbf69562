/**
 * `npm run mcpb`: the Claude Desktop bundle, build/dental-pms-mcp-<version>.mcpb. It holds the same bin as the npm
 * package (run `npm run build` first; npm run mcpb does) and a manifest (0.3) whose user_config asks for the
 * practice's PMS (or none: the embedded demo), the privacy mode and a data directory. The tools it lists are asked
 * of the built server itself. The manifest is validated and the directory packed with @anthropic-ai/mcpb.
 */
import { execFile } from "node:child_process";
import { copyFile, cp, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { promisify } from "node:util";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";

const run = promisify(execFile);
const root = new URL("../", import.meta.url).pathname;
const stage = `${root}build/mcpb/`;
const pkg = JSON.parse(await readFile(`${root}package.json`, "utf8"));
const repository = pkg.repository.url.replace(/^git\+/, "").replace(/\.git$/, "");
const output = `${root}build/${pkg.name}-${pkg.version}.mcpb`;

/** The tools as the built server lists them (staff mode; listing never touches the PMS). */
async function listTools() {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [`${root}dist/cli.js`],
    env: { PATH: process.env.PATH ?? "", LOG_LEVEL: "error" },
    stderr: "ignore",
  });
  const client = new Client({ name: "mcpb-build", version: pkg.version });
  await client.connect(transport);
  try {
    return (await client.listTools()).tools.map(({ name, description }) => ({ name, description }));
  } finally {
    await client.close();
  }
}

const manifest = {
  manifest_version: "0.3",
  name: pkg.name,
  display_name: "Dental PMS scheduling",
  version: pkg.version,
  description: "Book dental appointments in conversation: patients, visit types, availability, booking.",
  long_description:
    "Finds or registers the patient, lists appointment types, checks availability and books, reschedules, " +
    "confirms or cancels appointments in a Dental PMS. Leave the PMS settings empty to try it on the embedded " +
    "demo practice (Main Street Dental); the demo needs Node.js 22.13 or later (its built-in SQLite).",
  author: { name: pkg.author },
  repository: { type: "git", url: repository },
  homepage: pkg.homepage,
  documentation: pkg.homepage,
  support: pkg.bugs.url,
  license: pkg.license,
  keywords: pkg.keywords,
  privacy_policies: [`${repository}/blob/main/PRIVACY.md`],
  server: {
    type: "node",
    entry_point: "server/cli.js",
    mcp_config: {
      command: "node",
      args: ["${__dirname}/server/cli.js"],
      env: {
        PMS_BASE_URL: "${user_config.pms_base_url}",
        PMS_ORG_ID: "${user_config.pms_org_id}",
        PMS_API_TOKEN: "${user_config.pms_api_token}",
        MCP_PRIVACY_MODE: "${user_config.privacy_mode}",
        SANDBOX_DATA_DIR: "${user_config.data_directory}",
      },
    },
  },
  tools: await listTools(),
  compatibility: { platforms: ["darwin", "win32", "linux"], runtimes: { node: pkg.engines.node } },
  user_config: {
    pms_base_url: {
      type: "string",
      title: "PMS URL",
      description: "Your practice's Dental PMS API, e.g. https://pms.example.com. Leave empty for the demo practice.",
      required: false,
    },
    pms_org_id: {
      type: "string",
      title: "Practice (org) id",
      description: "Your practice's org id in that PMS. Leave empty for the demo practice.",
      required: false,
    },
    pms_api_token: {
      type: "string",
      title: "PMS API token",
      description: "The API token for that PMS. Leave empty for the demo practice.",
      required: false,
      sensitive: true,
    },
    privacy_mode: {
      type: "string",
      title: "Privacy mode",
      description: "staff (front desk: full records) or caller (answering the public: identity checks first).",
      required: false,
      default: "staff",
    },
    data_directory: {
      type: "directory",
      title: "Demo data directory",
      description:
        "Where the demo practice keeps its bookings between sessions. Leave empty to start afresh each time.",
      required: false,
    },
  },
};

await rm(stage, { recursive: true, force: true });
await mkdir(`${stage}server`, { recursive: true });
await cp(`${root}dist/`, `${stage}server/`, { recursive: true });
await copyFile(`${root}LICENSE`, `${stage}LICENSE`);
await writeFile(`${stage}manifest.json`, `${JSON.stringify(manifest, null, 2)}\n`);
const mcpb = `${root}node_modules/.bin/mcpb`;
await run(mcpb, ["validate", `${stage}manifest.json`]);
await rm(output, { force: true });
await run(mcpb, ["pack", stage, output]);
console.log(output);
