/**
 * The one place where anything a tool throws becomes the text the model reads: an `isError` result.
 * Lower layers raise errors that carry facts (src/pms/errors.ts: status, code, fields, retry-after,
 * whether a write may have happened; tool-error.ts), and only this file words them, in two shapes:
 *
 * - a problem the model can fix: what is wrong, each field with its expected form, then "call X again";
 * - a failure of the system: what happened, whether anything was saved (for tools that write), and one
 *   next step: retry now or after N seconds, check before repeating, or offer to have the practice call.
 *
 * Every text gives one next step, never two. Never structuredContent on an error (SDK 1.x clients reject
 * it), never a stack trace, never a message of an unknown error (it may quote patient data).
 */
import { z } from "zod";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { providerName, routes, type Problem, type RouteSpec, type Slot } from "../contract/index.js";
import type { Logger } from "../log.js";
import { PmsError } from "../pms/errors.js";
import type { PrivacyMode } from "./privacy.js";
import { clip } from "./protocol-guard.js";
import { describeLocal, describeLocalRange, localAt } from "./time.js";
import {
  AppointmentNotFound,
  CallerPassRefused,
  InvalidToolOutput,
  PossibleExistingPatient,
  SlotTaken,
  ToolInputError,
  VerificationRefused,
} from "./tool-error.js";
import { SUPPLIED_BY } from "./tools/params.js";

/** The call that failed, as far as the words depend on it. */
export interface FailedCall {
  tool: string;
  /** The tool's hints: a read-only tool saves nothing; an idempotent one may simply be called again. */
  annotations: { readOnlyHint: boolean; idempotentHint: boolean };
  privacy: PrivacyMode;
  /** The arguments as received, to tell a missing field from a wrong one. */
  args: unknown;
}

/**
 * What each tool that writes does, for saying whether it happened. A tool that writes must be listed
 * (the catalogue test checks): without it, no text could say what may or may not have been saved.
 */
export const WRITE_OUTCOMES: Readonly<Record<string, { record: string; done: string; checkWith: string }>> = {
  create_patient: { record: "the patient", done: "registered", checkWith: "search_patients" },
  book_appointment: { record: "the appointment", done: "booked", checkWith: "find_appointments" },
  reschedule_appointment: { record: "the appointment", done: "moved", checkWith: "find_appointments" },
  cancel_appointment: { record: "the appointment", done: "cancelled", checkWith: "find_appointments" },
  update_appointment_status: { record: "the status", done: "changed", checkWith: "find_appointments" },
  add_appointment_note: { record: "the note", done: "attached", checkWith: "find_appointments" },
  hold_slot: { record: "the hold", done: "made", checkWith: "check_availability" },
};
const UNLISTED_WRITE = { record: "the change", done: "made", checkWith: "find_appointments" };

const CALL_BACK = "tell the person the booking system has a problem and offer to have the practice call back";
const CONFIGURATION =
  "This is a configuration problem that retrying cannot fix: tell the person the booking system is unavailable " +
  "and that staff will follow up.";

export function toErrorResult(call: FailedCall, error: unknown, logger: Logger): CallToolResult {
  return { content: [{ type: "text", text: describeFailure(call, error, logger) }], isError: true };
}

/** The words for anything a tool throws: the text of its error result, or of one item of a batch that failed. */
export function describeFailure(call: FailedCall, error: unknown, logger: Logger): string {
  const { tool } = call;
  if (error instanceof z.ZodError) {
    return fixable(
      `Invalid arguments for ${tool}:`,
      describeIssues(error.issues, call.args),
      `Fix these and call ${tool} again.`,
    );
  }
  if (error instanceof ToolInputError) {
    const next =
      error.source === "caller"
        ? `Ask the caller for this, then call ${tool} again.`
        : `Fix this and call ${tool} again.`;
    return fixable(`Invalid arguments for ${tool}:`, [`${error.field}: ${error.expected}`], next);
  }
  if (error instanceof SlotTaken)
    return describeTaken(call, error.refusal.problem, error.alternatives, error.searchedDays);
  if (error instanceof VerificationRefused) return describeRefusal(error);
  if (error instanceof CallerPassRefused) return describePassProblem(tool, error);
  if (error instanceof AppointmentNotFound) {
    return (
      "No appointment with this appointment_uuid was found for this caller. Use an appointment_uuid from " +
      `find_appointments called with the same caller_pass, then call ${tool} again.`
    );
  }
  if (error instanceof PossibleExistingPatient) return possibleExistingPatient();
  if (error instanceof PmsError) {
    logger.warn("tool_failed", {
      tool,
      kind: error.kind,
      status: error.status,
      code: error.code,
      transport: error.transport,
    });
    return describePmsError(call, error);
  }
  if (error instanceof InvalidToolOutput) {
    logger.error("tool_output_invalid", { tool, issue: error.path });
  } else {
    // Unknown errors may quote record contents: log the type only, never the message.
    logger.error("tool_crashed", { tool, error: error instanceof Error ? error.name : typeof error });
  }
  return systemFailure(
    call,
    `${tool} failed because of an internal error in the scheduling server (not caused by your arguments).`,
    "maybe",
    `Try once more; if it fails again, ${CALL_BACK}.`,
  );
}

