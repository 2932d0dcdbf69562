/**
 * Every tool, through the SDK Client over Streamable HTTP, with random and malformed arguments: the
 * answer is always a valid CallToolResult (never a protocol error, never a crash), an isError result
 * never carries structuredContent, and a success validates against the tool's outputSchema.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { CallToolResultSchema } from "@modelcontextprotocol/sdk/types.js";
import { toolsFor } from "../../src/mcp/tools/index.js";
import { GUIDE_UUIDS } from "../../src/sandbox/demo/index.js";
import { FUZZ_SEED, argumentsFor, knownUuids, mutationsOf } from "../support/reliability-fuzz.js";
import type { PrivacyMode } from "../../src/mcp/privacy.js";
import { disjointSlots, printSummary, startMcpStack, textOf, type McpStack } from "../support/reliability.js";

const RUNS_PER_TOOL = 200;

interface Target {
  stack: McpStack;
  client: Client;
  uuids: string[];
  /** Arguments that succeed for each tool; the fuzz starts from them and changes some fields. */
  validArgs: Record<string, Record<string, unknown>>;
}

const counts = { cases: 0, ok: 0, isError: 0 };
const perTool: Record<string, number> = {};
const stacks: McpStack[] = [];

afterAll(async () => {
  printSummary("fuzz-tools", { seed: FUZZ_SEED, modes: "staff+caller", ...counts, ...perTool });
  await Promise.all(stacks.map((s) => s.close()));
});

async function prepare(privacy: PrivacyMode): Promise<Target> {
  const stack = await startMcpStack({ privacy });
  stacks.push(stack);
  const client = await stack.connect(`fuzz-tools-${privacy}`);
  // Cache the output schemas in the Client, so that it validates every structured result as well.
  await client.listTools();
  const [first, second, third] = await disjointSlots(stack.api, GUIDE_UUIDS.newPatientExam, 3, { fromDay: 4 });
  const bookingOf = (slot: NonNullable<typeof first>) => ({
    patient_uuid: GUIDE_UUIDS.janeSmith,
    appointment_type_uuid: GUIDE_UUIDS.newPatientExam,
    provider_uuid: slot.provider_uuid,
    location_uuid: slot.location_uuid,
    scheduled_start: slot.scheduled_start,
  });
  const booked = await stack.api("POST", "/appointments", { body: bookingOf(second!) });
  expect(booked.status).toBe(201);
  const jane = { first_name: "Jane", last_name: "Smith", date_of_birth: "1986-04-12" };
  const staffArgs = {
    get_practice_info: {},
    search_patients: { query: "Smith", date_of_birth: "1986-04-12" },
    create_patient: { first_name: "Fuzz", last_name: "Tester", date_of_birth: "1990-01-01" },
    list_appointment_types: {},
    check_availability: { appointment_type_uuid: GUIDE_UUIDS.hygiene, limit: 3 },
    book_appointment: bookingOf(first!),
    hold_slot: {
      appointment_type_uuid: GUIDE_UUIDS.newPatientExam,
      slots: [
        {
          scheduled_start: third!.scheduled_start,
          provider_uuid: third!.provider_uuid,
          location_uuid: third!.location_uuid,
        },
      ],
    },
    find_appointments: { patient_uuid: GUIDE_UUIDS.janeSmith },
    reschedule_appointment: { appointment_uuid: booked.body.uuid, scheduled_start: third!.scheduled_start },
    cancel_appointment: { appointment_uuid: booked.body.uuid },
    update_appointment_status: { appointment_uuids: [booked.body.uuid], status: "confirmed" },
    get_schedule: { location_uuid: GUIDE_UUIDS.mainStreetDental },
    add_appointment_note: { appointment_uuid: booked.body.uuid, text: "Fuzzed note" },
  };
  if (privacy === "staff")
    return { stack, client, uuids: knownUuids([booked.body.uuid, first!.provider_uuid]), validArgs: staffArgs };
  // Caller mode: Jane verifies first; every tool acting for her takes her pass instead of her uuid.
  const verified = await client.callTool({ name: "search_patients", arguments: jane });
  const caller_pass = (verified.structuredContent as { caller_pass: string }).caller_pass;
  const { patient_uuid: _jane, ...booking } = bookingOf(first!);
  // Caller mode has no staff-only tools.
  const { get_schedule: _day, add_appointment_note: _note, ...callerTools } = staffArgs;
  return {
    stack,
    client,
    uuids: knownUuids([booked.body.uuid, first!.provider_uuid]),
    validArgs: {
      ...callerTools,
      search_patients: jane,
      book_appointment: { caller_pass, ...booking },
      hold_slot: { caller_pass, ...staffArgs.hold_slot },
      find_appointments: { caller_pass },
      reschedule_appointment: { caller_pass, ...staffArgs.reschedule_appointment },
      cancel_appointment: { caller_pass, ...staffArgs.cancel_appointment },
      update_appointment_status: { caller_pass, appointment_uuids: [booked.body.uuid] },
    },
  };
}

describe.each(["staff", "caller"] as const)("every tool under random and malformed arguments, %s mode", (privacy) => {
  let target: Target;
  beforeAll(async () => {
    target = await prepare(privacy);
  });

  it("has a valid-arguments case for every tool, so none is skipped", () => {
    expect(Object.keys(target.validArgs).sort()).toEqual(
      toolsFor(privacy)
        .map((t) => t.name)
        .sort(),
    );
  });

  it.each(toolsFor(privacy).map((tool, index) => ({ tool, index, name: tool.name })))(
    "$name always answers a valid CallToolResult",
    async ({ tool, index }) => {
      const fields = Object.keys(tool.inputSchema.shape);
      const args = fc.oneof(
        { weight: 3, arbitrary: mutationsOf(target.validArgs[tool.name]!, fields, target.uuids) },
        { weight: 2, arbitrary: argumentsFor(fields, target.uuids) },
      );
      await fc.assert(
        fc.asyncProperty(args, async (input) => {
          // A protocol error or a crash rejects here and fails the property.
          const result = CallToolResultSchema.parse(
            await target.client.callTool({ name: tool.name, arguments: input }),
          );
          counts.cases++;
          perTool[tool.name] = (perTool[tool.name] ?? 0) + 1;
          const text = textOf(result);
          expect(result.content.length).toBeGreaterThan(0);
          expect(text.trim().length).toBeGreaterThan(10);
          expect(text).not.toMatch(/\bat .+\.(js|ts):\d+|\[object Object\]/);
          if (result.isError) {
            counts.isError++;
            expect(result.structuredContent).toBeUndefined();
          } else {
            counts.ok++;
            const parsed = tool.outputSchema.safeParse(result.structuredContent);
            expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
            // Whatever the arguments, caller mode never hands out a patient's contact details.
            if (privacy === "caller")
              expect(JSON.stringify(result.structuredContent)).not.toMatch(/"(email|primary_phone|date_of_birth)":/);
          }
        }),
        { seed: FUZZ_SEED + index + (privacy === "caller" ? 100 : 0), numRuns: RUNS_PER_TOOL, endOnFailure: true },
      );
    },
  );

  it("reached past input validation: some fuzzed calls succeeded and some failed", () => {
    expect(counts.ok).toBeGreaterThan(0);
    expect(counts.isError).toBeGreaterThan(0);
  });
});
