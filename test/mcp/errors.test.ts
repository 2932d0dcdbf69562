/**
 * How every failure reads to the model, from the one place that words them (src/mcp/errors.ts): a table
 * of every kind of failure × the tools it applies to × both privacy modes. Each case states the facts
 * its text must carry (the field and expected form, the seconds to wait, "may or may not have been
 * booked" exactly when a write may have happened, the tool to check with, ...); every text is checked
 * for one next step (no advice doubled), no structuredContent, and in caller mode no patient's uuid.
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { problemTypeUri, type ErrorCode, type Problem, type Slot } from "../../src/contract/index.js";
import { silentLogger } from "../../src/log.js";
import { WRITE_OUTCOMES, toErrorResult } from "../../src/mcp/errors.js";
import { PRIVACY_MODES, type PrivacyMode } from "../../src/mcp/privacy.js";
import {
  AppointmentNotFound,
  CallerPassRefused,
  InvalidToolOutput,
  PossibleExistingPatient,
  SlotTaken,
  ToolInputError,
  VerificationRefused,
} from "../../src/mcp/tool-error.js";
import type { ToolDefinition } from "../../src/mcp/tools/define-tool.js";
import { toolsFor } from "../../src/mcp/tools/index.js";
import { PmsError, type PmsErrorFacts, type PmsErrorKind } from "../../src/pms/errors.js";

const PATIENT = "0c9a8b7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d";
const OTHER_PATIENT = "f0e1d2c3-b4a5-6789-0123-456789abcdef";
const PROVIDER = "d4e5f6a7-b8c9-0123-defa-234567890123";
const LOCATION = "c3d4e5f6-a7b8-9012-cdef-123456789012";
/** Uuids of patients, which no caller-mode text may carry. */
const PATIENT_UUIDS = [PATIENT, OTHER_PATIENT];

const WRITES = new Set(Object.keys(WRITE_OUTCOMES));
const APPOINTMENT_WRITES = [
  "book_appointment",
  "reschedule_appointment",
  "cancel_appointment",
  "update_appointment_status",
  "add_appointment_note",
];

function problem(code: ErrorCode, status: number, detail: string, extras: Partial<Problem> = {}): Problem {
  return { type: problemTypeUri(code), title: "t", status, code, detail, ...extras };
}

const pmsError = (kind: PmsErrorKind, facts: Omit<PmsErrorFacts, "call"> & { call?: PmsErrorFacts["call"] }) =>
  new PmsError(kind, { call: "createAppointment", ...facts });

const CONFLICT_WINDOW = {
  resource: "provider" as const,
  resource_uuid: PROVIDER,
  start: "2026-05-20T10:00:00",
  end: "2026-05-20T11:00:00",
  timezone: "America/Los_Angeles",
};

const SLOT: Slot = {
  scheduled_start: "2026-05-20T11:00:00",
  scheduled_end: "2026-05-20T12:00:00",
  timezone: "America/Los_Angeles",
  provider: { uuid: PROVIDER, first_name: "Michael", last_name: "Chen", title: "DDS" },
  location: { uuid: LOCATION, name: "Main Street Dental" },
  operatory: { uuid: "e5f6a7b8-c9d0-1234-efab-345678901234", name: "Op 1" },
};

const slotTaken = problem(
  "slot_unavailable",
  409,
  "Dr. Michael Chen already has an appointment then; check availability.",
  {
    conflict: CONFLICT_WINDOW,
  },
);

interface Case {
  kind: string;
  /** The tools (by name) this failure can reach, in the modes it can reach them. */
  appliesTo: (tool: ToolDefinition, mode: PrivacyMode) => boolean;
  error: (tool: ToolDefinition) => unknown;
  /** Whether a write may have happened, by the facts of the case (the tool must also write). */
  mayHaveWritten?: boolean;
  /** The facts this text must state. */
  states: (text: string, tool: ToolDefinition, mode: PrivacyMode) => void;
}

const anyTool = () => true;
const writes = (tool: ToolDefinition) => WRITES.has(tool.name);
const reads = (tool: ToolDefinition) => !WRITES.has(tool.name);
const named =
  (...names: string[]) =>
  (tool: ToolDefinition) =>
    names.includes(tool.name);
