/**
 * The one failure type of the sandbox's services: an error code of the contract plus what the client
 * needs to fix the request. The HTTP layer turns it into application/problem+json.
 */
import type { ErrorCode, FieldError, Problem } from "../../contract/index.js";
import type { StorageError } from "../storage/storage.js";

/** Problem members beyond type/title/status/code/detail/errors, e.g. `conflict` or `existing_uuid`. */
export type ProblemExtras = Partial<
  Pick<
    Problem,
    "conflict" | "held_until" | "existing_uuid" | "current_status" | "allowed_statuses" | "retry_after_seconds"
  >
>;

export class ApiError extends Error {
  override readonly name = "ApiError";
  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
    readonly errors: FieldError[] = [],
    readonly extras: ProblemExtras = {},
  ) {
    super(detail);
  }
}

export function notFound(what: string, uuid: string): ApiError {
  return new ApiError("not_found", `No ${what} with uuid ${uuid} exists in this practice. Check the uuid.`);
}

export function unknownReferences(errors: FieldError[]): ApiError {
  const fields = errors.map((e) => e.field).join(", ");
  return new ApiError(
    "unknown_reference",
    `The request refers to something that does not exist in this practice (${fields}). ` +
      "Use uuids returned by the API's list endpoints.",
    errors,
  );
}

export function validationFailed(field: string, message: string): ApiError {
  return new ApiError("validation_failed", `${field} ${message}`, [{ field, message }]);
}

/** Seconds a client should wait before retrying after a database hiccup (a failover, a held lock). */
export const STORAGE_RETRY_AFTER_SECONDS = 1;

/**
 * A database failure as the client sees it: what happened and whether anything was written, never
 * where the database lives (the log says that).
 */
export function storageFailure(error: StorageError): ApiError {
  switch (error.kind) {
    case "full":
      return new ApiError(
        "storage_full",
        "The practice system's database is out of disk space, so nothing was saved. Reading still works; " +
          "saving works again once an administrator frees disk space.",
      );
    case "read_only":
      return new ApiError(
        "storage_read_only",
        "The practice system's database is read-only right now, so nothing was saved. Reading still works; " +
          "saving works again once an administrator makes the database writable.",
      );
    case "unavailable":
    case "busy":
      return new ApiError(
        "storage_unavailable",
        `The practice system's database is unavailable or busy for a moment. Retry in ${STORAGE_RETRY_AFTER_SECONDS} second(s); ` +
          "a booking retried with the same Idempotency-Key is never made twice.",
        [],
        { retry_after_seconds: STORAGE_RETRY_AFTER_SECONDS },
      );
  }
}
