/**
 * The README's shell examples, copied out of README.md and run as a reader would paste them: the API walkthrough
 * (sandbox, search, register, types, availability, booking the slot availability offered, confirm, note) and the
 * Streamable HTTP example. Two substitutions only: a free port for the fixed one, and `node dist/cli.js sandbox`
 * for `npm run sandbox --` (the same command without rebuilding dist/ under the other tests' feet).
 */
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { createServer } from "node:net";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import packageJson from "../../package.json" with { type: "json" };
import { cleanEnv } from "../support/mcp-process.js";
import { REPO } from "../support/package.js";

const run = promisify(execFile);
let readme: string;

beforeAll(async () => {
  readme = await readFile(`${REPO}/README.md`, "utf8");
});

/** The ```sh blocks between two headings of the README. */
function shellBlocks(fromHeading: string, toHeading: string): string[] {
  const start = readme.indexOf(`\n${fromHeading}\n`);
  const end = readme.indexOf(`\n${toHeading}`, start + 1);
  expect(start, fromHeading).toBeGreaterThan(-1);
  expect(end, toHeading).toBeGreaterThan(start);
  return [...readme.slice(start, end).matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1]!);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

/** The JSON objects in `text`, in order: curl prints its answers without a newline between them. */
function jsonObjectsIn(text: string): Record<string, unknown>[] {
  const objects: Record<string, unknown>[] = [];
  let depth = 0;
  let start = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (inString) {
      if (char === "\\") i++;
      else if (char === '"') inString = false;
    } else if (char === '"' && depth > 0) inString = true;
    else if (char === "{" && depth++ === 0) start = i;
    else if (char === "}" && depth > 0 && --depth === 0) objects.push(JSON.parse(text.slice(start, i + 1)));
  }
  return objects;
}

async function bash(script: string): Promise<string> {
  const { stdout } = await run("bash", ["-euo", "pipefail", "-c", script], {
    cwd: REPO,
    env: cleanEnv(),
    timeout: 60_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout;
}

describe("README examples", () => {
  it("the API walkthrough books the slot the availability call offered, confirms it and adds a note", async () => {
    expect(packageJson.scripts.sandbox).toBe("npm run build --silent && node dist/cli.js sandbox");
    const blocks = shellBlocks("## The reference Dental PMS API", "### Endpoints");
    expect(blocks.length).toBeGreaterThanOrEqual(6);
    const port = await freePort();
    const script = blocks
      .join("\n")
      .replaceAll("npm run sandbox --", "node dist/cli.js sandbox")
      .replaceAll("127.0.0.1:4010", `127.0.0.1:${port}`)
      .replaceAll("--port 4010", `--port ${port}`);
    const output = await bash(script);
    const answers = jsonObjectsIn(output);
    const [slot, booking] = [
      answers.find((a) => "operatory" in a && !("uuid" in a)),
      answers.find((a) => a.status === "scheduled"),
    ];
    expect(slot, output).toBeDefined();
    expect(booking, output).toMatchObject({
      scheduled_start: slot!.scheduled_start,
      provider: { uuid: (slot!.provider as { uuid: string }).uuid },
      patient: { first_name: "Wren", last_name: "Halvorsen" },
    });
    expect(answers.some((a) => a.uuid === booking!.uuid && a.status === "confirmed")).toBe(true);
    expect(answers.some((a) => a.text === "Patient prefers morning visits")).toBe(true);
  });

  it("the Streamable HTTP example lists the tools with its token", async () => {
    const [block] = shellBlocks("### Streamable HTTP (voice and chat bots)", "### MCP Inspector");
    const port = await freePort();
    const output = await bash(block!.replaceAll("3000", String(port)));
    expect(output).toContain('"name":"book_appointment"');
  });
});
