/**
 * The built bin at LOG_LEVEL=debug, driven through successes and failures (bad arguments, unknown
 * records, conflicts, a PMS that echoes the token back in its errors, a rejected token): neither the
 * PMS token nor the MCP bearer token appears in stderr or in any tool result.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { GUIDE_UUIDS } from "../../src/sandbox/demo/index.js";
import { startSandbox, type RunningSandbox } from "../../src/sandbox/index.js";
import { startFaultProxy, type FaultProxy } from "../support/fault-proxy.js";
import { CLI, assertBuilt, cleanEnv, spawnCli } from "../support/mcp-process.js";
import { runGuideWorkflow } from "../support/mcp.js";
import { callTool, printSummary, textOf } from "../support/reliability.js";

/** Long and distinctive, so that a leak anywhere is found by a plain substring search. */
const PMS_TOKEN = `sk_live_pms_${randomUUID().replaceAll("-", "")}`;
const WRONG_PMS_TOKEN = `sk_live_wrong_${randomUUID().replaceAll("-", "")}`;
const MCP_TOKEN = `mcp_bearer_${randomUUID().replaceAll("-", "")}`;
const WRONG_MCP_TOKEN = `mcp_wrong_${randomUUID().replaceAll("-", "")}`;
/** Tokens of the embedded sandbox are generated inside the bin; they all start like this. */
const EMBEDDED_TOKEN_PREFIX = "sk_sandbox_";

let sandbox: RunningSandbox;
let proxy: FaultProxy;
const figures = { bins_spawned: 0, tool_calls: 0, failing_calls: 0, stderr_lines: 0 };

beforeAll(async () => {
  assertBuilt();
  sandbox = await startSandbox({ token: PMS_TOKEN });
  proxy = await startFaultProxy(sandbox.url);
});
afterAll(async () => {
  printSummary("secrets", figures);
  await proxy?.close();
  await sandbox?.close();
});

/** Every tool result as JSON, for the leak search. */
const results: string[] = [];

async function drive(client: Client, name: string, args: Record<string, unknown>) {
  const result = await callTool(client, name, args);
  figures.tool_calls++;
  if (result.isError) figures.failing_calls++;
  results.push(JSON.stringify(result));
  return result;
}

/** The guide's steps, then calls that fail in the usual ways. */
async function driveWorkflow(client: Client) {
  const { booking, slot, npe } = await runGuideWorkflow(client);
  figures.tool_calls += 4;
  results.push(JSON.stringify(booking));
  const failing: [string, Record<string, unknown>][] = [
    ["search_patients", { query: "" }],
    ["book_appointment", { patient_uuid: "not-a-uuid", scheduled_start: "yesterday" }],
    ["find_appointments", { patient_uuid: randomUUID() }],
    ["cancel_appointment", { appointment_uuid: randomUUID() }],
    [
      "book_appointment",
      {
        patient_uuid: GUIDE_UUIDS.jonathanSmith,
        appointment_type_uuid: npe.uuid,
        provider_uuid: slot.provider.uuid,
        location_uuid: slot.location.uuid,
        scheduled_start: slot.scheduled_start,
      },
    ],
  ];
  for (const [name, args] of failing) {
    const result = await drive(client, name, args);
    if (name !== "find_appointments") expect(result.isError, `${name} fails`).toBe(true);
  }
}

function expectNoSecrets(stderr: string, secrets: string[]) {
  figures.stderr_lines += stderr.split("\n").length;
  // The logs are not empty, so the search below can find something: the request log is there.
  expect(stderr).toContain('"level":"debug"');
  const everything = `${stderr}\n${results.join("\n")}`;
  for (const secret of [...secrets, EMBEDDED_TOKEN_PREFIX]) expect(everything).not.toContain(secret);
  expect(everything).not.toMatch(/Bearer [A-Za-z0-9_]{8}/);
}

async function stdioClient(env: Record<string, string>) {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI],
    env: cleanEnv(env),
    stderr: "pipe",
  });
  let stderr = "";
  transport.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  const client = new Client({ name: "secrets", version: "1.0.0" });
  await client.connect(transport);
  figures.bins_spawned++;
  return { client, stderr: () => stderr };
}