/** A problem the model can fix: a heading, what is wrong (one line per field), and the one next step. */
function fixable(heading: string, lines: readonly string[], next: string): string {
  if (lines.length === 0) return `${heading} ${next}`;
  return [heading, ...lines.map((line) => `- ${line}`), next].join("\n");
}

/**
 * A failure of the system: what happened, then for a tool that writes whether anything was saved, then
 * the next step. When a write may have happened, the only next step is to look before repeating (or to
 * repeat, where that is safe): `next` would be a second, contradicting piece of advice.
 */
function systemFailure(call: FailedCall, what: string, saved: "nothing" | "maybe", next: string): string {
  if (call.annotations.readOnlyHint) return joined(what, next);
  if (saved === "nothing") return joined(what, "Nothing was saved.", next);
  const write = WRITE_OUTCOMES[call.tool] ?? UNLISTED_WRITE;
  const check = call.annotations.idempotentHint
    ? `Do not assume either way: check with ${write.checkWith}, or call ${call.tool} again with exactly the same ` +
      "arguments, which is safe."
    : `Do not assume either way: check with ${write.checkWith} before calling ${call.tool} again.`;
  return joined(
    what,
    `It is unknown whether ${call.tool} took effect: ${write.record} may or may not have been ${write.done}.`,
    check,
  );
}

function joined(...sentences: string[]): string {
  return sentences.filter(Boolean).join(" ");
}

