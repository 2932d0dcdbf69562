/**
 * The MCP server's HTTP tier under hostile clients, the built bin on loopback: 5,000 idle sockets and 200
 * slow-body sockets at once must not lock a legitimate client out, and are closed promptly; a client over
 * its rate is answered 429 with Retry-After; beyond the connection limit, sockets are closed at once.
 */
import { connect, type Socket } from "node:net";
import { performance } from "node:perf_hooks";
import { afterAll, describe, expect, it } from "vitest";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { DEFAULT_TIMEOUTS } from "../../src/mcp/transports/http.js";
import { assertBuilt, cleanEnv, spawnCli, type SpawnedCli } from "../support/mcp-process.js";
import { callTool, printSummary, textOf } from "../support/reliability.js";

const TOKEN = "chaos-http-token-0123456789abcdef";
const IDLE_SOCKETS = 5_000;
const SLOW_SOCKETS = 200;
/** Slack on top of a deadline, for a loaded machine and the server's once-a-second check. */
const SLACK_MS = 3_000;

const figures: Record<string, number> = {};
const bins: SpawnedCli[] = [];
const sockets: Socket[] = [];

afterAll(async () => {
  printSummary("chaos-http", figures);
  for (const socket of sockets) socket.destroy();
  await Promise.all(bins.map((bin) => bin.stop()));
});

async function startBin(env: Record<string, string> = {}): Promise<number> {
  assertBuilt();
  const cli = spawnCli(["--http", "--port", "0"], cleanEnv({ MCP_HTTP_TOKEN: TOKEN, ...env }));
  bins.push(cli);
  return Number((await cli.waitForEvent("mcp_http_ready")).port);
}

/** A socket of ours to the server, with when it closed (ms after `since`) and what it was told. */
interface Probe {
  socket: Socket;
  opened: number;
  closedAfterMs?: number;
  answer: string;
}

function open(port: number): Promise<Probe> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    sockets.push(socket);
    const probe: Probe = { socket, opened: 0, answer: "" };
    socket.setEncoding("utf8").on("data", (chunk: string) => (probe.answer += chunk));
    socket.on("error", () => {}); // a reset is one way of being closed
    socket.once("close", () => (probe.closedAfterMs = performance.now() - probe.opened));
    socket.once("connect", () => {
      probe.opened = performance.now();
      resolve(probe);
    });
  });
}

/** Opens `count` sockets, a few hundred at a time (the listen backlog is finite). */
async function openMany(port: number, count: number): Promise<Probe[]> {
  const probes: Probe[] = [];
  for (let i = 0; i < count; i += 250)
    probes.push(...(await Promise.all(Array.from({ length: Math.min(250, count - i) }, () => open(port)))));
  return probes;
}

