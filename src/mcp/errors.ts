/**
 * The one place where anything a tool throws becomes a result the model can act on: an `isError`
 * result whose text says what went wrong and what to do next, naming the field and the expected form
 * for bad input. Never structuredContent on an error (SDK 1.x clients reject it), never a stack trace.
 */
import { z } from "zod";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { PmsError } from "../pms/errors.js";
import type { Logger } from "../log.js";
import { clip } from "./protocol-guard.js";
import { describeLocalRange } from "./time.js";
import {
  AppointmentNotFound,
  CallerPassRefused,
  PossibleExistingPatient,
  ToolFailure,
  ToolInputError,
  VerificationRefused,
} from "./tool-error.js";

export function errorResult(text: string): CallToolResult {
  return { content: [{ type: "text", text }], isError: true };
}

export function toErrorResult(tool: string, error: unknown, args: unknown, logger: Logger): CallToolResult {
  if (error instanceof z.ZodError) return errorResult(describeIssues(tool, error.issues, args));
  if (error instanceof ToolInputError) {
    return errorResult(`Invalid arguments for ${tool}:\n- ${error.message}\nFix this and call ${tool} again.`);
  }
  if (error instanceof ToolFailure) return errorResult(error.message);
  if (error instanceof VerificationRefused) return errorResult(describeRefusal(error));
  if (error instanceof CallerPassRefused) return errorResult(describePassProblem(tool, error));
  if (error instanceof AppointmentNotFound) {
    return errorResult(
      "No appointment with this appointment_uuid was found for this caller. Use an appointment_uuid from find_appointments " +
        `called with the same caller_pass, then call ${tool} again.`,
    );
  }
  if (error instanceof PossibleExistingPatient) {
    return errorResult(
      "This person may already be a patient: verify them with search_patients (first name, last name, and date of birth or " +
        "phone) instead of registering them again.",
    );
  }
  if (error instanceof PmsError) {
    logger.warn("tool_failed", { tool, kind: error.kind, status: error.status, code: error.problem?.code });
    return errorResult(describePmsError(tool, error));
  }
  // Unknown errors may quote record contents: log the type only, never the message.
  logger.error("tool_crashed", { tool, error: error instanceof Error ? error.name : typeof error });
  return errorResult(
    `${tool} failed because of an internal error in the scheduling server (not caused by your arguments). ` +
      "Try once more; if it fails again, tell the person the booking system has a problem and offer to have the practice call back.",
  );
}

function describeIssues(tool: string, issues: readonly z.core.$ZodIssue[], args: unknown): string {
  const lines = issues.slice(0, 8).map((issue) => {
    const field = issue.path.map(String).join(".") || "(arguments)";
    if (issue.code === "unrecognized_keys") {
      const names = issue.keys.slice(0, 5).map((key) => clip(key));
      const more = issue.keys.length > names.length ? ` and ${issue.keys.length - names.length} more` : "";
      return `- unknown parameter(s) ${names.join(", ")}${more}: remove them; see the tool's input schema for the accepted names`;
    }
    const missing = issue.path.length > 0 && valueAt(args, issue.path) === undefined;
    return missing ? `- ${field}: is required; it ${issue.message}` : `- ${field}: ${issue.message}`;
  });
  return `Invalid arguments for ${tool}:\n${lines.join("\n")}\nFix these and call ${tool} again.`;
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
    : "Could not verify the caller with these details. Do not tell the caller which detail did not match. Ask for their " +
        "first and last name exactly as registered with the practice and their date of birth (or the phone number on " +
        "file), then call search_patients once more; attempts are limited. If they have never been a patient here, " +
        "register them with create_patient.";
}

function describePassProblem(tool: string, error: CallerPassRefused): string {
  const verify =
    "verify the caller with search_patients (first name, last name, and date of birth or phone) and call " +
    `${tool} again with the caller_pass it returns, exactly as given`;
  return error.problem === "expired"
    ? `The caller_pass has expired: ${verify}.`
    : `The caller_pass is not valid for this practice. First ${verify}.`;
}

/** The API names fields as query.x / body.x; the model knows them as the tool's parameters. */
function parameterName(field: string): string {
  return field.replace(/^(query|body|params)\./, "");
}

function describePmsError(tool: string, error: PmsError): string {
  const problem = error.problem;
  const detail = problem?.detail ?? error.message;
  switch (error.kind) {
    case "validation": {
      const fields = (problem?.errors ?? []).map((e) => `- ${parameterName(e.field)}: ${e.message}`);
      // The detail often repeats the one field message; say it once.
      const summary = fields.length === 1 && problem?.errors?.[0]?.message === detail ? "" : ` ${detail}`;
      return [`The practice system rejected the ${tool} request:${summary}`, ...fields, `Fix this and call ${tool} again.`].join("\n");
    }
    case "not_found":
      return `Not found: ${detail} Check the uuid: use one returned by the tool named in the parameter's description.`;
    case "conflict":
      return describeConflict(tool, error, detail);
    case "unauthorized":
      return "The practice system rejected this server's credentials. This is a configuration problem that retrying cannot fix: tell the person the booking system is unavailable and that staff will follow up.";
    case "rate_limited":
      return `The practice system is busy. Wait ${error.details.retryAfterSeconds ?? 5} seconds, then call ${tool} again.`;
    case "unavailable":
      if (problem?.code === "storage_full" || problem?.code === "storage_read_only") return describeNothingSaved(tool, problem.code);
      if (error.details.outcomeUnknown) {
        // A lost answer, a timeout or a 5xx to a write: the model must look before acting again.
        return `The practice system gave no complete answer, so it is unknown whether ${tool} took effect. Do not assume either way: check with ${tool === "create_patient" ? "search_patients" : "find_appointments"} (or call ${tool} again with exactly the same arguments, which is safe for book_appointment).`;
      }
      return `The practice system is temporarily unreachable. Try ${tool} again in a few seconds; if it keeps failing, offer to have the practice call back.`;
    case "invalid_response":
      return "The practice system answered with something unexpected. Try once more; if it fails again, tell the person the booking system has a problem and offer to have the practice call back.";
  }
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

function describeConflict(tool: string, error: PmsError, detail: string): string {
  const problem = error.problem;
  switch (problem?.code) {
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
      return problem.existing_uuid && !detail.includes(problem.existing_uuid)
        ? `${detail} The existing patient's patient_uuid is ${problem.existing_uuid}: use it instead of creating a new patient.`
        : detail;
    case "invalid_transition":
      return `${detail} The appointment is ${problem.current_status ?? "in a state that does not allow this"}${
        problem.allowed_statuses?.length ? `; from there it can only become ${problem.allowed_statuses.join(" or ")}` : ""
      }.`;
    case "idempotency_key_in_progress":
      return `The same ${tool} request is still being processed. Wait a few seconds and call ${tool} again with the same arguments.`;
    default:
      return `${detail} Check availability with check_availability and choose another time.`;
  }
}
