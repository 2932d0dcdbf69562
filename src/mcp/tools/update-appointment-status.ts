import { z } from "zod";
import { ALLOWED_TRANSITIONS, AppointmentStatus, Uuid, singleLine } from "../../contract/index.js";
import { PmsError } from "../../pms/errors.js";
import { callersAppointment } from "../caller-scope.js";
import { describeFailure } from "../errors.js";
import { AppointmentNotFound } from "../tool-error.js";
import { appointmentLine, appointmentView } from "../views.js";
import { defineCallerTool, defineTool, perPrivacyMode, type ToolContext } from "./define-tool.js";
import { callerPass } from "./params.js";

const MAX_APPOINTMENTS = 50;
/** Status changes sent to the PMS at once. */
const CONCURRENCY = 8;

/** Where the lifecycle goes forward without cancelling (cancel_appointment does that, as a destructive tool). */
const Onward = z.enum(["confirmed", "arrived", "completed"], {
  error: "must be confirmed, arrived or completed (to cancel, use cancel_appointment)",
});
type Onward = z.infer<typeof Onward>;

const appointmentUuids = (source: string) =>
  z
    .array(Uuid, { error: "must be a list of appointment uuids" })
    .min(1, { error: "must name at least one appointment" })
    .max(MAX_APPOINTMENTS, {
      error: `must name at most ${MAX_APPOINTMENTS} appointments; send the rest in another call`,
    })
    .refine((uuids) => new Set(uuids).size === uuids.length, { error: "must not name an appointment twice" })
    .describe(`From ${source}`);

const Outcome = z.enum(["done", "already", "invalid_transition", "not_found", "failed"]);
type Outcome = z.infer<typeof Outcome>;

const Result = z.object({
  appointment_uuid: Uuid,
  outcome: Outcome,
  /** Its status now, when known. */
  status: AppointmentStatus.nullable(),
  allowed_statuses: z.array(AppointmentStatus).optional(),
  message: z.string().optional(),
});
type Result = z.infer<typeof Result>;

const SAID: Record<Onward, string> = {
  confirmed: "Confirmed",
  arrived: "Arrived (checked in)",
  completed: "Completed",
};

const staff = defineTool({
  name: "update_appointment_status",
  title: "Confirm, check in, complete",
  description:
    "Mark up to 50 appointments confirmed (will come), arrived (walked in) or completed (done); reports each " +
    "outcome, and what one that cannot move can become. To cancel: cancel_appointment.",
  inputSchema: z.strictObject({
    appointment_uuids: appointmentUuids("get_schedule or find_appointments"),
    status: Onward,
    reason: singleLine(500, "text").optional().describe("e.g. confirmed by phone"),
  }),
  outputSchema: z.object({ status: Onward, results: z.array(Result), changed: z.number().int() }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true },
  async handler(args, context) {
    return updateEach(args, context, async () => undefined);
  },
});

/** Caller mode: the verified caller may confirm their own appointments, nothing else. */
const caller = defineCallerTool({
  ...staff,
  description:
    "CALLER MODE: confirm the verified caller's own appointments (they say they will come). caller_pass (from " +
    "search_patients or create_patient) is required; appointment_uuids from find_appointments. Every appointment's " +
    "outcome is reported. To cancel, use cancel_appointment.",
  inputSchema: z.strictObject({
    caller_pass: callerPass,
    appointment_uuids: appointmentUuids("find_appointments"),
    status: z
      .enum(["confirmed"], { error: "must be confirmed: callers can only confirm their appointments" })
      .default("confirmed"),
    reason: staff.inputSchema.shape.reason,
  }),
  async handler({ caller_pass, ...args }, context) {
    return updateEach(args, context, async (uuid) => {
      await callersAppointment(uuid, caller_pass, context);
    });
  },
});

export const updateAppointmentStatus = perPrivacyMode({ staff, caller });

/**
 * Changes each appointment's status, at most CONCURRENCY at a time, after `check` (which throws for an
 * appointment the caller may not touch), and words every outcome; a failure of one is that one's outcome.
 */
async function updateEach(
  args: { appointment_uuids: string[]; status: Onward; reason?: string },
  context: ToolContext,
  check: (uuid: string) => Promise<void>,
) {
  const lines: string[] = [];
  const results = await mapConcurrently(args.appointment_uuids, CONCURRENCY, async (uuid, index) => {
    const { result, line } = await updateOne(uuid, args, context, check);
    lines[index] = line;
    return result;
  });
  const changed = results.filter((r) => r.outcome === "done").length;
  const heading = `${SAID[args.status]}: ${changed} of ${results.length} appointment(s) changed.`;
  return {
    structured: { status: args.status, results, changed },
    text: [heading, ...lines.map((line) => `- ${line}`)].join("\n"),
  };
}

async function updateOne(
  uuid: string,
  args: { status: Onward; reason?: string },
  context: ToolContext,
  check: (uuid: string) => Promise<void>,
): Promise<{ result: Result; line: string }> {
  const { pms, privacy, signal } = context;
  const params = { appointment_uuid: uuid };
  const outcome = (kind: Outcome, status: AppointmentStatus | null, extra: Partial<Result> = {}) => ({
    appointment_uuid: uuid,
    outcome: kind,
    status,
    ...extra,
  });
  try {
    await check(uuid);
    const body = { status: args.status, reason: args.reason };
    const view = appointmentView(await pms.changeAppointmentStatus({ params, body }, { signal }), privacy);
    return { result: outcome("done", view.status), line: `${SAID[args.status]}: ${appointmentLine(view)}` };
  } catch (error) {
    const current = error instanceof PmsError ? error.problem?.current_status : undefined;
    if (current === args.status) {
      // Asked twice (a retry, or a list with one already done): not a failure. Named if it can be read now.
      const line = await pms.getAppointment({ params }, { signal }).then(
        (appointment) => appointmentLine(appointmentView(appointment, privacy)),
        () => `appointment_uuid ${uuid}`,
      );
      return { result: outcome("already", current), line: `Already ${args.status}: ${line}` };
    }
    const call = {
      tool: "update_appointment_status",
      annotations: staff.annotations,
      privacy,
      args: { ...args, uuid },
    };
    const message = describeFailure(call, error, context.logger);
    if (error instanceof PmsError && error.code === "invalid_transition" && current !== undefined) {
      const allowed = error.problem?.allowed_statuses ?? [...ALLOWED_TRANSITIONS[current]];
      const result = outcome("invalid_transition", current, { allowed_statuses: allowed, message });
      return { result, line: `Not changed, ${uuid}: ${message}` };
    }
    const notFound = error instanceof AppointmentNotFound || (error instanceof PmsError && error.kind === "not_found");
    if (notFound) return { result: outcome("not_found", null, { message }), line: `Not found, ${uuid}: ${message}` };
    return { result: outcome("failed", null, { message }), line: `Failed, ${uuid}: ${message}` };
  }
}

/** `work` over `items`, at most `limit` running at once; results in the order of `items`. */
async function mapConcurrently<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
