/**
 * The PMS API over HTTP: every call goes through the contract's route table, is validated before it
 * is sent, parsed against the response schema when it comes back, and retried only when that is safe.
 * Voice bots give a tool call a few seconds, so every call has an overall deadline, retries included.
 */
import { performance } from "node:perf_hooks";
import type { Dispatcher } from "undici";
import { API_PREFIX, routes, type RouteName, type RouteSpec } from "../contract/index.js";
import { silentLogger, type Logger } from "../log.js";
import {
  routeMethods,
  type CallOptions,
  type PmsApi,
  type RouteInput,
  type RouteMethods,
  type RouteResult,
} from "./api.js";
import { backoffDelayMs, parseRetryAfterMs } from "./backoff.js";
import { PmsError } from "./errors.js";
import {
  errorFromStatus,
  errorFromTransport,
  invalidResponse,
  nothingWritten,
  type TransportFailure,
} from "./failures.js";
import { ReferenceCache } from "./reference-cache.js";
import { Pool, poolRequest } from "./undici-pool.js";
import { buildRequest, localValidationError, type BuiltRequest, type CallInput } from "./request.js";

export interface PmsClientOptions {
  /** Origin of the PMS, e.g. "http://127.0.0.1:4010" (without /api/v1). */
  baseUrl: string;
  orgId: string;
  token: string;
  /** Deadline of one attempt, default 5000 ms. */
  timeoutMs?: number;
  /** Deadline of the whole call including retries, default twice timeoutMs but at least 10000 ms. */
  totalDeadlineMs?: number;
  /** Retries after the first attempt, default 2. */
  maxRetries?: number;
  /** How long reference data (types, providers, locations) is reused, default 60000 ms; 0 disables. */
  cacheTtlMs?: number;
  logger?: Logger;
  /** Wall clock for the cache and Retry-After dates. Deadlines use the monotonic clock. */
  now?: () => number;
  /** Source of backoff jitter in [0, 1), default Math.random. */
  random?: () => number;
  /** Keep-alive connections to the PMS, default 8. */
  connections?: number;
}

/** Answers larger than this are not a PMS answer we understand. */
const MAX_RESPONSE_BYTES = 8 * 1024 * 1024;
/** A retry is only worth starting if at least this much of the deadline is left for it. */
const MIN_ATTEMPT_MS = 100;
/** Statuses that say "not now" rather than "no". 500 only for requests that are safe to repeat. */
const TRANSIENT_STATUSES = new Set([500, 502, 503, 504]);
/** What the PMS accepts as an Idempotency-Key: 1 to 255 visible ASCII characters. */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

type AttemptResult =
  | { ok: true; value: unknown; replayed: boolean }
  | { ok: false; error: PmsError; retry: boolean; retryAfterMs?: number };

interface CallContext {
  name: RouteName;
  route: RouteSpec;
  request: BuiltRequest;
  /** Repeating the request cannot apply it twice (GET, or a POST carrying an Idempotency-Key). */
  repeatable: boolean;
  headers: Record<string, string>;
  signal?: AbortSignal;
}

/** Reference data: read on nearly every turn, changed rarely, so answers are reused for cacheTtlMs. */
const CACHED_ROUTES: ReadonlySet<RouteName> = new Set<RouteName>([
  "listAppointmentTypes",
  "listProviders",
  "listLocations",
]);

