/**
 * A loopback HTTP proxy that misbehaves on request: put it between a client and the real sandbox,
 * queue faults for matching requests, and see what the client does. Without faults it is transparent
 * (bodies stream through). Every request is recorded, so tests can count attempts and read headers.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

export type Fault =
  | { kind: "status"; status: 500 | 502 | 503; body?: string }
  | { kind: "rate_limit"; retryAfterSeconds: number }
  /** Forward, but answer only after `ms` (slower than the client's deadline). */
  | { kind: "delay"; ms: number }
  /** Destroy the client socket without answering (nothing reaches upstream). */
  | { kind: "reset" }
  /** Forward; send the headers and half the body, then destroy the socket. */
  | { kind: "truncate" }
  /** Answer 200 text/html garbage without forwarding. */
  | { kind: "non_json" }
  /** Forward to upstream (so it takes effect), then reset the client socket instead of answering. */
  | { kind: "lose_response" }
  /** Answer exactly this without forwarding, e.g. a 2xx whose JSON breaks the contract. */
  | { kind: "respond"; status: number; body: string; contentType?: string };

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  fault?: Fault["kind"];
}

export interface FaultMatch {
  method?: string;
  path?: RegExp;
}

export interface FaultProxy {
  url: string;
  /** Queue faults for the next matching requests (matched by method and path regex), applied in order. */
  inject(match: FaultMatch, ...faults: Fault[]): void;
  requests: RecordedRequest[];
  clear(): void;
  close(): Promise<void>;
}

interface Injection {
  match: FaultMatch;
  faults: Fault[];
}

export async function startFaultProxy(upstreamUrl: string): Promise<FaultProxy> {
  const upstream = new URL(upstreamUrl);
  const agent = new http.Agent({ keepAlive: true });
  const injections: Injection[] = [];
  const requests: RecordedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();

  const takeFault = (method: string, path: string): Fault | undefined => {
    for (const injection of injections) {
      const { match } = injection;
      if (injection.faults.length === 0) continue;
      if (match.method && match.method.toUpperCase() !== method) continue;
      if (match.path && !match.path.test(path)) continue;
      return injection.faults.shift();
    }
    return undefined;
  };

  /** Sends the request on to upstream; calls back with the upstream response (unread). */
  const forward = (req: http.IncomingMessage, onResponse: (res: http.IncomingMessage) => void, onError: () => void) => {
    const outgoing = http.request(
      {
        protocol: upstream.protocol,
        hostname: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
        agent,
      },
      onResponse,
    );
    outgoing.on("error", onError);
    req.pipe(outgoing);
  };

  const readAll = (stream: http.IncomingMessage): Promise<Buffer> =>
    new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => resolve(Buffer.concat(chunks)));
      stream.on("error", reject);
    });

  const later = (ms: number, action: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      action();
    }, ms);
    timers.add(timer);
  };

  const badGateway = (res: http.ServerResponse) => {
    if (res.headersSent) return res.destroy();
    res.writeHead(502, { "content-type": "text/plain" }).end("fault-proxy: upstream unreachable");
  };

  const server = http.createServer((req, res) => {
    const method = req.method ?? "GET";
    const path = req.url ?? "/";
    const fault = takeFault(method, path);
    requests.push({ method, path, headers: { ...req.headers }, ...(fault ? { fault: fault.kind } : {}) });

    if (!fault) {
      forward(
        req,
        (upstreamRes) => {
          res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
          upstreamRes.pipe(res);
        },
        () => badGateway(res),
      );
      return;
    }

    switch (fault.kind) {
      case "status":
        req.resume();
        req.on("end", () => {
          const body = fault.body ?? `fault-proxy: injected ${fault.status}`;
          res.writeHead(fault.status, { "content-type": "text/plain" }).end(body);
        });
        return;
      case "rate_limit":
        req.resume();
        req.on("end", () => {
          const body = JSON.stringify({
            type: "https://dental-pms-mcp.dev/problems/rate-limited",
            title: "Too many requests",
            status: 429,
            code: "rate_limited",
            detail: "Too many requests; slow down.",
            retry_after_seconds: fault.retryAfterSeconds,
          });
          res
            .writeHead(429, {
              "content-type": "application/problem+json",
              "retry-after": String(fault.retryAfterSeconds),
            })
            .end(body);
        });
        return;
      case "respond":
        req.resume();
        req.on("end", () => {
          res.writeHead(fault.status, { "content-type": fault.contentType ?? "application/json" }).end(fault.body);
        });
        return;
      case "non_json":
        req.resume();
        req.on("end", () => {
          res.writeHead(200, { "content-type": "text/html" }).end("<html><body>502 Bad Gateway… or not</body>");
        });
        return;
      case "reset":
        req.socket.destroy();
        return;
      case "delay":
        forward(
          req,
          (upstreamRes) => {
            void readAll(upstreamRes).then((body) =>
              later(fault.ms, () => {
                if (res.destroyed) return;
                res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers).end(body);
              }),
            );
          },
          () => badGateway(res),
        );
        return;
      case "truncate":
        forward(
          req,
          (upstreamRes) => {
            void readAll(upstreamRes).then((body) => {
              const headers = { ...upstreamRes.headers, "content-length": String(body.length) };
              delete headers["transfer-encoding"];
              res.writeHead(upstreamRes.statusCode ?? 502, headers);
              res.write(body.subarray(0, Math.floor(body.length / 2)), () => req.socket.destroy());
            });
          },
          () => badGateway(res),
        );
        return;
      case "lose_response":
        forward(
          req,
          (upstreamRes) => {
            void readAll(upstreamRes).then(() => req.socket.destroy());
          },
          () => req.socket.destroy(),
        );
        return;
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    inject(match, ...faults) {
      injections.push({ match, faults: [...faults] });
    },
    requests,
    clear() {
      injections.length = 0;
      requests.length = 0;
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}
