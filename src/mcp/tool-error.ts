/**
 * Failures a tool raises on purpose. The central error handler (errors.ts) turns them, like any other
 * error, into an `isError` result; these carry text already written for the model.
 */

/** An argument the schema accepted but the tool cannot use (e.g. caller mode without date_of_birth). */
export class ToolInputError extends Error {
  override readonly name = "ToolInputError";
  constructor(
    readonly field: string,
    readonly expected: string,
  ) {
    super(`${field}: ${expected}`);
  }
}

/** The request was understood but cannot be done; `message` says why and what to do next. */
export class ToolFailure extends Error {
  override readonly name = "ToolFailure";
}