function describeIssues(issues: readonly z.core.$ZodIssue[], args: unknown): string[] {
  return issues.slice(0, 8).map((issue) => {
    const field = issue.path.map(String).join(".") || "(arguments)";
    if (issue.code === "unrecognized_keys") {
      const names = issue.keys.slice(0, 5).map((key) => clip(key));
      const more = issue.keys.length > names.length ? ` and ${issue.keys.length - names.length} more` : "";
      const list = `${names.join(", ")}${more}`;
      return `unknown parameter(s) ${list}: remove them; see the tool's input schema for the accepted names`;
    }
    const missing = issue.path.length > 0 && valueAt(args, issue.path) === undefined;
    return missing ? `${field}: is required; it ${issue.message}` : `${field}: ${issue.message}`;
  });
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/**
 * Caller mode. One text for no match and for several matches alike: which detail was wrong must not
 * be learnable, or the answers would narrow down a birth date or phone one guess at a time.
 */
function describeRefusal(error: VerificationRefused): string {
  return error.reason === "locked"
    ? "Cannot verify this caller right now: there have been too many unsuccessful attempts for this name. Do not try " +
        "again during this call; offer to have the practice call them back."
    : "Could not verify the caller with these details. Do not tell the caller which detail did not match. " +
        "Ask for their first and last name exactly as registered with the practice and their date of birth (or the " +
        "phone number on file), then call search_patients once more; attempts are limited. If they have never been " +
        "a patient here, register them with create_patient.";
}

function describePassProblem(tool: string, error: CallerPassRefused): string {
  const verify =
    "verify the caller with search_patients (first name, last name, and date of birth or phone) and call " +
    `${tool} again with the caller_pass it returns, exactly as given`;
  return error.problem === "expired"
    ? `The caller_pass has expired: ${verify}.`
    : `The caller_pass is not valid for this practice. First ${verify}.`;
}

function possibleExistingPatient(): string {
  return (
    "This person may already be a patient: verify them with search_patients (first name, last name, and date of " +
    "birth or phone) instead of registering them again."
  );
}

/** The API names fields as query.x / body.x; the model knows them as the tool's parameters. */
function parameterName(field: string): string {
  return field.replace(/^(query|body|params)\./, "");
}

function describePmsError(call: FailedCall, error: PmsError): string {
  const { tool } = call;
  switch (error.kind) {
    case "validation": {
      const fields = error.fieldErrors.map((e) => `${parameterName(e.field)}: ${e.message}`);
      // The field list is the whole story when there is one (the detail only sums it up, with its own advice).
      const lines =
        fields.length > 0 ? fields : [error.problem?.detail ?? `the request is invalid (HTTP ${error.status})`];
      const heading = error.facts.notSent
        ? `Invalid arguments for ${tool} (nothing was sent to the practice system):`
        : `The practice system rejected the ${tool} request:`;
      return fixable(heading, lines, `Fix this and call ${tool} again.`);
    }
    case "not_found":
      return describeNotFound(call, error);
    case "conflict":
      return describeConflict(call, error);
    case "unauthorized":
      return systemFailure(call, "The practice system rejected this server's credentials.", "nothing", CONFIGURATION);
    case "rate_limited":
      return systemFailure(
        call,
        "The practice system is busy.",
        "nothing",
        `Wait ${seconds(error.retryAfterSeconds ?? 5)}, then call ${tool} again.`,
      );
    case "unavailable": {
      const code = error.code;
      if (code === "storage_full" || code === "storage_read_only") return describeNothingSaved(tool, code);
      if (error.facts.startFailure === "sqlite_driver_missing") return describeSqliteMissing(call);
      if (error.transport === "cancelled") {
        return systemFailure(
          call,
          "The call was cancelled before the practice system answered.",
          error.mayHaveWritten ? "maybe" : "nothing",
          "",
        );
      }
      const after =
        error.retryAfterSeconds === undefined ? "in a few seconds" : `in ${seconds(error.retryAfterSeconds)}`;
      return systemFailure(
        call,
        `The practice system is temporarily unreachable (${unreachableBecause(error)}).`,
        error.mayHaveWritten ? "maybe" : "nothing",
        `Try ${tool} again ${after}; if it keeps failing, offer to have the practice call back.`,
      );
    }
    case "invalid_response":
      return systemFailure(
        call,
        "The practice system answered with something unexpected.",
        error.mayHaveWritten ? "maybe" : "nothing",
        `Try once more; if it fails again, ${CALL_BACK}.`,
      );
  }
}

function seconds(n: number): string {
  return n === 1 ? "1 second" : `${n} seconds`;
}

function unreachableBecause(error: PmsError): string {
  switch (error.transport) {
    case "refused":
      return "it refused the connection";
    case "timeout":
      return error.facts.timeoutMs === undefined
        ? "it did not answer in time"
        : `it did not answer within ${error.facts.timeoutMs} ms`;
    case "connection_lost":
      return "the connection broke before its answer arrived";
    case "not_started":
      return "it has not started";
    default:
      return error.status === undefined ? "it failed unexpectedly" : `it answered HTTP ${error.status}`;
  }
}

/** The embedded demo cannot open its database on this Node: a set-up to change, not an outage to wait out. */
function describeSqliteMissing(call: FailedCall): string {
  return systemFailure(
    call,
    "The embedded demo practice cannot start: it needs SQLite, and this server's Node has no SQLite driver " +
      "(node:sqlite comes with Node 22.13 or later; better-sqlite3 is not installed or was installed without its " +
      "install script).",
    "nothing",
    "Retrying will not help. Whoever runs this server must set PMS_BASE_URL (with PMS_ORG_ID and PMS_API_TOKEN) to " +
      "the practice's PMS, or run it on Node 22.13 or later, or install better-sqlite3 with its install script. " +
      "Tell the person the booking system is not set up yet.",
  );
}

/** The PMS answered definitely: it wrote nothing, and it cannot until its staff fix it. */
function describeNothingSaved(tool: string, code: "storage_full" | "storage_read_only"): string {
  const why = code === "storage_full" ? "is out of disk space" : "is read-only right now";
  return (
    `Nothing was saved: ${tool} did not take effect because the practice system ${why}. Practice staff must fix ` +
    "this; retrying will not help until they do. Looking things up still works. Tell the person their request " +
    "could not be saved and offer to have the practice call back."
  );
}

/**
 * A 404 for a route's uuid names that parameter and the tools that supply it; on any other route, the
 * practice id this server is configured with is wrong.
 */
function describeNotFound(call: FailedCall, error: PmsError): string {
  const route = error.call === "orgId" ? undefined : (routes[error.call] as RouteSpec);
  const param = Object.keys(route?.params?.shape ?? {})[0];
  if (param === undefined) {
    return systemFailure(
      call,
      "The practice system does not know the practice this server is set up for (HTTP 404).",
      "nothing",
      CONFIGURATION,
    );
  }
  const record = param.replace(/_uuid$/, "").replaceAll("_", " ");
  const source = SUPPLIED_BY[param as keyof typeof SUPPLIED_BY] ?? "the tool that returned it";
  const article = /^[aeiou]/.test(param) ? "an" : "a";
  return fixable(
    `Not found: the practice system has no ${record} with this ${param}.`,
    [],
    `Use ${article} ${param} from ${source}, then call ${call.tool} again.`,
  );
}

function describeConflict(call: FailedCall, error: PmsError): string {
  const { tool } = call;
  const problem = error.problem;
  switch (problem?.code) {
    case "slot_unavailable":
      return describeTaken(call, problem, undefined, 0);
    case "slot_held": {
      const write = WRITE_OUTCOMES[tool] ?? UNLISTED_WRITE;
      const zone = problem.conflict?.timezone;
      const until =
        problem.held_until !== undefined && zone !== undefined
          ? ` until ${localAt(Date.parse(problem.held_until), zone).slice(11, 16)} (${zone})`
          : "";
      return (
        `Someone else is holding that time while they decide${until}. ${capitalise(write.record)} was not ` +
        `${write.done}. Offer another time from check_availability, or try this one again once the hold has lapsed.`
      );
    }
    case "hold_expired":
      return (
        "The hold has lapsed, been released or been used already, so nothing was booked. Call check_availability: " +
        `if the slot is still free, call ${tool} again without hold_uuid (or hold it again with hold_slot).`
      );
    case "patient_busy": {
      // Another time with another provider would not help: it is the patient who is taken.
      const conflict = problem.conflict;
      const when = conflict ? `: ${describeLocalRange(conflict.start, conflict.end, conflict.timezone)}` : "";
      return (
        `The patient already has an appointment then${when}, and cannot be booked into two at once. Nothing was ` +
        `booked. If that appointment is the one they want, nothing more is needed (find_appointments shows it); ` +
        `otherwise choose a time that does not overlap it and call ${tool} again.`
      );
    }
    case "duplicate_patient":
      // Caller mode never names another record: whether this person exists is for search_patients to verify.
      if (call.privacy === "caller") return possibleExistingPatient();
      return problem.existing_uuid
        ? `A patient with this name and date of birth already exists (uuid ${problem.existing_uuid}). ` +
            "Nothing was saved. Use that patient_uuid instead of registering them again."
        : "A patient with this name and date of birth already exists. Nothing was saved. " +
            "Find them with search_patients instead of registering them again.";
    case "invalid_transition": {
      const allowed = problem.allowed_statuses ?? [];
      const from = problem.current_status ?? "in a state that does not allow this";
      const onward = allowed.length > 0 ? `; from there it can only become ${allowed.join(" or ")}` : ", a final state";
      return `${tool} cannot do this: the appointment is ${from}${onward}. Nothing was changed.`;
    }
    case "idempotency_key_in_progress":
      return (
        `The same ${tool} request is still being processed by the practice system. Wait a few seconds, then call ` +
        `${tool} again with exactly the same arguments.`
      );
    default: {
      const look = (WRITE_OUTCOMES[tool] ?? UNLISTED_WRITE).checkWith;
      return (
        `The practice system refused ${tool} because of the current state of the record (HTTP 409). Nothing was ` +
        `changed. Look it up again with ${look} and decide again.`
      );
    }
  }
}

/**
 * A taken time for booking or rescheduling: when it is taken (the conflicting booking's window, no
 * names), and the alternatives with what to pass for each, or where to look for free times.
 */
function describeTaken(
  call: FailedCall,
  problem: Problem | undefined,
  alternatives: readonly Slot[] | undefined,
  searchedDays: number,
): string {
  const { tool } = call;
  const conflict = problem?.conflict;
  const who = {
    provider: "the provider is booked",
    operatory: "no treatment room is free; one is booked",
    patient: "the patient is booked",
  };
  const when = conflict
    ? `: ${who[conflict.resource]} ${describeLocalRange(conflict.start, conflict.end, conflict.timezone)}`
    : "";
  const write = WRITE_OUTCOMES[tool] ?? UNLISTED_WRITE;
  const taken = `That time is taken${when}. ${capitalise(write.record)} was not ${write.done}.`;
  if (alternatives === undefined) return `${taken} Use check_availability to find free times, then call ${tool} again.`;
  if (alternatives.length === 0) {
    return (
      `${taken} No free time was found within ${searchedDays} days at that location: use check_availability with a ` +
      `wider date range, then call ${tool} again.`
    );
  }
  const lines = alternatives.map(
    (s, i) =>
      `${i + 1}. ${describeLocal(s.scheduled_start, s.timezone)} with ${providerName(s.provider)} ` +
      `at ${s.location.name} ` +
      `(scheduled_start ${s.scheduled_start}, provider_uuid ${s.provider.uuid}, location_uuid ${s.location.uuid})`,
  );
  const next = `Offer these to the person and call ${tool} again with the one they choose.`;
  return `${taken} Nearest free alternatives:\n${lines.join("\n")}\n${next}`;
}

function capitalise(text: string): string {
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
}
