/**
 * The layer rules of eslint.config.js bite: an import across a forbidden arrow is a lint error (static,
 * re-export, type-only or dynamic), and the arrows the architecture allows are not. Files are linted as
 * text under a path inside the folder; nothing is written to the tree.
 */
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

const eslint = new ESLint({ cwd: process.cwd() });

async function layerErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${code}\nexport {};\n`, { filePath });
  return (result?.messages ?? [])
    .filter((m) => m.ruleId === "no-restricted-imports" || m.ruleId === "no-restricted-syntax")
    .map((m) => m.message);
}

const forbidden: [file: string, code: string, why: RegExp][] = [
  ["src/mcp/probe.ts", 'import { startSandbox } from "../sandbox/index.js";', /never to the embedded sandbox/],
  [
    "src/mcp/tools/probe.ts",
    'import type { Reference } from "../../sandbox/services/context.js";',
    /never to the embedded sandbox/,
  ],
  ["src/mcp/probe.ts", 'export { startSandbox } from "../sandbox/index.js";', /never to the embedded sandbox/],
  ["src/mcp/probe.ts", 'await import("../sandbox/index.js");', /never to the embedded sandbox/],
  ["src/mcp/probe.ts", 'import { loadConfig } from "../config.js";', /only the entry point wires/],
  ["src/pms/probe.ts", 'import { toErrorResult } from "../mcp/errors.js";', /not the MCP server or the sandbox/],
  ["src/pms/probe.ts", 'import { startSandbox } from "../sandbox/index.js";', /not the MCP server or the sandbox/],
  ["src/contract/probe.ts", 'import { DateTime } from "luxon";', /zod and its own files only/],
  ["src/contract/probe.ts", 'import { silentLogger } from "../log.js";', /zod and its own files only/],
  ["src/sandbox/domain/probe.ts", 'import { StorageError } from "../storage/storage.js";', /pure rules/],
  ["src/sandbox/domain/probe.ts", 'import { notFound } from "../services/errors.js";', /pure rules/],
  ["src/sandbox/domain/probe.ts", 'import { hashToken } from "../http/server.js";', /pure rules/],
  ["src/sandbox/domain/probe.ts", 'import { readFileSync } from "node:fs";', /does no I\/O/],
  ["src/sandbox/domain/probe.ts", 'import { PmsClient } from "../../pms/client.js";', /knows the contract only/],
  ["src/sandbox/services/probe.ts", 'import { handlers } from "../http/handlers.js";', /not the other way round/],
  ["src/sandbox/storage/probe.ts", 'import { notFound } from "../services/errors.js";', /bottom layer/],
  ["src/sandbox/probe.ts", 'import { createMcpServer } from "../mcp/server.js";', /knows the contract only/],
  ["src/log.ts", 'import { routes } from "./contract/index.js";', /imports nothing of ours/],
];

const allowed: [file: string, code: string][] = [
  ["src/mcp/probe.ts", 'import { PmsClient } from "../pms/client.js";\nimport { routes } from "../contract/index.js";'],
  ["src/pms/probe.ts", 'import { routes } from "../contract/index.js";\nimport { silentLogger } from "../log.js";'],
  ["src/contract/probe.ts", 'import { z } from "zod";\nimport { Uuid } from "./common.js";'],
  [
    "src/sandbox/services/probe.ts",
    'import { transition } from "../domain/lifecycle.js";\nimport type { Storage } from "../storage/storage.js";',
  ],
  [
    "src/sandbox/domain/probe.ts",
    'import { DateTime } from "luxon";\nimport { routes } from "../../contract/index.js";',
  ],
  [
    "src/config.ts",
    'import { createMcpServer } from "./mcp/server.js";\nimport { startSandbox } from "./sandbox/index.js";',
  ],
  ["src/cli.ts", 'await import("./sandbox/index.js");\nawait import("./mcp/server.js");'],
];

describe("layer rules", () => {
  it.each(forbidden)("%s may not: %s", async (file, code, why) => {
    const errors = await layerErrors(file, code);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(why);
  });

  it.each(allowed)("%s may: %s", async (file, code) => {
    expect(await layerErrors(file, code)).toEqual([]);
  });
});