const inMode =
  (mode: PrivacyMode, also: (tool: ToolDefinition) => boolean = anyTool) =>
  (tool: ToolDefinition, m: PrivacyMode) =>
    m === mode && also(tool);
const takesCallerPass = (tool: ToolDefinition, mode: PrivacyMode) =>
  mode === "caller" && "caller_pass" in tool.inputSchema.shape;

/** For a tool that writes: nothing saved. For a read: no statement about saving at all. */
function statesNothingSaved(text: string, tool: ToolDefinition) {
  if (writes(tool)) expect(text).toContain("Nothing was saved.");
  else expect(text).not.toMatch(/saved/);
}

const CASES: Case[] = [
  {
    kind: "arguments the schema refuses: a missing field",
    appliesTo: (tool) => !tool.inputSchema.safeParse({}).success,
    error: (tool) => tool.inputSchema.safeParse({}).error,
    states(text, tool) {
      expect(text).toMatch(new RegExp(`^Invalid arguments for ${tool.name}:\\n- `));
      const required = Object.entries(tool.inputSchema.shape).filter(
        ([, schema]) => !(schema as z.ZodType).safeParse(undefined).success,
      );
      for (const [field] of required.slice(0, 8))
        expect(text).toMatch(new RegExp(`^- ${field}: is required; it must`, "m"));
      expect(text).toMatch(new RegExp(`\\nFix these and call ${tool.name} again\\.$`));
    },
  },
  {
    kind: "arguments the schema refuses: an unknown parameter",
    appliesTo: anyTool,
    error: (tool) => tool.inputSchema.safeParse({ ...validArgs(tool), colour: "red" }).error,
    states(text, tool) {
      expect(text).toContain("- unknown parameter(s) colour: remove them");
      expect(text).toMatch(new RegExp(`Fix these and call ${tool.name} again\\.$`));
    },
  },
  {
    kind: "an argument the tool cannot use (field and expected form)",
    appliesTo: named("check_availability"),
    error: () => new ToolInputError("end_date", "must be on or after start_date (2025-05-20), e.g. 2025-05-20"),
    states(text, tool) {
      expect(text).toBe(
        `Invalid arguments for ${tool.name}:\n- end_date: must be on or after start_date (2025-05-20), e.g. 2025-05-20\n` +
          `Fix this and call ${tool.name} again.`,
      );
    },
  },
  {
    kind: "a detail only the caller can give",
    appliesTo: inMode("caller", named("search_patients")),
    error: () =>
      new ToolInputError("date_of_birth", "date_of_birth (YYYY-MM-DD, e.g. 1986-04-12) or phone is required", "caller"),
    states(text) {
      expect(text).toContain("- date_of_birth: date_of_birth (YYYY-MM-DD, e.g. 1986-04-12) or phone is required");
      expect(text).toMatch(/Ask the caller for this, then call search_patients again\.$/);
    },
  },
  {
    kind: "the PMS refuses a field (422 with the field and expected form)",
    appliesTo: anyTool,
    error: () =>
      pmsError("validation", {
        status: 422,
        problem: problem(
          "beyond_horizon",
          422,
          "Appointments can be booked up to 18 months ahead. Fix these fields and retry.",
          {
            errors: [
              { field: "body.scheduled_start", message: "must be on or before 2027-05-24, the last bookable date" },
            ],
          },
        ),
      }),
    states(text, tool) {
      expect(text).toBe(
        `The practice system rejected the ${tool.name} request:\n` +
          "- scheduled_start: must be on or before 2027-05-24, the last bookable date\n" +
          `Fix this and call ${tool.name} again.`,
      );
    },
  },
  {
    kind: "the PMS refuses without a field list (the detail is the fact)",
    appliesTo: anyTool,
    error: () =>
      pmsError("validation", {
        status: 413,
        problem: problem("payload_too_large", 413, "The request body exceeds 65536 bytes."),
      }),
    states(text, tool) {
      expect(text).toContain("- The request body exceeds 65536 bytes.");
      expect(text).toMatch(new RegExp(`Fix this and call ${tool.name} again\\.$`));
    },
  },
  {
    kind: "the client refuses before sending",
    appliesTo: anyTool,
    error: () =>
      pmsError("validation", {
        notSent: true,
        problem: problem("validation_failed", 400, "Invalid arguments.", {
          errors: [{ field: "query.phone", message: "must be a phone number such as +1-415-555-0148" }],
        }),
      }),
    states(text, tool) {
      expect(text).toContain(`Invalid arguments for ${tool.name} (nothing was sent to the practice system):`);
      expect(text).toContain("- phone: must be a phone number such as +1-415-555-0148");
    },
  },
  {
    kind: "an appointment uuid the PMS does not know",
    appliesTo: inMode(
      "staff",
      named("reschedule_appointment", "cancel_appointment", "update_appointment_status", "add_appointment_note"),
    ),
    error: () =>
      pmsError("not_found", {
        call: "getAppointment",
        status: 404,
        problem: problem("not_found", 404, "No appointment with uuid x exists. Check the uuid."),
      }),
    states(text, tool) {
      expect(text).toBe(
        "Not found: the practice system has no appointment with this appointment_uuid. Use an appointment_uuid from " +
          `find_appointments or book_appointment, then call ${tool.name} again.`,
      );
    },
  },
  {
    kind: "a 404 on a route without a uuid (the practice id is wrong)",
    appliesTo: anyTool,
    error: () => pmsError("not_found", { call: "listLocations", status: 404 }),
    states(text, tool) {
      expect(text).toMatch(/^The practice system does not know the practice this server is set up for \(HTTP 404\)\./);
      expect(text).toContain("configuration problem that retrying cannot fix");
      statesNothingSaved(text, tool);
    },
  },
  {
    kind: "a taken time, with the nearest alternatives",
    appliesTo: named("book_appointment", "reschedule_appointment"),
    error: () => new SlotTaken(pmsError("conflict", { status: 409, problem: slotTaken }), [SLOT], 3),
    states(text, tool) {
      const done = tool.name === "book_appointment" ? "booked" : "moved";
      expect(text).toMatch(
        new RegExp(
          `^That time is taken: the provider is booked Wednesday 20 May 2026, 10:00–11:00 AM PDT \\(America/Los_Angeles\\)\\. The appointment was not ${done}\\.`,
        ),
      );
      expect(text).toContain(
        "Nearest free alternatives:\n1. Wednesday 20 May 2026, 11:00 AM PDT (America/Los_Angeles) with Dr. Michael Chen at Main Street Dental " +
          `(scheduled_start 2026-05-20T11:00:00, provider_uuid ${PROVIDER}, location_uuid ${LOCATION})\n`,
      );
      expect(text).toMatch(
        new RegExp(`Offer these to the person and call ${tool.name} again with the one they choose\\.$`),
      );
      expect(text).not.toContain("check availability"); // the PMS's own advice is not relayed beside ours
    },
  },
  {
    kind: "a taken time, with no free time near it",
    appliesTo: named("book_appointment", "reschedule_appointment"),
    error: () => new SlotTaken(pmsError("conflict", { status: 409, problem: slotTaken }), [], 3),
    states(text, tool) {
      expect(text).toContain("No free time was found within 3 days at that location");
      expect(text).toMatch(
        new RegExp(`use check_availability with a wider date range, then call ${tool.name} again\\.$`),
      );
    },
  },
  {
    kind: "a taken time, alternatives not looked up",
    appliesTo: named("book_appointment", "reschedule_appointment"),
    error: () => new SlotTaken(pmsError("conflict", { status: 409, problem: slotTaken }), undefined, 3),
    states(text, tool) {
      expect(text).toMatch(
        new RegExp(
          `That time is taken: .* Use check_availability to find free times, then call ${tool.name} again\\.$`,
        ),
      );
    },
  },
  {
    kind: "the patient already booked then",
    appliesTo: named("book_appointment", "reschedule_appointment"),
    error: () =>
      pmsError("conflict", {
        status: 409,
        problem: problem("patient_busy", 409, "The patient already has an appointment from 10:00 to 11:00.", {
          conflict: { ...CONFLICT_WINDOW, resource: "patient", resource_uuid: PATIENT, timezone: "America/New_York" },
        }),
      }),
    states(text, tool) {
      expect(text).toMatch(
        /^The patient already has an appointment then: Wednesday 20 May 2026, 10:00–11:00 AM EDT \(America\/New_York\)/,
      );
      expect(text).toMatch(new RegExp(`choose a time that does not overlap it and call ${tool.name} again\\.$`));
      expect(text).not.toMatch(/alternatives|check_availability/);
    },
  },
  {
    kind: "a duplicate patient",
    appliesTo: named("create_patient"),
    error: () =>
      pmsError("conflict", {
        call: "createPatient",
        status: 409,
        problem: problem(
          "duplicate_patient",
          409,
          `A patient with this name and date of birth already exists (uuid ${OTHER_PATIENT}).`,
          {
            existing_uuid: OTHER_PATIENT,
          },
        ),
      }),
    states(text, _tool, mode) {
      if (mode === "staff") {
        expect(text).toBe(
          `A patient with this name and date of birth already exists (uuid ${OTHER_PATIENT}). Nothing was saved. ` +
            "Use that patient_uuid instead of registering them again.",
        );
      } else {
        expect(text).toMatch(/^This person may already be a patient: verify them with search_patients/);
      }
    },
  },
  {
    kind: "a status change the lifecycle does not allow",
    appliesTo: named("cancel_appointment", "update_appointment_status", "reschedule_appointment"),
    error: () =>
      pmsError("conflict", {
        call: "changeAppointmentStatus",
        status: 409,
        problem: problem(
          "invalid_transition",
          409,
          "Cannot go from cancelled. Allowed next statuses: none (final state).",
          {
            current_status: "cancelled",
            allowed_statuses: [],
          },
        ),
      }),
    states(text, tool) {
      expect(text).toBe(
        `${tool.name} cannot do this: the appointment is cancelled, a final state. Nothing was changed.`,
      );
    },
  },
  {
    kind: "a status change to a state not next",
    appliesTo: named("update_appointment_status"),
    error: () =>
      pmsError("conflict", {
        call: "changeAppointmentStatus",
        status: 409,
        problem: problem("invalid_transition", 409, "Cannot confirm.", {
          current_status: "arrived",
          allowed_statuses: ["completed", "cancelled"],
        }),
      }),
    states(text) {
      expect(text).toContain("the appointment is arrived; from there it can only become completed or cancelled");
    },
  },
  {
    kind: "the same booking still in progress",
    appliesTo: named("book_appointment"),
    error: () =>
      pmsError("conflict", { status: 409, problem: problem("idempotency_key_in_progress", 409, "In progress.") }),
    states(text) {
      expect(text).toMatch(
        /still being processed.*Wait a few seconds, then call book_appointment again with exactly the same arguments\.$/,
      );
    },
  },
  {
    kind: "credentials refused",
    appliesTo: anyTool,
    error: () => pmsError("unauthorized", { status: 401 }),
    states(text, tool) {
      expect(text).toMatch(/^The practice system rejected this server's credentials\./);
      expect(text).toContain("configuration problem that retrying cannot fix");
      statesNothingSaved(text, tool);
    },
  },
  {
    kind: "rate limited, with Retry-After",
    appliesTo: anyTool,
    error: () => pmsError("rate_limited", { status: 429, retryAfterSeconds: 30 }),
    states(text, tool) {
      expect(text).toMatch(
        new RegExp(`^The practice system is busy\\. .*Wait 30 seconds, then call ${tool.name} again\\.$`),
      );
      statesNothingSaved(text, tool);
    },
  },
  {
    kind: "rate limited, without Retry-After",
    appliesTo: anyTool,
    error: () => pmsError("rate_limited", { status: 429 }),
    states(text, tool) {
      expect(text).toContain(`Wait 5 seconds, then call ${tool.name} again.`);
    },
  },
  ...(["refused", "timeout", "connection_lost", "not_started"] as const).map((transport): Case => ({
    kind: `no answer (${transport}), nothing written`,
    appliesTo: anyTool,
    error: () => pmsError("unavailable", { transport, ...(transport === "timeout" ? { timeoutMs: 800 } : {}) }),
    states(text, tool) {
      const why = {
        refused: "it refused the connection",
        timeout: "it did not answer within 800 ms",
        connection_lost: "the connection broke",
        not_started: "it has not started",
      }[transport];
      expect(text).toContain(`The practice system is temporarily unreachable (${why}`);
      expect(text).toMatch(
        new RegExp(
          `Try ${tool.name} again in a few seconds; if it keeps failing, offer to have the practice call back\\.$`,
        ),
      );
      statesNothingSaved(text, tool);
    },
  })),
  {
    kind: "the embedded demo without a SQLite driver",
    appliesTo: anyTool,
    error: () => pmsError("unavailable", { transport: "not_started", startFailure: "sqlite_driver_missing" }),
    states(text, tool) {
      expect(text).toMatch(/^The embedded demo practice cannot start: it needs SQLite/);
      expect(text).toContain("node:sqlite comes with Node 22.13 or later");
      expect(text).toContain(
        "Retrying will not help. Whoever runs this server must set PMS_BASE_URL (with PMS_ORG_ID and " +
          "PMS_API_TOKEN) to the practice's PMS, or run it on Node 22.13 or later, or install better-sqlite3 " +
          "with its install script.",
      );
      expect(text).not.toContain("unreachable");
      statesNothingSaved(text, tool);
    },
  },
  ...(["timeout", "connection_lost"] as const).map((transport): Case => ({
    kind: `no answer (${transport}) to a write that may have happened`,
    appliesTo: writes,
    mayHaveWritten: true,
    error: () => pmsError("unavailable", { transport, mayHaveWritten: true }),
    states: statesUnknownOutcome,
  })),
  {
    kind: "a 5xx to a write that may have happened",
    appliesTo: writes,
    mayHaveWritten: true,
    error: () => pmsError("unavailable", { status: 503, mayHaveWritten: true }),
    states(text, tool, mode) {
      expect(text).toMatch(/^The practice system is temporarily unreachable \(it answered HTTP 503\)\./);
      expect(text).not.toContain("in time");
      statesUnknownOutcome(text, tool, mode);
    },
  },
  {
    kind: "the database busy (503 with retry after 1 s)",
    appliesTo: anyTool,
    error: () =>
      pmsError("unavailable", {
        status: 503,
        retryAfterSeconds: 1,
        problem: problem("storage_unavailable", 503, "Busy.", { retry_after_seconds: 1 }),
      }),
    states(text, tool) {
      expect(text).toContain(`Try ${tool.name} again in 1 second;`);
    },
  },
  ...(
    [
      ["storage_full", 507, "is out of disk space"],
      ["storage_read_only", 503, "is read-only right now"],
    ] as const
  ).map(([code, status, why]): Case => ({
    kind: `a write the PMS refused because of its database (${code})`,
    appliesTo: writes,
    error: () => pmsError("unavailable", { status, problem: problem(code, status, "nothing was saved") }),
    states(text, tool) {
      expect(text).toBe(
        `Nothing was saved: ${tool.name} did not take effect because the practice system ${why}. Practice staff must ` +
          "fix this; retrying will not help until they do. Looking things up still works. Tell the person their request could " +
          "not be saved and offer to have the practice call back.",
      );
    },
  })),
  {
    kind: "cancelled by the client",
    appliesTo: anyTool,
    error: () => pmsError("unavailable", { transport: "cancelled" }),
    states(text, tool) {
      expect(text).toMatch(/^The call was cancelled before the practice system answered\./);
      expect(text).not.toMatch(/again/);
      statesNothingSaved(text, tool);
    },
  },
  {
    kind: "an answer that breaks the contract, to a read",
    appliesTo: reads,
    error: () => pmsError("invalid_response", { status: 200, violation: "items.0.uuid: Invalid" }),
    states(text) {
      expect(text).toBe(
        "The practice system answered with something unexpected. Try once more; if it fails again, tell the person the " +
          "booking system has a problem and offer to have the practice call back.",
      );
    },
  },
  {
    kind: "an answer that breaks the contract, to a write (the PMS did act)",
    appliesTo: writes,
    mayHaveWritten: true,
    error: () => pmsError("invalid_response", { status: 201, violation: "uuid: Invalid", mayHaveWritten: true }),
    states(text, tool, mode) {
      expect(text).toMatch(/^The practice system answered with something unexpected\./);
      statesUnknownOutcome(text, tool, mode);
    },
  },
  {
    kind: "caller verification refused (no match or several)",
    appliesTo: inMode("caller", named("search_patients")),
    error: () => new VerificationRefused("not_verified"),
    states(text) {
      expect(text).toMatch(
        /^Could not verify the caller with these details\. Do not tell the caller which detail did not match/,
      );
      expect(text).toContain("call search_patients once more; attempts are limited");
    },
  },
  {
    kind: "caller verification locked",
    appliesTo: inMode("caller", named("search_patients", "create_patient")),
    error: () => new VerificationRefused("locked"),
    states(text) {
      expect(text).toMatch(/^Cannot verify this caller right now: .* offer to have the practice call them back\.$/);
    },
  },
  ...(["malformed", "forged", "other_org"] as const).map((problemKind): Case => ({
    kind: `a caller_pass refused (${problemKind})`,
    appliesTo: takesCallerPass,
    error: () => new CallerPassRefused(problemKind),
    states(text, tool) {
      expect(text).toBe(
        "The caller_pass is not valid for this practice. First verify the caller with search_patients (first name, last name, " +
          `and date of birth or phone) and call ${tool.name} again with the caller_pass it returns, exactly as given.`,
      );
    },
  })),
  {
    kind: "a caller_pass expired",
    appliesTo: takesCallerPass,
    error: () => new CallerPassRefused("expired"),
    states(text, tool) {
      expect(text).toMatch(
        new RegExp(`^The caller_pass has expired: verify the caller with search_patients .* call ${tool.name} again`),
      );
    },
  },
  {
    kind: "an appointment not the caller's (or none)",
    appliesTo: inMode("caller", named("reschedule_appointment", "cancel_appointment", "update_appointment_status")),
    error: () => new AppointmentNotFound(),
    states(text, tool) {
      expect(text).toBe(
        "No appointment with this appointment_uuid was found for this caller. Use an appointment_uuid from find_appointments " +
          `called with the same caller_pass, then call ${tool.name} again.`,
      );
    },
  },
  {
    kind: "a registration that may duplicate a patient",
    appliesTo: inMode("caller", named("create_patient")),
    error: () => new PossibleExistingPatient(),
    states(text) {
      expect(text).toMatch(/^This person may already be a patient: verify them with search_patients/);
    },
  },
  ...[
    new InvalidToolOutput("appointment.when"),
    new TypeError(`Cannot read properties of undefined (patient ${PATIENT})`),
  ].map((error): Case => ({
    kind: `an internal error (${error.name})`,
    appliesTo: anyTool,
    mayHaveWritten: true,
    error: () => error,
    states(text, tool, mode) {
      expect(text).toMatch(
        new RegExp(
          `^${tool.name} failed because of an internal error in the scheduling server \\(not caused by your arguments\\)\\.`,
        ),
      );
      expect(text).not.toContain("Cannot read properties");
      if (writes(tool)) statesUnknownOutcome(text, tool, mode);
      else expect(text).toMatch(/Try once more; if it fails again, .* call back\.$/);
    },
  })),
];

/** A write that may have happened: say so, name the tool to check with, and whether repeating is safe. */
function statesUnknownOutcome(text: string, tool: ToolDefinition, _mode: PrivacyMode) {
  const outcome = WRITE_OUTCOMES[tool.name]!;
  expect(text).toContain(
    `It is unknown whether ${tool.name} took effect: ${outcome.record} may or may not have been ${outcome.done}.`,
  );
  expect(text).toContain(`Do not assume either way: check with ${outcome.checkWith}`);
  if (tool.annotations.idempotentHint) {
    expect(text).toMatch(new RegExp(`or call ${tool.name} again with exactly the same arguments, which is safe\\.$`));
  } else {
    expect(text).toMatch(new RegExp(`before calling ${tool.name} again\\.$`));
  }
  expect(text).not.toMatch(/\bTry\b/); // no "try again" beside "check first"
}

/** Arguments each tool accepts, so that only the parameter under test is wrong. */
function validArgs(tool: ToolDefinition): Record<string, unknown> {
  const all: Record<string, unknown> = {
    query: "Smith",
    first_name: "Jane",
    last_name: "Smith",
    date_of_birth: "1986-04-12",
    patient_uuid: PATIENT,
    appointment_type_uuid: PATIENT,
    provider_uuid: PROVIDER,
    location_uuid: LOCATION,
    appointment_uuid: PATIENT,
    scheduled_start: "2026-05-20T10:00",
    caller_pass: "v1.x.y",
  };
  return Object.fromEntries(
    Object.keys(tool.inputSchema.shape).flatMap((key) => (key in all ? [[key, all[key]]] : [])),
  );
}

/** Phrases of advice: each may appear once in a text at most. */
const ADVICE = [
  /call \w+ again/g,
  /\btry\b/gi,
  /call (them )?back/g,
  /check with/g,
  /Do not assume/g,
  /\bWait\b/g,
  /Use check_availability/g,
  /verify (the caller|them) with search_patients/g,
];

function textFor(tool: ToolDefinition, mode: PrivacyMode, error: unknown): string {
  const call = { tool: tool.name, annotations: tool.annotations, privacy: mode, args: {} };
  const result = toErrorResult(call, error, silentLogger);
  expect(result.isError).toBe(true);
  expect(result.structuredContent).toBeUndefined();
  expect(result.content).toHaveLength(1);
  const [content] = result.content;
  return content?.type === "text" ? content.text : "";
}

const rows = CASES.flatMap((failure) =>
  PRIVACY_MODES.flatMap((mode) =>
    toolsFor(mode)
      .filter((tool) => failure.appliesTo(tool, mode))
      .map((tool) => ({ label: `${failure.kind} × ${tool.name} × ${mode}`, failure, tool, mode })),
  ),
);

describe("every failure × the tools it reaches × privacy mode", () => {
  it.each(rows)("$label", ({ failure, tool, mode }) => {
    const text = textFor(tool, mode, failure.error(tool));
    failure.states(text, tool, mode);

    // "may or may not have been ..." exactly when a write may have happened, and never beside "nothing was saved".
    const unknownOutcome = failure.mayHaveWritten === true && writes(tool);
    expect(/may or may not have been/.test(text), "states an unknown outcome").toBe(unknownOutcome);
    if (unknownOutcome) expect(text).not.toMatch(/Nothing was saved/);

    // One next step: no piece of advice twice, no sentence twice.
    for (const advice of ADVICE)
      expect(text.match(advice)?.length ?? 0, `${advice} in: ${text}`).toBeLessThanOrEqual(1);
    // Field lines state facts (several fields may well share an expected form); the advice is outside them.
    const prose = text
      .split("\n")
      .filter((line) => !line.startsWith("- "))
      .join(" ");
    const sentences = prose.split(/(?<=[.:])\s+/).filter((s) => s.length > 12);
    expect(new Set(sentences).size).toBe(sentences.length);

    expect(text).not.toMatch(/\bat .+\.(js|ts):\d+/); // never a stack trace
    if (mode === "caller") for (const uuid of PATIENT_UUIDS) expect(text).not.toContain(uuid);
  });

  it("covers every tool in both modes, every tool that writes, and every kind of PmsError", () => {
    for (const mode of PRIVACY_MODES) {
      const covered = new Set(rows.filter((row) => row.mode === mode).map((row) => row.tool.name));
      expect([...covered].sort()).toEqual(
        toolsFor(mode)
          .map((t) => t.name)
          .sort(),
      );
    }
    const writing = toolsFor("staff")
      .filter((t) => !t.annotations.readOnlyHint)
      .map((t) => t.name);
    expect(writing.sort()).toEqual([...WRITES].sort());
    expect(APPOINTMENT_WRITES.every((name) => WRITES.has(name))).toBe(true);
    const kinds = new Set(
      CASES.flatMap((c) =>
        toolsFor("staff")
          .slice(0, 1)
          .map((t) => c.error(t)),
      )
        .filter((e) => e instanceof PmsError)
        .map((e) => (e as PmsError).kind),
    );
    expect([...kinds].sort()).toEqual([
      "conflict",
      "invalid_response",
      "not_found",
      "rate_limited",
      "unauthorized",
      "unavailable",
      "validation",
    ]);
  });
});
