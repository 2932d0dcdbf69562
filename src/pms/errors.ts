/**
 * Typed failures of the PMS client. Every failure the MCP layer can see is one of these, carrying the
 * facts of what happened (which route, what the PMS answered, whether a write may have happened, how
 * long to wait); src/mcp/errors.ts alone turns them into words for the model. `message` is a short
 * technical summary for logs: no advice, no patient data, never the API token.
 */
import type { ErrorCode, FieldError, Problem, RouteName } from "../contract/index.js";

export type PmsErrorKind =
  | "validation" // 400/413/415/422, or refused before sending: `fieldErrors` say which field and how
  | "not_found" // 404
  | "conflict" // 409: slot taken, patient busy, duplicate patient, invalid status transition
  | "unauthorized" // 401/403: the token is missing, wrong or revoked
  | "rate_limited" // 429 after the retries allowed; `retryAfterSeconds` when the server said
  | "unavailable" // 5xx, or no answer (`transport` says why)
  | "invalid_response"; // the server answered with something that does not match the contract

/** Why an attempt got no usable answer. */
export type TransportReason =
  | "refused" // nothing was sent: the connection was refused
  | "timeout" // no complete answer within the attempt's deadline
  | "connection_lost" // the connection broke before a complete answer
  | "cancelled" // the caller aborted
  | "not_started"; // the (embedded) PMS failed to start

/** Why the embedded PMS cannot start, when no retry can help: no SQLite driver loads on this Node. */
export type StartFailure = "sqlite_driver_missing";

/** What was called: a route of the contract, or the org id an embedded PMS only knows once started. */
export type PmsCall = RouteName | "orgId";

export interface PmsErrorFacts {
  call: PmsCall;
  /** The HTTP status, when the PMS answered. */
  status?: number;
  /** The answer's problem details, when it was a contract Problem: code, detail, fields, conflict, ... */
  problem?: Problem;
  /** How long the PMS asked to wait: its Retry-After header, or the problem's retry_after_seconds. */
  retryAfterSeconds?: number;
  /** The request may have taken effect: it may have reached the PMS, and no definite answer came back. */
  mayHaveWritten?: boolean;
  /** Why no usable answer came, when none did. */
  transport?: TransportReason;
  /** For transport not_started: a cause that lasts until someone changes the set-up. */
  startFailure?: StartFailure;
  /** The deadline an attempt ran out of, for a timeout. */
  timeoutMs?: number;
  /** Refused by the client before sending: nothing reached the PMS. */
  notSent?: boolean;
  /** For invalid_response: what does not match the contract (paths and rules, never values). */
  violation?: string;
}

export class PmsError extends Error {
  override readonly name = "PmsError";
  constructor(
    readonly kind: PmsErrorKind,
    readonly facts: PmsErrorFacts,
  ) {
    super(summary(kind, facts));
  }

  get call(): PmsCall {
    return this.facts.call;
  }

  get status(): number | undefined {
    return this.facts.status;
  }

  get problem(): Problem | undefined {
    return this.facts.problem;
  }

  get code(): ErrorCode | undefined {
    return this.facts.problem?.code;
  }

  get fieldErrors(): readonly FieldError[] {
    return this.facts.problem?.errors ?? [];
  }

  get retryAfterSeconds(): number | undefined {
    return this.facts.retryAfterSeconds;
  }

  get mayHaveWritten(): boolean {
    return this.facts.mayHaveWritten === true;
  }

  get transport(): TransportReason | undefined {
    return this.facts.transport;
  }
}

/** "createAppointment: conflict (HTTP 409 slot_unavailable)", "listProviders: unavailable (timeout after 800 ms)". */
function summary(kind: PmsErrorKind, facts: PmsErrorFacts): string {
  const what = [
    facts.status !== undefined ? `HTTP ${facts.status}${facts.problem ? ` ${facts.problem.code}` : ""}` : undefined,
    facts.transport === "timeout" && facts.timeoutMs !== undefined
      ? `timeout after ${facts.timeoutMs} ms`
      : facts.transport,
    facts.startFailure,
    facts.notSent ? "not sent" : undefined,
    facts.violation,
    facts.retryAfterSeconds !== undefined ? `retry after ${facts.retryAfterSeconds} s` : undefined,
    facts.mayHaveWritten ? "may have been written" : undefined,
  ].filter((part) => part !== undefined);
  return `${facts.call}: ${kind}${what.length > 0 ? ` (${what.join("; ")})` : ""}`;
}
