/**
 * The fault proxy is test equipment the reliability suite relies on, so it is checked on its own,
 * in front of a plain upstream that echoes what it received.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startFaultProxy, type FaultProxy } from "../support/fault-proxy.js";

let upstream: http.Server;
let proxy: FaultProxy;
let upstreamHits = 0;

beforeAll(async () => {
  upstream = http.createServer((req, res) => {
    upstreamHits++;
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = JSON.stringify({
        method: req.method,
        url: req.url,
        body: Buffer.concat(chunks).toString(),
        pad: "x".repeat(200),
      });
      res.writeHead(200, { "content-type": "application/json", "x-upstream": "yes" }).end(body);
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
  proxy = await startFaultProxy(`http://127.0.0.1:${(upstream.address() as AddressInfo).port}`);
});

afterAll(async () => {
  await proxy.close();
  upstream.closeAllConnections();
  await new Promise<void>((resolve) => upstream.close(() => resolve()));
});

beforeEach(() => {
  proxy.clear();
  upstreamHits = 0;
});

describe("fault proxy", () => {
  it("is transparent without faults and records requests", async () => {
    const response = await fetch(`${proxy.url}/a/b?x=1`, { method: "POST", body: "hello", headers: { "x-test": "1" } });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-upstream")).toBe("yes");
    expect(await response.json()).toMatchObject({ method: "POST", url: "/a/b?x=1", body: "hello" });
    expect(proxy.requests).toEqual([
      expect.objectContaining({
        method: "POST",
        path: "/a/b?x=1",
        headers: expect.objectContaining({ "x-test": "1" }),
      }),
    ]);
  });

  it("applies queued faults in order to matching requests only", async () => {
    proxy.inject(
      { method: "GET", path: /^\/faulty/ },
      { kind: "status", status: 503 },
      { kind: "status", status: 500 },
    );
    expect((await fetch(`${proxy.url}/other`)).status).toBe(200);
    expect((await fetch(`${proxy.url}/faulty`, { method: "POST", body: "x" })).status).toBe(200);
    expect((await fetch(`${proxy.url}/faulty`)).status).toBe(503);
    expect((await fetch(`${proxy.url}/faulty`)).status).toBe(500);
    expect((await fetch(`${proxy.url}/faulty`)).status).toBe(200);
    expect(proxy.requests.map((r) => r.fault)).toEqual([undefined, undefined, "status", "status", undefined]);
    expect(upstreamHits).toBe(3);
  });

  it("answers 429 with Retry-After", async () => {
    proxy.inject({}, { kind: "rate_limit", retryAfterSeconds: 7 });
    const response = await fetch(`${proxy.url}/x`);
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("7");
    expect(await response.json()).toMatchObject({ code: "rate_limited", retry_after_seconds: 7 });
  });

  it("answers HTML garbage or an exact response without forwarding", async () => {
    proxy.inject({}, { kind: "non_json" }, { kind: "respond", status: 201, body: '{"odd":true}' });
    const html = await fetch(`${proxy.url}/x`);
    expect(html.headers.get("content-type")).toBe("text/html");
    await expect(html.clone().json()).rejects.toThrow();
    await html.text();
    expect(await (await fetch(`${proxy.url}/x`)).json()).toEqual({ odd: true });
    expect(upstreamHits).toBe(0);
  });

  it("resets without forwarding; loses the response after forwarding", async () => {
    proxy.inject({}, { kind: "reset" }, { kind: "lose_response" });
    await expect(fetch(`${proxy.url}/x`)).rejects.toThrow();
    expect(upstreamHits).toBe(0);
    await expect(fetch(`${proxy.url}/x`, { method: "POST", body: "effect" })).rejects.toThrow();
    expect(upstreamHits).toBe(1);
  });

  it("truncates the body after the headers", async () => {
    proxy.inject({}, { kind: "truncate" });
    const response = await fetch(`${proxy.url}/x`);
    expect(response.status).toBe(200);
    await expect(response.text()).rejects.toThrow();
  });

  it("delays the answer but forwards at once", async () => {
    proxy.inject({}, { kind: "delay", ms: 300 });
    const started = Date.now();
    const response = await fetch(`${proxy.url}/x`);
    expect(upstreamHits).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(((await response.json()) as { url: string }).url).toBe("/x");
  });
});