// The route methods (searchPatients, createAppointment, ...) are made from the route table in the
// constructor, each calling `call`; this declares them, as the TypeScript handbook's mixins do.
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging, @typescript-eslint/no-empty-object-type
export interface PmsClient extends RouteMethods {}

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class PmsClient implements PmsApi {
  private readonly pool: Pool;
  private readonly apiPath: string;
  private readonly org: string;
  private readonly token: string;
  private readonly timeoutMs: number;
  private readonly totalDeadlineMs: number;
  private readonly maxRetries: number;
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly cache: ReferenceCache;

  constructor(options: PmsClientOptions) {
    const url = parseBaseUrl(options.baseUrl);
    if (!options.orgId?.trim()) throw new Error("PMS orgId must be the organisation id, e.g. a uuid");
    if (!options.token?.trim()) throw new Error("PMS token must be a non-empty API token");
    this.token = options.token;
    this.timeoutMs = positive(options.timeoutMs, 5_000, "timeoutMs");
    // Derived from timeoutMs, so that a long per-attempt timeout is not cut short by a fixed default.
    this.totalDeadlineMs = positive(options.totalDeadlineMs, Math.max(10_000, 2 * this.timeoutMs), "totalDeadlineMs");
    this.maxRetries = nonNegative(options.maxRetries, 2, "maxRetries");
    this.logger = options.logger ?? silentLogger;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.cache = new ReferenceCache(nonNegative(options.cacheTtlMs, 60_000, "cacheTtlMs"), this.now);
    const basePath = url.pathname.replace(/\/+$/, "");
    this.org = options.orgId.trim();
    this.apiPath = `${basePath}${API_PREFIX}/${encodeURIComponent(this.org)}`;
    this.pool = new Pool(url.origin, {
      connections: positive(options.connections, 8, "connections"),
      maxResponseSize: MAX_RESPONSE_BYTES,
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
      connect: { timeout: this.timeoutMs },
    });
    Object.assign(
      this,
      routeMethods((name, input, options) => this.call(name, input, options)),
    );
  }

  async close(): Promise<void> {
    this.cache.clear();
    await this.pool.close();
  }

  async orgId(): Promise<string> {
    return this.org;
  }

  /** The one call path of every route: reference data through the cache, the rest straight to the PMS. */
  private async call<N extends RouteName>(
    name: N,
    input: RouteInput<N>,
    options: CallOptions & { idempotencyKey?: string },
  ): Promise<RouteResult<N>> {
    if (CACHED_ROUTES.has(name)) return this.cached(name, input, options) as Promise<RouteResult<N>>;
    const { value, replayed } = await this.exchange(name, input, options);
    // Only the idempotent route's answer says whether it was a replay (RouteResult).
    const route: RouteSpec = routes[name];
    return (route.idempotent ? { value, replayed } : value) as RouteResult<N>;
  }

  /**
   * Reference data through the cache. The shared load runs without any one caller's signal (one
   * caller giving up must not fail the others); each caller still stops waiting on its own abort.
   * Callers get their own copy, so one cannot change what the next one sees.
   */
  private async cached(name: RouteName, input: CallInput, options: CallOptions): Promise<unknown> {
    const key = `${name}?${buildRequest(name, input).path}`;
    const shared = this.cache.get(key, async () => (await this.exchange(name, input, {})).value);
    const value = await untilAborted(shared, options.signal, () =>
      errorFromTransport(name, { reason: "cancelled" }, false),
    );
    return structuredClone(value);
  }

  private async exchange(
    name: RouteName,
    input: CallInput,
    options: CallOptions & { idempotencyKey?: string },
  ): Promise<{ value: unknown; replayed: boolean }> {
    try {
      return await this.send(name, input, options);
    } catch (error) {
      throw this.scrub(name, error);
    }
  }

  private async send(
    name: RouteName,
    input: CallInput,
    options: CallOptions & { idempotencyKey?: string },
  ): Promise<{ value: unknown; replayed: boolean }> {
    const route: RouteSpec = routes[name];
    const request = buildRequest(name, input);
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.token}`,
      accept: "application/json",
      "user-agent": "dental-pms-mcp",
    };
    if (request.body !== undefined) headers["content-type"] = "application/json";
    const key = options.idempotencyKey;
    if (route.idempotent && key !== undefined) {
      if (!IDEMPOTENCY_KEY.test(key)) throw invalidIdempotencyKey();
      headers["idempotency-key"] = key;
    }
    const context: CallContext = {
      name,
      route,
      request,
      repeatable: route.method === "GET" || (route.idempotent === true && key !== undefined),
      headers,
      ...(options.signal ? { signal: options.signal } : {}),
    };

    const deadline = performance.now() + this.totalDeadlineMs;
    for (let attempt = 1; ; attempt++) {
      if (options.signal?.aborted) throw errorFromTransport(name, { reason: "cancelled" }, false);
      const remaining = Math.max(1, Math.floor(deadline - performance.now()));
      const result = await this.attempt(context, attempt, Math.min(this.timeoutMs, remaining));
      if (result.ok) return { value: result.value, replayed: result.replayed };
      if (!result.retry || attempt > this.maxRetries) throw result.error;

      const delay = result.retryAfterMs ?? backoffDelayMs(attempt, this.random);
      const left = deadline - performance.now();
      // Rather an honest "try again in N s" now than a wait that outlives the caller's patience.
      if (delay + MIN_ATTEMPT_MS > left) throw result.error;
      this.logger.debug("pms.retry", { route: name, attempt, delay_ms: delay, kind: result.error.kind });
      await sleep(delay, options.signal, () => errorFromTransport(name, { reason: "cancelled" }, false));
    }
  }

  /** One HTTP exchange within `budgetMs`, classified: a value, or an error and whether to try again. */
  private async attempt(context: CallContext, attempt: number, budgetMs: number): Promise<AttemptResult> {
    const { name, request, repeatable } = context;
    const started = performance.now();
    const timer = new AbortController();
    let timedOut = false;
    const timeout = setTimeout(() => {
      timedOut = true;
      timer.abort();
    }, budgetMs);
    // The caller's cancellation aborts this attempt too (a listener, cheaper per request than AbortSignal.any).
    const cancel = () => timer.abort();
    context.signal?.addEventListener("abort", cancel, { once: true });
    let status: number | undefined;

    const log = (outcome: string) =>
      this.logger.debug("pms.request", {
        route: name,
        method: request.method,
        attempt,
        status,
        outcome,
        ms: Math.round(performance.now() - started),
      });

    try {
      const response = await poolRequest(this.pool, {
        method: request.method,
        path: this.apiPath + request.path,
        headers: context.headers,
        body: request.body ?? null,
        signal: timer.signal,
        headersTimeout: budgetMs,
        bodyTimeout: budgetMs,
      });
      status = response.statusCode;
      const bodyText = await response.body.text();
      const result = this.interpret(context, response.statusCode, response.headers, bodyText);
      log(result.ok ? "ok" : result.error.kind);
      return result;
    } catch (error) {
      const failure = transportFailure(error, {
        timedOut,
        cancelled: context.signal?.aborted === true,
        budgetMs,
      });
      log(failure.reason);
      if (isUndiciCode(error, "UND_ERR_RES_EXCEEDED_MAX_SIZE")) {
        const error = invalidResponse(name, status ?? 0, "the answer is too large", context.route.method !== "GET");
        return { ok: false, error, retry: false };
      }
      // A refused connection carried nothing, so even a plain POST may be repeated.
      const notSent = failure.reason === "refused";
      // A POST that may have reached the server may have taken effect, retried or not.
      const outcomeUnknown = !notSent && context.route.method !== "GET";
      return {
        ok: false,
        error: errorFromTransport(name, failure, outcomeUnknown),
        retry: failure.reason !== "cancelled" && (repeatable || notSent) && !isClosed(error),
      };
    } finally {
      clearTimeout(timeout);
      context.signal?.removeEventListener("abort", cancel);
    }
  }

  private interpret(
    context: CallContext,
    status: number,
    headers: Dispatcher.ResponseData["headers"],
    bodyText: string,
  ): AttemptResult {
    const { name, route, repeatable } = context;
    if (status === 204 && route.status === 204) return { ok: true, value: undefined, replayed: false };
    if (status >= 200 && status < 300) {
      let json: unknown;
      try {
        json = JSON.parse(bodyText);
      } catch {
        return {
          ok: false,
          error: invalidResponse(name, status, "the body is not JSON", route.method !== "GET"),
          retry: false,
        };
      }
      const parsed = route.response.safeParse(json);
      if (parsed.success) return { ok: true, value: parsed.data, replayed: headers["idempotent-replayed"] === "true" };
      const where = parsed.error.issues
        .slice(0, 3)
        .map((issue) => `${issue.path.join(".") || "body"}: ${issue.message}`)
        .join("; ");
      return { ok: false, error: invalidResponse(name, status, where, route.method !== "GET"), retry: false };
    }

    const retryAfterMs = parseRetryAfterMs(headers["retry-after"], this.now());
    const retryAfterSeconds = retryAfterMs === undefined ? undefined : Math.ceil(retryAfterMs / 1000);
    if (status === 429) {
      // The server refused before doing anything, so repeating is safe for every method.
      const error = errorFromStatus({
        route: name,
        status,
        bodyText,
        ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
      });
      return { ok: false, error, retry: true, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
    }
    const transient = status >= 500 && status < 600;
    const error = errorFromStatus({
      route: name,
      status,
      bodyText,
      ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
      outcomeUnknown: transient && route.method !== "GET",
    });
    return {
      ok: false,
      error,
      retry: repeatable && TRANSIENT_STATUSES.has(status) && !nothingWritten(error.problem),
      ...(retryAfterMs !== undefined && status === 503 ? { retryAfterMs } : {}),
    };
  }

  /** Last line of defence: the token never leaves the client, whatever a server echoed back. */
  private scrub(name: RouteName, error: unknown): PmsError {
    if (!(error instanceof PmsError)) {
      const kind = error instanceof Error ? error.name : typeof error;
      this.logger.error("pms.unexpected_failure", { route: name, kind });
      // A bug of ours, perhaps after the request was sent: a write may have happened.
      return new PmsError("unavailable", { call: name, mayHaveWritten: routes[name].method !== "GET" });
    }
    const redact = (value: unknown): unknown => {
      if (typeof value === "string") return value.replaceAll(this.token, "[redacted]");
      if (Array.isArray(value)) return value.map(redact);
      if (value && typeof value === "object") {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redact(v)]));
      }
      return value;
    };
    const facts = redact(error.facts) as PmsError["facts"];
    return JSON.stringify(facts) === JSON.stringify(error.facts) ? error : new PmsError(error.kind, facts);
  }
}

function transportFailure(
  error: unknown,
  state: { timedOut: boolean; cancelled: boolean; budgetMs: number },
): TransportFailure {
  if (state.cancelled) return { reason: "cancelled" };
  if (
    state.timedOut ||
    isUndiciCode(error, "UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT", "UND_ERR_CONNECT_TIMEOUT")
  ) {
    return { reason: "timeout", afterMs: state.budgetMs };
  }
  if (isUndiciCode(error, "ECONNREFUSED")) return { reason: "refused" };
  return { reason: "connection_lost" };
}

function isUndiciCode(error: unknown, ...codes: string[]): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && codes.includes(code);
}

function isClosed(error: unknown): boolean {
  return isUndiciCode(error, "UND_ERR_CLOSED", "UND_ERR_DESTROYED");
}

function invalidIdempotencyKey(): PmsError {
  return localValidationError("createAppointment", [
    { field: "header.idempotency-key", message: "must be 1 to 255 visible ASCII characters, e.g. a uuid" },
  ]);
}

function parseBaseUrl(baseUrl: string): URL {
  let url: URL | undefined;
  try {
    url = new URL(baseUrl);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) {
    throw new Error("PMS baseUrl must be an http(s) URL such as http://127.0.0.1:4010");
  }
  return url;
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`PMS client option ${name} must be a positive number`);
  return value;
}

function nonNegative(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0) throw new Error(`PMS client option ${name} must be zero or more`);
  return value;
}

function sleep(ms: number, signal: AbortSignal | undefined, cancelled: () => PmsError): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(cancelled());
    const onAbort = () => {
      clearTimeout(timer);
      reject(cancelled());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** `promise`, unless `signal` aborts first. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined, cancelled: () => PmsError): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(cancelled());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(cancelled());
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}
