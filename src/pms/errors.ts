/**
 * Typed failures of the PMS client. Every failure the MCP layer can see is one of these, so it can
 * tell the model what happened and what to do next. Messages never contain the API token.
 */
import type { Problem } from "../contract/index.js";

export type PmsErrorKind =
  | "validation" // 400/413/415/422: the request was wrong; `problem` says which field and how
  | "not_found" // 404
  | "conflict" // 409: slot taken, duplicate patient, invalid status transition
  | "unauthorized" // 401/403: the token is missing, wrong or revoked
  | "rate_limited" // 429 after the retries allowed; `retryAfterSeconds` when the server said
  | "unavailable" // 5xx, connection refused or reset, deadline exceeded: try again later
  | "invalid_response"; // the server answered with something that does not match the contract

export class PmsError extends Error {
  override readonly name = "PmsError";
  constructor(
    readonly kind: PmsErrorKind,
    message: string,
    readonly details: {
      status?: number;
      problem?: Problem;
      retryAfterSeconds?: number;
      /** Whether the request may have taken effect (e.g. a POST whose response was lost). */
      outcomeUnknown?: boolean;
    } = {},
  ) {
    super(message);
  }

  get status(): number | undefined {
    return this.details.status;
  }

  get problem(): Problem | undefined {
    return this.details.problem;
  }
}
