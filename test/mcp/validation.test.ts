/** Bad input on every tool comes back as an isError result naming the field — never a protocol error. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callError, startMcpHarness, type McpHarness } from "../support/mcp.js";

let harness: McpHarness;
beforeAll(async () => {
  harness = await startMcpHarness();
});
afterAll(async () => harness?.close());

const UUID = "a1b2c3d4-e5f6-7890-abcd-ef1234567890";

const cases: [tool: string, args: Record<string, unknown>, field: string, expected: RegExp][] = [
  ["search_patients", {}, "query", /is required/],
  ["search_patients", { query: "Smith", page_size: 500 }, "page_size", /at most 20/],
  [
    "search_patients",
    { query: "Smith", date_of_birth: "12/04/1986" },
    "date_of_birth",
    /YYYY-MM-DD, e\.g\. 2025-05-20/,
  ],
  [
    "create_patient",
    { first_name: "Ann", last_name: "Lee", date_of_birth: "1986-02-30" },
    "date_of_birth",
    /YYYY-MM-DD/,
  ],
  [
    "create_patient",
    { first_name: "Ann", last_name: "Lee", date_of_birth: "1986-02-03", email: "nope" },
    "email",
    /email address such as/,
  ],
  ["list_appointment_types", { is_active: "yes" }, "is_active", /true or false/],
  ["get_practice_info", { practice: "main" }, "practice", /unknown parameter/],
  ["check_availability", { appointment_type_uuid: "npe" }, "appointment_type_uuid", /uuid such as a1b2c3d4/],
  ["check_availability", { appointment_type_uuid: UUID, time_of_day: "night" }, "time_of_day", /morning/],
  [
    "check_availability",
    { appointment_type_uuid: UUID, start_date: "2025-05-20", end_date: "2025-05-01" },
    "end_date",
    /on or after start_date/,
  ],
  ["check_availability", { appointment_type_uuid: UUID, limit: 0 }, "limit", /whole number of at least 1/],
  [
    "book_appointment",
    {
      patient_uuid: UUID,
      appointment_type_uuid: UUID,
      provider_uuid: UUID,
      location_uuid: UUID,
      scheduled_start: "tomorrow at 10",
    },
    "scheduled_start",
    /2025-05-20T10:00/,
  ],
  ["book_appointment", { appointment_type_uuid: UUID }, "patient_uuid", /is required/],
  ["hold_slot", { appointment_type_uuid: UUID, slots: [] }, "slots", /list of 1 to 6 slots from check_availability/],
  [
    "hold_slot",
    { appointment_type_uuid: UUID, slots: [{ scheduled_start: "2025-05-20T10:00", provider_uuid: UUID }] },
    "slots.0.location_uuid",
    /is required/,
  ],
  ["find_appointments", { patient_uuid: 42 }, "patient_uuid", /uuid such as/],
  ["find_appointments", { patient_uuid: UUID, status: "booked" }, "status", /scheduled/],
  [
    "reschedule_appointment",
    { appointment_uuid: UUID, scheduled_start: "2025-02-30T10:00" },
    "scheduled_start",
    /2025-02-30 is not a day of the calendar/,
  ],
  ["cancel_appointment", { appointment_uuid: "last one" }, "appointment_uuid", /uuid such as/],
  ["update_appointment_status", { appointment_uuids: [], status: "confirmed" }, "appointment_uuids", /at least one/],
  [
    "update_appointment_status",
    { appointment_uuids: [UUID, UUID], status: "confirmed" },
    "appointment_uuids",
    /must not name an appointment twice/,
  ],
  [
    "update_appointment_status",
    { appointment_uuids: Array.from({ length: 51 }, () => UUID), status: "arrived" },
    "appointment_uuids",
    /at most 50 appointments; send the rest in another call/,
  ],
  [
    "update_appointment_status",
    { appointment_uuids: [UUID], status: "cancelled" },
    "status",
    /confirmed, arrived or completed \(to cancel, use cancel_appointment\)/,
  ],
  ["add_appointment_note", { appointment_uuid: UUID, text: "   " }, "text", /must not be empty/],
  ["get_schedule", { date: "2025-05-20" }, "location_uuid", /is required unless provider_uuid is given/],
  ["get_schedule", { location_uuid: UUID, date: "20 May" }, "date", /YYYY-MM-DD/],
];

describe("invalid arguments", () => {
  it.each(cases)("%s %j names %s", async (tool, args, field, expected) => {
    const text = await callError(harness.client, tool, args);
    expect(text).toContain(`Invalid arguments for ${tool}`);
    expect(text).toMatch(new RegExp(`- (unknown parameter\\(s\\) )?${field}[: ]`));
    expect(text).toMatch(expected);
  });

  it("covers every tool", async () => {
    const { tools } = await harness.client.listTools();
    expect(new Set(cases.map(([tool]) => tool))).toEqual(new Set(tools.map((t) => t.name)));
  });

  it("treats null as an omitted optional argument", async () => {
    const text = await callError(harness.client, "cancel_appointment", { appointment_uuid: UUID, reason: null });
    expect(text).toMatch(/^Not found/);
  });

  it("says what to do when a uuid does not exist", async () => {
    const text = await callError(harness.client, "cancel_appointment", { appointment_uuid: UUID });
    expect(text).toMatch(/^Not found: .*find_appointments|Check the uuid/);
  });
});
