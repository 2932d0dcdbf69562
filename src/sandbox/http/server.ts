/**
 * The sandbox's HTTP front: node:http, routing from the contract's routes table, bearer auth,
 * body limits, zod validation, and problem+json for every failure. Bad input never reaches a 500.
 */
import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { z } from "zod";
import {
  API_PREFIX,
  PROBLEM_CONTENT_TYPE,
  routes,
  type ErrorCode,
  type RouteName,
  type RouteSpec,
} from "../../contract/index.js";
import type { Logger } from "../../log.js";
import type { Caller, ServiceContext } from "../services/context.js";
import { ApiError, storageFailure } from "../services/errors.js";
import { StorageError } from "../storage/storage.js";
import { IDEMPOTENCY_KEY_PATTERN } from "../services/idempotency.js";
import { handlers, type HandlerInput, type HandlerResult } from "./handlers.js";
import { buildOpenApiDocument } from "./openapi.js";
import { fieldErrors, problemOf, validationError } from "./problem.js";
import { TokenCache } from "./token-cache.js";

export const MAX_BODY_BYTES = 64 * 1024;
const REALM = 'Bearer realm="dental-pms"';

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

interface CompiledRoute {
  name: RouteName;
  spec: RouteSpec;
  pattern: RegExp;
  paramNames: string[];
}

function compile(): CompiledRoute[] {
  return (Object.entries(routes) as [RouteName, RouteSpec][]).map(([name, spec]) => {
    const paramNames: string[] = [];
    const source = spec.path.replace(/\{(\w+)\}/g, (_, param: string) => {
      paramNames.push(param);
      return "([^/]+)";
    });
    return { name, spec, pattern: new RegExp(`^${source}$`), paramNames };
  });
}

/** An ApiError answered with extra headers (WWW-Authenticate, Allow), thrown to end a request early. */
class ProblemResponse extends Error {
  constructor(
    readonly error: ApiError,
    readonly headers: Record<string, string> = {},
  ) {
    super(error.detail);
  }
}

function fail(error: ApiError, headers?: Record<string, string>): never {
  throw new ProblemResponse(error, headers);
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  contentType: string,
  headers: Record<string, string> = {},
) {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": `${contentType}; charset=utf-8`,
    "Content-Length": Buffer.byteLength(payload),
    "Cache-Control": "no-store",
    ...headers,
  });
  res.end(payload);
}

/**
 * Reads the body up to the limit; 413 as soon as it is exceeded (declared or actual). node:http
 * discards the unread rest once the response is sent, so the client still gets to read the 413.
 */
async function readBody(req: IncomingMessage): Promise<string> {
  const tooLarge = () =>
    fail(new ApiError("payload_too_large", `The request body exceeds ${MAX_BODY_BYTES} bytes. Send a smaller body.`));
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > MAX_BODY_BYTES) tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function parseWith<S extends z.ZodType>(schema: S, input: unknown, prefix: string): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) fail(validationError(fieldErrors(result.error, input, prefix)));
  return result.data;
}

async function parseJsonBody(req: IncomingMessage): Promise<unknown> {
  const contentType = (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase();
  if (contentType !== "application/json") {
    fail(
      new ApiError(
        "unsupported_media_type",
        `Send the body as JSON with the header Content-Type: application/json (got ${contentType ? `"${contentType.slice(0, 60)}"` : "none"}).`,
      ),
    );
  }
  const text = await readBody(req);
  if (text.trim() === "") fail(validationError([{ field: "body", message: "is required: send a JSON object" }]));
  try {
    return JSON.parse(text) as unknown;
  } catch {
    fail(validationError([{ field: "body", message: "is not valid JSON; send a JSON object" }]));
  }
}

function queryObject(url: URL): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const key of new Set(url.searchParams.keys())) {
    const values = url.searchParams.getAll(key);
    query[key] = values.length === 1 ? (values[0] as string) : values;
  }
  return query;
}