describe("no token in logs or tool results", () => {
  it("stdio with the embedded sandbox", async () => {
    results.length = 0;
    const { client, stderr } = await stdioClient({ LOG_LEVEL: "debug" });
    await driveWorkflow(client);
    await client.close();
    expectNoSecrets(stderr(), [PMS_TOKEN, MCP_TOKEN]);
  });

  it("--http with MCP_HTTP_TOKEN, including clients that send a wrong one", async () => {
    results.length = 0;
    const cli = spawnCli(["--http", "--port", "0"], cleanEnv({ MCP_HTTP_TOKEN: MCP_TOKEN, LOG_LEVEL: "debug" }));
    figures.bins_spawned++;
    const ready = await cli.waitForEvent("mcp_http_ready");
    const url = new URL(`http://127.0.0.1:${Number(ready.port)}/mcp`);
    const client = new Client({ name: "secrets-http", version: "1.0.0" });
    await client.connect(
      new StreamableHTTPClientTransport(url, { requestInit: { headers: { Authorization: `Bearer ${MCP_TOKEN}` } } }),
    );
    await driveWorkflow(client);
    await client.close();

    const rejected = new Client({ name: "secrets-http-wrong", version: "1.0.0" });
    const wrong = new StreamableHTTPClientTransport(url, {
      requestInit: { headers: { Authorization: `Bearer ${WRONG_MCP_TOKEN}` } },
    });
    const refusal = await rejected.connect(wrong).then(
      () => "connected",
      (error: unknown) => String(error),
    );
    expect(refusal).toMatch(/401|Unauthorized/);
    results.push(refusal);

    expect(await cli.stop()).toBe(0);
    expectNoSecrets(cli.stderrLines.join("\n"), [MCP_TOKEN, WRONG_MCP_TOKEN, PMS_TOKEN]);
  });

  it("an external PMS (PMS_API_TOKEN), even when the PMS echoes the token in its errors", async () => {
    results.length = 0;
    proxy.clear();
    const { client, stderr } = await stdioClient({
      LOG_LEVEL: "debug",
      PMS_BASE_URL: proxy.url,
      PMS_ORG_ID: sandbox.orgId,
      PMS_API_TOKEN: PMS_TOKEN,
    });
    await driveWorkflow(client);

    const echo = `your token ${PMS_TOKEN} is fine`;
    const problem = (status: number, code: string, extra: object = {}) =>
      JSON.stringify({ type: "about:blank", title: "t", status, code, detail: echo, ...extra });
    proxy.inject(
      { method: "GET", path: /\/patients\?/ },
      {
        kind: "respond",
        status: 400,
        body: problem(400, "validation_failed", { errors: [{ field: "query", message: echo }] }),
        contentType: "application/problem+json",
      },
      { kind: "respond", status: 404, body: problem(404, "not_found"), contentType: "application/problem+json" },
      {
        kind: "respond",
        status: 409,
        body: problem(409, "duplicate_patient"),
        contentType: "application/problem+json",
      },
      {
        kind: "respond",
        status: 422,
        body: problem(422, "unknown_reference"),
        contentType: "application/problem+json",
      },
      { kind: "respond", status: 418, body: echo, contentType: "text/plain" },
      { kind: "status", status: 500, body: echo },
      { kind: "status", status: 500, body: echo },
      { kind: "status", status: 500, body: echo },
      { kind: "respond", status: 200, body: `{"items": "${PMS_TOKEN}"}` },
    );
    for (let i = 0; i < 7; i++) await drive(client, "search_patients", { query: "Smith" });
    expect(proxy.requests.filter((r) => r.fault === "respond" || r.fault === "status").length).toBe(9);
    // The token really went over the wire, so a leak would have been found.
    expect(proxy.requests.some((r) => r.headers.authorization === `Bearer ${PMS_TOKEN}`)).toBe(true);
    await client.close();
    expectNoSecrets(stderr(), [PMS_TOKEN, MCP_TOKEN]);
  });

  it("an external PMS that rejects the configured token", async () => {
    results.length = 0;
    const { client, stderr } = await stdioClient({
      LOG_LEVEL: "debug",
      PMS_BASE_URL: sandbox.url,
      PMS_ORG_ID: sandbox.orgId,
      PMS_API_TOKEN: WRONG_PMS_TOKEN,
    });
    for (const [name, args] of [
      ["search_patients", { query: "Smith" }],
      ["get_practice_info", {}],
      [
        "book_appointment",
        {
          patient_uuid: GUIDE_UUIDS.janeSmith,
          appointment_type_uuid: GUIDE_UUIDS.hygiene,
          provider_uuid: GUIDE_UUIDS.michaelChen,
          location_uuid: GUIDE_UUIDS.mainStreetDental,
          scheduled_start: "2030-01-07T10:00",
        },
      ],
    ] as const) {
      const result = await drive(client, name, args);
      expect(result.isError).toBe(true);
      expect(textOf(result)).toMatch(/rejected this server's credentials/);
    }
    await client.close();
    expectNoSecrets(stderr(), [WRONG_PMS_TOKEN, PMS_TOKEN]);
  });
});
