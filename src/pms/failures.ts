/**
 * What went wrong, as a PmsError whose message tells the model what happened and what to do next.
 * Pure: the client hands over the status, the body text and what it knows about the attempt.
 */
import { Problem, type ErrorCode, type RouteName } from "../contract/index.js";
import { PmsError, type PmsErrorKind } from "./errors.js";

const OUTCOME_UNKNOWN_ADVICE =
  " The request may or may not have taken effect: look up the current state (for example get the appointment" +
  " or search the patient) before repeating it.";

/**
 * Server failures that are definite: the PMS says it wrote nothing (its disk is full or read-only), so
 * the outcome of a write is known, and repeating the request cannot help until someone fixes the PMS.
 */
export const NOTHING_WRITTEN: ReadonlySet<ErrorCode> = new Set(["storage_full", "storage_read_only"]);

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

export interface ErrorResponse {
  route: RouteName;
  status: number;
  bodyText: string;
  retryAfterSeconds?: number;
  /** The request was not idempotent and a 5xx leaves open whether it took effect. */
  outcomeUnknown?: boolean;
}

/** The error for a non-2xx answer. */
export function errorFromStatus(failure: ErrorResponse): PmsError {
  const { status, retryAfterSeconds } = failure;
  const kind = kindOfStatus(status);
  const problem = parseProblem(failure.bodyText);
  const retryAfter = retryAfterSeconds ?? problem?.retry_after_seconds;
  const outcomeUnknown = failure.outcomeUnknown === true && !nothingWritten(problem);
  const message = messageFor(kind, status, problem, retryAfter, outcomeUnknown);
  return new PmsError(kind, message, {
    status,
    ...(problem ? { problem } : {}),
    ...(retryAfter !== undefined ? { retryAfterSeconds: retryAfter } : {}),
    ...(outcomeUnknown ? { outcomeUnknown: true } : {}),
  });
}

function messageFor(
  kind: PmsErrorKind,
  status: number,
  problem: Problem | undefined,
  retryAfterSeconds: number | undefined,
  outcomeUnknown: boolean,
): string {
  const said = problem ? `${problem.detail}` : "";
  const code = problem ? ` ${problem.code}` : "";
  switch (kind) {
    case "validation": {
      const fields = problem?.errors?.length
        ? ` Fields: ${problem.errors.map((e) => `${e.field} ${e.message}`).join("; ")}.`
        : "";
      return `The PMS rejected the request (HTTP ${status}${code}). ${said || "The request is invalid."}${fields} Correct the request and try again.`;
    }
    case "not_found":
      return `${said || "The PMS has no such record."} (HTTP 404) Check the uuid: look the record up again instead of guessing it.`;
    case "conflict":
      return `${said || "The request conflicts with the current state of the PMS."} (HTTP 409${code}) ${conflictAdvice(problem)}`;
    case "unauthorized":
      return (
        `The PMS refused the credentials (HTTP ${status}). The configured API token or organisation id is wrong, ` +
        "expired or lacks permission; an administrator must fix the configuration. Retrying will not help."
      );
    case "rate_limited":
      return retryAfterSeconds !== undefined
        ? `The PMS is rate limiting requests (HTTP 429). Wait ${retryAfterSeconds} seconds, then try again.`
        : "The PMS is rate limiting requests (HTTP 429). Wait a little, then try again.";
    case "unavailable":
      if (nothingWritten(problem)) {
        return `${said} (HTTP ${status}${code}) Nothing was saved, and retrying will not help until the PMS is fixed.`;
      }
      return (
        `The PMS is temporarily unavailable (HTTP ${status}). Try again in a moment.` +
        (outcomeUnknown ? OUTCOME_UNKNOWN_ADVICE : "")
      );
    case "invalid_response":
      return `The PMS answered with an unexpected HTTP status ${status}. This is a problem of the PMS, not of the request; try again later.`;
  }
}

function conflictAdvice(problem: Problem | undefined): string {
  switch (problem?.code) {
    case "slot_unavailable":
      return "That time is taken: check availability again and offer the caller a free slot.";
    case "patient_busy":
      return "The patient already has an appointment overlapping that time: choose a time that does not overlap it.";
    case "duplicate_patient":
      return problem.existing_uuid
        ? `Use the existing patient ${problem.existing_uuid} instead of creating a new one.`
        : "Search for the existing patient instead of creating a new one.";
    case "invalid_transition": {
      const allowed = problem.allowed_statuses ?? [];
      const current = problem.current_status ? ` It is ${problem.current_status};` : "";
      return `${current} allowed next statuses: ${allowed.length ? allowed.join(", ") : "none (final state)"}.`.trim();
    }
    case "idempotency_key_in_progress":
      return "The same booking is still being processed: wait a moment and retry with the same idempotency key.";
    default:
      return "Re-read the current state and decide again.";
  }
}

/** Why an attempt got no usable answer. */
export type TransportFailure =
  | { reason: "refused" }
  | { reason: "connection_lost" }
  | { reason: "timeout"; afterMs: number }
  | { reason: "cancelled" };

export function errorFromTransport(route: RouteName, failure: TransportFailure, outcomeUnknown: boolean): PmsError {
  const what = {
    refused: "The PMS could not be reached (connection refused).",
    connection_lost: "The connection to the PMS broke before a complete answer arrived.",
    timeout: `The PMS did not answer ${route} in time${"afterMs" in failure ? ` (${failure.afterMs} ms)` : ""}.`,
    cancelled: `The ${route} request was cancelled by the caller.`,
  }[failure.reason];
  const next = failure.reason === "cancelled" ? "" : " Try again in a moment.";
  return new PmsError(
    "unavailable",
    what + next + (outcomeUnknown ? OUTCOME_UNKNOWN_ADVICE : ""),
    outcomeUnknown ? { outcomeUnknown: true } : {},
  );
}

/** A 2xx answer that is not JSON or does not match the route's response schema. */
export function invalidResponse(route: RouteName, status: number, reason: string): PmsError {
  return new PmsError(
    "invalid_response",
    `The PMS answered ${route} with a response that does not match the API contract (${reason}). ` +
      "This is a problem of the PMS, not of the request; try again later or ask an administrator to check the PMS.",
    { status },
  );
}
