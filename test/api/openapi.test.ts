/**
 * GET /openapi.json as clients and linters read it: named components with $ref (one Problem), the problem
 * responses and headers of every operation, derived from the routes table; `redocly lint` with the
 * recommended rules finds nothing.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_PREFIX, routes, type RouteSpec } from "../../src/contract/index.js";
import { startSandbox, type RunningSandbox } from "../../src/sandbox/index.js";

const run = promisify(execFile);
const REDOCLY = new URL("../../node_modules/.bin/redocly", import.meta.url).pathname;

interface Operation {
  operationId: string;
  parameters: { $ref?: string; name?: string }[];
  requestBody?: { content: Record<string, { schema: { $ref?: string } }> };
  responses: Record<string, { $ref?: string; headers?: Record<string, unknown>; content?: unknown }>;
}
// eslint-disable-next-line @typescript-eslint/no-explicit-any
let document: any;
let sandbox: RunningSandbox;

beforeAll(async () => {
  sandbox = await startSandbox();
  const response = await fetch(`${sandbox.url}/openapi.json`);
  expect(response.status).toBe(200);
  document = await response.json();
});
afterAll(async () => sandbox?.close());

const operations = () =>
  (Object.entries(routes) as [string, RouteSpec][]).map(([name, spec]) => {
    const operation = document.paths[`${API_PREFIX}/{org_id}${spec.path}`]?.[spec.method.toLowerCase()] as Operation;
    expect(operation?.operationId, name).toBe(name);
    return { name, spec, operation };
  });

describe("the OpenAPI document", () => {
  it("names the problem schema once and refers to it from every problem response", () => {
    const text = JSON.stringify(document);
    expect(document.components.schemas.Problem.properties.code).toEqual({ $ref: "#/components/schemas/ErrorCode" });
    expect(text.match(/"detail":\{"type":"string"/g)).toHaveLength(1);
    for (const response of Object.values(document.components.responses) as { content: unknown }[]) {
      expect(response.content).toEqual({
        "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } },
      });
    }
  });

  it("refers to named components for every body and success response, and every reference resolves", () => {
    for (const { name, spec, operation } of operations()) {
      const success = operation.responses[String(spec.status)] as { content?: Record<string, { schema: unknown }> };
      if (spec.status === 204) expect(success.content, `${name}: a 204 has no body`).toBeUndefined();
      else
        expect(success.content?.["application/json"]?.schema, name).toEqual({
          $ref: expect.stringMatching(/^#\/components\/schemas\/\w+$/),
        });
      if (spec.body)
        expect(operation.requestBody?.content["application/json"]?.schema.$ref, name).toMatch(
          /^#\/components\/schemas\//,
        );
    }
    for (const [, pointer] of JSON.stringify(document).matchAll(/"\$ref":"#\/([^"]+)"/g)) {
      const target = pointer!.split("/").reduce((node, key) => node?.[key], document);
      expect(target, pointer).toBeDefined();
    }
  });

  it("lists the problems each operation can answer, with WWW-Authenticate on 401, Retry-After on 503 and Idempotent-Replayed on replays", () => {
    for (const { name, spec, operation } of operations()) {
      const statuses = Object.keys(operation.responses);
      expect(statuses, name).toEqual(expect.arrayContaining(["401", "404", "503"]));
      if (spec.body) expect(statuses, name).toEqual(expect.arrayContaining(["400", "409", "413", "415", "422", "507"]));
      if (spec.method === "GET") expect(statuses, name).not.toContain("409");
      if (spec.idempotent)
        expect(operation.responses[String(spec.status)]?.headers, name).toEqual({
          "Idempotent-Replayed": { $ref: "#/components/headers/IdempotentReplayed" },
        });
    }
    expect(operations().find((o) => o.name === "checkAvailability")?.operation.responses).toHaveProperty("422");
    expect(document.components.responses.Unauthorized.headers).toHaveProperty("WWW-Authenticate");
    expect(document.components.responses.ServiceUnavailable.headers).toHaveProperty("Retry-After");
    expect(document.components.responses.Conflict.description).toContain("slot_unavailable");
  });

  it("has servers, a license and a contact", () => {
    expect(document.servers).toEqual([expect.objectContaining({ url: "/" })]);
    expect(document.info.license).toEqual({ name: "MIT", identifier: "MIT" });
    expect(document.info.contact.url).toMatch(/^https:\/\//);
  });

  it("passes redocly lint with the recommended rules: no error, no warning", async () => {
    const dir = await mkdtemp(join(tmpdir(), "openapi-"));
    try {
      const file = join(dir, "openapi.json");
      await writeFile(file, JSON.stringify(document));
      const { stdout } = await run(REDOCLY, ["lint", "--extends", "recommended", "--format", "json", file], {
        env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" },
      }).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? "" }));
      const report = JSON.parse(stdout) as { totals: { errors: number; warnings: number }; problems: unknown[] };
      expect(report.problems).toEqual([]);
      expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