async function legitimateClient(port: number): Promise<Client> {
  const client = new Client({ name: "legitimate", version: "1.0.0" });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`), {
      requestInit: { headers: { Authorization: `Bearer ${TOKEN}` } },
    }),
  );
  return client;
}

const until = async (done: () => boolean, limitMs: number) => {
  const started = performance.now();
  while (!done() && performance.now() - started < limitMs) await new Promise((resolve) => setTimeout(resolve, 100));
};

describe("5,000 idle sockets and 200 slow-body sockets", () => {
  it("a legitimate client is still served, and the idle and slow sockets are closed promptly", async () => {
    const port = await startBin();
    const warm = await legitimateClient(port);
    expect((await callTool(warm, "get_practice_info", {})).isError).toBeFalsy(); // the embedded PMS is up
    await warm.close();

    const idle = await openMany(port, IDLE_SOCKETS);
    const slow = await openMany(port, SLOW_SOCKETS);
    const drip = setInterval(() => {
      for (const probe of slow) if (probe.closedAfterMs === undefined) probe.socket.write("x");
    }, 500);
    slow.forEach((probe, i) => {
      // Half without a valid token, half with it: both announce a body they trickle a byte at a time.
      const token = i % 2 === 0 ? "not-the-token" : TOKEN;
      probe.opened = performance.now();
      probe.socket.write(
        `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\n` +
          "Accept: application/json, text/event-stream\r\nContent-Length: 100000\r\n\r\n{",
      );
    });

    try {
      // With every one of those open, a legitimate client connects and is served.
      const started = performance.now();
      const client = await legitimateClient(port);
      for (const [tool, args] of [
        ["get_practice_info", {}],
        ["search_patients", { query: "Smith" }],
        ["list_appointment_types", {}],
      ] as const) {
        const result = await callTool(client, tool, args);
        expect(result.isError, textOf(result)).toBeFalsy();
      }
      figures.legitimate_calls_ok = 3;
      figures.legitimate_ms = Math.round(performance.now() - started);
      await client.close();

      const unauthenticated = slow.filter((_, i) => i % 2 === 0);
      const authenticated = slow.filter((_, i) => i % 2 === 1);
      await until(
        () => [...idle, ...slow].every((probe) => probe.closedAfterMs !== undefined),
        DEFAULT_TIMEOUTS.idleMs + DEFAULT_TIMEOUTS.bodyMs + SLACK_MS,
      );
      const worst = (probes: Probe[]) => Math.round(Math.max(...probes.map((p) => p.closedAfterMs ?? Infinity)));
      figures.idle_sockets = idle.length;
      figures.slow_sockets = slow.length;
      figures.unauthenticated_closed_within_ms = worst(unauthenticated);
      figures.slow_body_closed_within_ms = worst(authenticated);
      figures.idle_closed_within_ms = worst(idle);

      for (const probe of unauthenticated) expect(probe.answer).toMatch(/^HTTP\/1\.1 401 /);
      for (const probe of authenticated) expect(probe.answer).toMatch(/^HTTP\/1\.1 408 /);
      // Refused at once, without waiting for the body they announced.
      expect(figures.unauthenticated_closed_within_ms).toBeLessThan(SLACK_MS);
      expect(figures.slow_body_closed_within_ms).toBeLessThan(DEFAULT_TIMEOUTS.bodyMs + SLACK_MS);
      expect(figures.idle_closed_within_ms).toBeLessThan(DEFAULT_TIMEOUTS.idleMs + SLACK_MS);
      expect(bins[0]!.child.exitCode).toBeNull();
    } finally {
      clearInterval(drip);
    }
  });
});

describe("per-client rate limit", () => {
  it("answers 429 with Retry-After and closes the connection, and serves the client again after that wait", async () => {
    // One request per second, bursts of ten.
    const port = await startBin({ MCP_HTTP_RATE_LIMIT: "1" });
    const list = () =>
      fetch(`http://127.0.0.1:${port}/mcp`, {
        method: "POST",
        headers: {
          Authorization: `Bearer ${TOKEN}`,
          "Content-Type": "application/json",
          Accept: "application/json, text/event-stream",
        },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
      });
    const answers = [];
    for (let i = 0; i < 14; i++) answers.push(await list());
    const statuses = answers.map((a) => a.status);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(200));
    expect(statuses.slice(10)).toEqual(Array(4).fill(429));
    const limited = answers[10]!;
    const wait = Number(limited.headers.get("retry-after"));
    expect(wait).toBeGreaterThanOrEqual(1);
    expect(limited.headers.get("connection")).toBe("close");
    expect(((await limited.json()) as { error: { message: string } }).error.message).toMatch(
      /Too many requests: retry after \d+ s/,
    );
    figures.rate_limited_answers = statuses.filter((s) => s === 429).length;
    await new Promise((resolve) => setTimeout(resolve, wait * 1000));
    expect((await list()).status).toBe(200);
  });
});

describe("connection limit", () => {
  it("closes sockets beyond MCP_HTTP_MAX_CONNECTIONS as they arrive; the server serves again once they go", async () => {
    const port = await startBin({ MCP_HTTP_MAX_CONNECTIONS: "40" });
    const probes = await openMany(port, 60);
    await until(() => probes.filter((p) => p.closedAfterMs !== undefined).length >= 20, 2_000);
    const closed = probes.filter((p) => p.closedAfterMs !== undefined).length;
    figures.beyond_limit_closed = closed;
    expect(closed).toBe(20);
    for (const probe of probes) probe.socket.destroy();
    await until(() => probes.every((p) => p.closedAfterMs !== undefined), 2_000);
    // The server counts a socket gone once it sees it close, a moment after we did.
    let served = false;
    for (let attempt = 0; attempt < 20 && !served; attempt++) {
      const answer = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null);
      served = answer?.status === 200;
      if (!served) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(served).toBe(true);
    const client = await legitimateClient(port);
    expect((await callTool(client, "list_appointment_types", {})).isError).toBeFalsy();
    await client.close();
  });
});
