/** The built bin over stdio with the embedded sandbox, as Claude Desktop launches it. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { spawn } from "node:child_process";
import { MAX_STDIO_LINE_BYTES } from "../../src/mcp/transports/stdio.js";
import { CLI, assertBuilt, cleanEnv } from "../support/mcp-process.js";
import { runGuideWorkflow } from "../support/mcp.js";
import packageJson from "../../package.json" with { type: "json" };

/** The bin's exit status and output, for commands that print and exit. */
async function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { env: cleanEnv() });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c.toString("utf8")));
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  return { code, stdout, stderr };
}

describe("stdio", () => {
  let client: Client;
  let transport: StdioClientTransport;
  let stderr = "";

  beforeAll(async () => {
    assertBuilt();
    transport = new StdioClientTransport({ command: process.execPath, args: [CLI], env: cleanEnv(), stderr: "pipe" });
    transport.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    client = new Client({ name: "stdio-test", version: "1.0.0" });
    // Any non-JSON-RPC byte on stdout would make the client fail to parse and reject calls.
    await client.connect(transport);
  });
  afterAll(async () => client?.close());

  it("runs the guide's steps against the embedded sandbox", async () => {
    expect(client.getServerVersion()?.name).toBe("dental-pms-mcp");
    const { booking } = await runGuideWorkflow(client);
    expect(booking.structured.status).toBe("scheduled");
  });

  it("reports the package's version and declares only what it serves: tools and prompts, whose lists never change", () => {
    expect(client.getServerVersion()).toMatchObject({ name: "dental-pms-mcp", version: packageJson.version });
    expect(client.getServerCapabilities()).toEqual({ tools: {}, prompts: { listChanged: false } });
  });

  it("prints --version and --help on stdout and exits 0", async () => {
    expect(await run(["--version"])).toEqual({ code: 0, stdout: `${packageJson.version}\n`, stderr: "" });
    const help = await run(["--help"]);
    expect(help).toMatchObject({ code: 0, stderr: "" });
    expect(help.stdout).toMatch(/^dental-pms-mcp \d+\.\d+\.\d+: /);
    for (const setting of ["--version", "--host", "MCP_HTTP_HOST", "PMS_BASE_URL"])
      expect(help.stdout).toContain(setting);
  });

  it("logs JSON lines to stderr, saying the embedded sandbox started, without tokens", () => {
    const lines = stderr.trim().split("\n");
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow();
    expect(lines.some((l) => JSON.parse(l).event === "embedded_sandbox_started")).toBe(true);
    expect(stderr).not.toMatch(/sk_sandbox_|Bearer /);
    expect(stderr).not.toContain("Jane");
  });

  it("exits cleanly when stdin closes", async () => {
    const child = spawn(process.execPath, [CLI], { env: cleanEnv(), stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString("utf8")));
    child.stdin.end();
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    expect(code).toBe(0);
    expect(stdout).toBe("");
  });

  it("a line over the read limit: logged as stdio_message_too_large with the limit, and an exit status that says the transport failed", async () => {
    const child = spawn(process.execPath, [CLI], { env: cleanEnv(), stdio: ["pipe", "pipe", "pipe"] });
    let err = "";
    child.stderr.on("data", (c: Buffer) => (err += c.toString("utf8")));
    child.stdin.on("error", () => {}); // the server stops reading half-way through
    child.stdin.write(Buffer.alloc(MAX_STDIO_LINE_BYTES + 1024 * 1024, "a"));
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    expect(code).toBe(74);
    const events = err
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const tooLarge = events.find((e) => e.event === "stdio_message_too_large");
    expect(tooLarge).toMatchObject({ level: "error", limit_bytes: MAX_STDIO_LINE_BYTES });
    expect(Number(tooLarge?.line_bytes)).toBeGreaterThan(MAX_STDIO_LINE_BYTES);
    expect(events.find((e) => e.event === "shutdown")).toMatchObject({
      reason: "stdio transport failed",
      exit_code: 74,
    });
    expect(err).not.toContain("stdin closed");
  });

  it("reports every invalid setting at once and exits with status 2", async () => {
    const child = spawn(process.execPath, [CLI, "--http", "--privacy", "public"], {
      env: cleanEnv({ PMS_BASE_URL: "ftp://pms", MCP_HTTP_PORT: "99999" }),
    });
    let err = "";
    child.stderr.on("data", (c: Buffer) => (err += c.toString("utf8")));
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    expect(code).toBe(2);
    for (const expected of [
      "PMS_BASE_URL must be an http(s) URL",
      "MCP_HTTP_PORT",
      "--privacy must be staff or caller",
      "MCP_HTTP_TOKEN is required",
      "PMS_ORG_ID, PMS_API_TOKEN must be set too",
    ]) {
      expect(err).toContain(expected);
    }
  });
});
