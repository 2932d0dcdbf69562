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

/**
 * Caller mode: the identity check did not give a patient. `not_verified` covers no match and several
 * matches alike (the caller must not learn which detail was wrong); `locked` means too many recent
 * failures for this name, so not even correct details are checked until the window has passed.
 */
export class VerificationRefused extends Error {
  override readonly name = "VerificationRefused";
  constructor(readonly reason: "not_verified" | "locked") {
    super(`caller verification refused: ${reason}`);
  }
}

/** Caller mode: the caller_pass is missing its parts, not signed by us, expired, or for another practice. */
export class CallerPassRefused extends Error {
  override readonly name = "CallerPassRefused";
  constructor(readonly problem: "malformed" | "forged" | "expired" | "other_org") {
    super(`caller_pass refused: ${problem}`);
  }
}

/**
 * Caller mode: no appointment of the verified patient has this uuid. Raised alike whether it does not
 * exist or belongs to somebody else, so the answer never tells the two apart.
 */
export class AppointmentNotFound extends Error {
  override readonly name = "AppointmentNotFound";
  constructor() {
    super("no appointment of the verified caller has this uuid");
  }
}

/** Caller mode: registering would duplicate a patient; which one is not said. */
export class PossibleExistingPatient extends Error {
  override readonly name = "PossibleExistingPatient";
  constructor() {
    super("a patient with this name and date of birth may already exist");
  }
}
