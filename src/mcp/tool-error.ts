/**
 * Failures a tool raises on purpose, each carrying the facts of what happened and nothing written for
 * the model: the one place that words failures (errors.ts) turns them, like any other error, into an
 * `isError` result.
 */
import type { Slot } from "../contract/index.js";
import type { PmsError } from "../pms/errors.js";

/** An argument the schema accepted but the tool cannot use (e.g. caller mode without date_of_birth). */
export class ToolInputError extends Error {
  override readonly name = "ToolInputError";
  constructor(
    readonly field: string,
    /** What the field must be, with an example: "must be on or after start_date (2025-05-20), e.g. 2025-05-20". */
    readonly expected: string,
    /** Whose knowledge the value is: "caller" when only the person on the line can give it. */
    readonly source: "model" | "caller" = "model",
  ) {
    super(`${field}: ${expected}`);
  }
}

/**
 * The time asked for was taken (409 slot_unavailable) when booking or rescheduling. `alternatives`: the
 * nearest free slots found within `searchedDays` days of it, or undefined when they could not be looked up.
 */
export class SlotTaken extends Error {
  override readonly name = "SlotTaken";
  constructor(
    /** The PMS's 409, with the conflicting booking's window (problem.conflict). */
    readonly refusal: PmsError,
    readonly alternatives: readonly Slot[] | undefined,
    readonly searchedDays: number,
  ) {
    super(
      `slot taken; ${alternatives === undefined ? "no alternatives looked up" : `${alternatives.length} alternatives`}`,
    );
  }
}

/** A handler's result did not match the tool's output schema: a bug of ours, after the handler ran. */
export class InvalidToolOutput extends Error {
  override readonly name = "InvalidToolOutput";
  constructor(readonly path: string | undefined) {
    super(`tool output does not match its schema at ${path ?? "(root)"}`);
  }
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
