/**
 * What went wrong, classified as a PmsError with its facts: the kind, the problem the PMS answered
 * with, the wait it asked for, whether a write may have happened. Pure: the client hands over the
 * status, the body text and what it knows about the attempt. No words for the model here: those are
 * src/mcp/errors.ts's.
 */
import { Problem, type ErrorCode, type RouteName } from "../contract/index.js";
import { PmsError, type PmsCall, type PmsErrorKind, type TransportReason } from "./errors.js";

/**
 * Server failures that are definite: the PMS says it wrote nothing (its disk is full or read-only), so
 * the outcome of a write is known, and repeating the request cannot help until someone fixes the PMS.
 */
const NOTHING_WRITTEN: ReadonlySet<ErrorCode> = new Set(["storage_full", "storage_read_only"]);

export function nothingWritten(problem: Problem | undefined): boolean {
  return problem !== undefined && NOTHING_WRITTEN.has(problem.code);
}

/** Kind of an HTTP error status. Anything unexpected outside 4xx/5xx is a contract violation. */
export function kindOfStatus(status: number): PmsErrorKind {
  if (status === 401 || status === 403) return "unauthorized";
  if (status === 404) return "not_found";
  if (status === 409) return "conflict";
  if (status === 429) return "rate_limited";
  if (status >= 400 && status < 500) return "validation";
  if (status >= 500 && status < 600) return "unavailable";
  return "invalid_response";
}

/** The body as a contract Problem, or undefined when it is not one (a proxy's HTML page, say). */
export function parseProblem(bodyText: string): Problem | undefined {
  let json: unknown;
  try {
    json = JSON.parse(bodyText);
  } catch {
    return undefined;
  }
  const result = Problem.safeParse(json);
  return result.success ? result.data : undefined;
}

/** A non-2xx answer, as the client received it. */
export interface ErrorResponse {
  route: RouteName;
  status: number;
  bodyText: string;
  retryAfterSeconds?: number;
  /** The request was not idempotent and a 5xx leaves open whether it took effect. */
  outcomeUnknown?: boolean;
}

/** The error for a non-2xx answer. */
export function errorFromStatus(response: ErrorResponse): PmsError {
  const { route: call, status } = response;
  const problem = parseProblem(response.bodyText);
  const retryAfterSeconds = response.retryAfterSeconds ?? problem?.retry_after_seconds;
  const mayHaveWritten = response.outcomeUnknown === true && !nothingWritten(problem);
  return new PmsError(kindOfStatus(status), {
    call,
    status,
    ...(problem ? { problem } : {}),
    ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
    ...(mayHaveWritten ? { mayHaveWritten } : {}),
  });
}

/** Why an attempt got no usable answer, and the deadline it ran out of. */
export type TransportFailure = { reason: Exclude<TransportReason, "timeout"> } | { reason: "timeout"; afterMs: number };

export function errorFromTransport(call: PmsCall, failure: TransportFailure, mayHaveWritten: boolean): PmsError {
  return new PmsError("unavailable", {
    call,
    transport: failure.reason,
    ...(failure.reason === "timeout" ? { timeoutMs: failure.afterMs } : {}),
    ...(mayHaveWritten ? { mayHaveWritten } : {}),
  });
}

/**
 * An answer that is not JSON or does not match the route's response schema. A 2xx to a write means the
 * PMS did act, so such a write may well have happened, whatever the answer looked like.
 */
export function invalidResponse(call: PmsCall, status: number, violation: string, mayHaveWritten: boolean): PmsError {
  return new PmsError("invalid_response", { call, status, violation, ...(mayHaveWritten ? { mayHaveWritten } : {}) });
}