export interface HandlerOptions {
  logger: Logger;
}

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** The whole API as a node:http request listener, usable in-process (benchmarks) or by a server. */
export function createRequestHandler(ctx: ServiceContext, options: HandlerOptions): RequestHandler {
  const compiled = compile();
  // Built on first request: converting every schema is work the start-up of the embedded sandbox need not wait for.
  let openApi: string | undefined;
  const { logger } = options;
  const tokens = new TokenCache((tokenHash) => ctx.storage.findToken(tokenHash));

  async function authenticate(req: IncomingMessage): Promise<Caller> {
    const header = req.headers.authorization;
    if (header === undefined) {
      fail(new ApiError("unauthorized", "Send your API token as Authorization: Bearer <token>."), {
        "WWW-Authenticate": REALM,
      });
    }
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    const found = match?.[1] === undefined ? null : await tokens.find(hashToken(match[1]));
    if (!found) {
      fail(new ApiError("unauthorized", "The API token is invalid or revoked. Check the token you were given."), {
        "WWW-Authenticate": `${REALM}, error="invalid_token"`,
      });
    }
    return { orgId: found.org_id, tokenId: found.token_id };
  }

  async function dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://sandbox.invalid");
    const method = req.method ?? "GET";
    if (url.pathname === "/openapi.json") {
      if (method !== "GET") fail(new ApiError("method_not_allowed", "Use GET for /openapi.json."), { Allow: "GET" });
      openApi ??= JSON.stringify(buildOpenApiDocument());
      res.writeHead(200, {
        "Content-Type": "application/json; charset=utf-8",
        "Content-Length": Buffer.byteLength(openApi),
      });
      res.end(openApi);
      return;
    }
    const prefix = `${API_PREFIX}/`;
    // Built only when answered: an Error captures a stack trace, a cost every request paid.
    const notFound = () =>
      new ApiError(
        "not_found",
        `Nothing here. API paths look like ${API_PREFIX}/{org_id}/patients; see /openapi.json.`,
      );
    if (!url.pathname.startsWith(prefix)) fail(notFound());
    const rest = url.pathname.slice(prefix.length);
    const slash = rest.indexOf("/");
    const orgId = safeDecode(slash === -1 ? rest : rest.slice(0, slash));
    const subPath = slash === -1 ? "" : rest.slice(slash);

    const caller = await authenticate(req);
    // Another org's path looks exactly like a path that does not exist.
    if (orgId !== caller.orgId) fail(notFound());

    const matching = compiled.flatMap((route) => {
      const match = route.pattern.exec(subPath);
      return match ? [{ route, match }] : [];
    });
    if (matching.length === 0) fail(notFound());
    const hit = matching.find(({ route }) => route.spec.method === method);
    if (!hit) {
      const allow = matching.map(({ route }) => route.spec.method).join(", ");
      fail(new ApiError("method_not_allowed", `${method} is not supported here; use ${allow}.`), { Allow: allow });
    }
    const { route, match } = hit;
    const spec = route.spec;

    const rawParams: Record<string, string> = {};
    route.paramNames.forEach((name, i) => {
      rawParams[name] = safeDecode(match[i + 1] ?? "");
    });
    const input: HandlerInput<RouteName> = {
      params: spec.params ? parseWith(spec.params, rawParams, "path.") : undefined,
      query: spec.query ? parseWith(spec.query, queryObject(url), "query.") : undefined,
      body: undefined,
    } as HandlerInput<RouteName>;
    if (spec.idempotent) {
      const key = req.headers["idempotency-key"];
      if (key !== undefined) {
        if (typeof key !== "string" || !IDEMPOTENCY_KEY_PATTERN.test(key)) {
          fail(
            validationError([
              { field: "header.idempotency-key", message: "must be 1 to 255 visible ASCII characters, e.g. a uuid" },
            ]),
          );
        }
        input.idempotencyKey = key;
      }
    }
    if (spec.body) {
      const raw = await parseJsonBody(req);
      (input as { body: unknown }).body = parseWith(spec.body, raw, "");
    }
    const handler = handlers[route.name] as (
      c: ServiceContext,
      k: Caller,
      i: HandlerInput<RouteName>,
    ) => Promise<HandlerResult>;
    const result = await handler(ctx, caller, input);
    if (result.status === 204) {
      res.writeHead(204, { "Cache-Control": "no-store", ...result.headers });
      res.end();
      return;
    }
    send(res, result.status, result.body, "application/json", result.headers);
  }

  return (req, res) => {
    const started = performance.now();
    dispatch(req, res)
      .catch((error: unknown) => {
        if (error instanceof ProblemResponse) return sendProblem(res, error.error, error.headers);
        if (error instanceof ApiError) return sendProblem(res, error);
        if (error instanceof StorageError) {
          // The operator learns where (data directory or database host); the client only what and when to retry.
          logger.error("sandbox.storage_failed", {
            kind: error.kind,
            code: error.driverCode,
            storage: error.where,
            method: req.method,
          });
          return sendProblem(res, storageFailure(error));
        }
        // Log the failure's kind and message only: never request data, which may hold patient details.
        logger.error("sandbox.internal_error", {
          method: req.method,
          error: error instanceof Error ? `${error.name}: ${error.message}` : "non-error thrown",
        });
        sendProblem(res, new ApiError("internal_error", "The server failed unexpectedly. Retry later."));
      })
      .finally(() => {
        logger.debug("sandbox.request", {
          method: req.method,
          status: res.statusCode,
          ms: Math.round((performance.now() - started) * 10) / 10,
        });
      });
  };
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Refusals after which the connection is not worth keeping: the client may still be sending a body we will not read. */
const CLOSING: ReadonlySet<ErrorCode> = new Set(["unauthorized", "payload_too_large"]);

function sendProblem(res: ServerResponse, error: ApiError, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (CLOSING.has(error.code)) headers = { ...headers, Connection: "close" };
  const problem = problemOf(error);
  const retryAfter: Record<string, string> =
    problem.retry_after_seconds === undefined ? {} : { "Retry-After": String(problem.retry_after_seconds) };
  send(res, problem.status, problem, PROBLEM_CONTENT_TYPE, { ...retryAfter, ...headers });
}
