/**
 * The one failure type of the sandbox's services: an error code of the contract plus what the client
 * needs to fix the request. The HTTP layer turns it into application/problem+json.
 */
import type { ErrorCode, FieldError, Problem } from "../../contract/index.js";

/** Problem members beyond type/title/status/code/detail/errors, e.g. `conflict` or `existing_uuid`. */
export type ProblemExtras = Partial<
  Pick<Problem, "conflict" | "existing_uuid" | "current_status" | "allowed_statuses" | "retry_after_seconds">
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
