/** RFC 9457 problem details from ApiErrors and zod issues: what is wrong, which field, how to fix it. */
import type { z } from "zod";
import { ERROR_STATUS, problemTypeUri, type ErrorCode, type FieldError, type Problem } from "../../contract/index.js";
import { ApiError } from "../services/errors.js";

const TITLES: Partial<Record<ErrorCode, string>> = {
  validation_failed: "The request is invalid",
  unauthorized: "Authentication required",
  not_found: "Not found",
  method_not_allowed: "Method not allowed",
  slot_unavailable: "The time slot is not available",
  duplicate_patient: "The patient already exists",
  invalid_transition: "Status change not allowed",
  payload_too_large: "Request body too large",
  unsupported_media_type: "Unsupported content type",
  unknown_reference: "Unknown reference",
  internal_error: "Internal error",
  storage_unavailable: "Database unavailable",
  storage_read_only: "Database is read-only",
  storage_full: "Database out of disk space",
};

function titleOf(code: ErrorCode): string {
  const title = TITLES[code];
  if (title) return title;
  const words = code.replaceAll("_", " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function problemOf(error: ApiError): Problem {
  const problem: Problem = {
    type: problemTypeUri(error.code),
    title: titleOf(error.code),
    status: ERROR_STATUS[error.code],
    code: error.code,
    detail: error.detail,
    ...error.extras,
  };
  if (error.errors.length > 0) problem.errors = error.errors;
  return problem;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** zod issues as field errors; `prefix` is "query." or "path." (body fields have none). */
export function fieldErrors(error: z.ZodError, input: unknown, prefix: string): FieldError[] {
  return error.issues.flatMap((issue): FieldError[] => {
    const path = issue.path.map(String).join(".");
    if (issue.code === "unrecognized_keys") {
      // Named back to the client, but never at length: a key may be as long as the body allows.
      return issue.keys.slice(0, 10).map((key) => ({
        field: `${prefix}${path ? `${path}.` : ""}${key.length > 64 ? `${key.slice(0, 64)}…` : key}`,
        message: "is not a field of this request; remove it",
      }));
    }
    const field = path ? `${prefix}${path}` : prefix.replace(/\.$/, "") || "body";
    const missing = issue.path.length > 0 && valueAt(input, issue.path) === undefined;
    if (!missing) return [{ field, message: issue.message }];
    return [{ field, message: issue.message.startsWith("must") ? `is required and ${issue.message}` : "is required" }];
  });
}

export function validationError(errors: FieldError[]): ApiError {
  const summary = errors.map((e) => `${e.field} ${e.message}`).join("; ");
  return new ApiError("validation_failed", `Fix these fields and retry: ${summary}.`, errors);
}
