/** Caller mode (a bot answering the public): identity checks, and no contact details in any result. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callError, callOk, startMcpHarness, type McpHarness, type Structured } from "../support/mcp.js";

let staff: McpHarness;
let caller: McpHarness;
beforeAll(async () => {
  [staff, caller] = await Promise.all([startMcpHarness(), startMcpHarness({ privacy: "caller" })]);
});
afterAll(async () => Promise.all([staff?.close(), caller?.close()]));

describe("caller mode", () => {
  it("requires date of birth or phone to search, and says what to ask", async () => {
    const text = await callError(caller.client, "search_patients", { query: "Smith" });
    expect(text).toContain("date_of_birth");
    expect(text).toContain("phone");
    expect(text).toMatch(/ask the caller/i);
  });

  it("returns a patient only on an exact match, with names only, and discloses no contact details anywhere", async () => {
    const full = (await callOk(staff.client, "search_patients", { query: "Jane Smith" })).structured.patients[0];
    expect(full.primary_phone).toBeTruthy();
    const secrets = [full.primary_phone, full.email, full.date_of_birth, full.primary_phone.slice(-4)];

    const wrong = await callOk(caller.client, "search_patients", { query: "Jane Smith", date_of_birth: "1990-01-01" });
    expect(wrong.structured.patients).toEqual([]);
    const byPhone = await callOk(caller.client, "search_patients", { query: "Smith", phone: "(415) 555-0148" });
    expect(byPhone.structured.patients.map((p: Structured) => p.uuid)).toEqual([full.uuid]);

    const outputs: string[] = [];
    const record = (r: { structured: Structured; text: string }) => {
      outputs.push(JSON.stringify(r.structured), r.text);
      return r;
    };
    const found = record(await callOk(caller.client, "search_patients", { query: "Jane", date_of_birth: full.date_of_birth }));
    expect(found.structured.patients).toHaveLength(1);
    expect(Object.keys(found.structured.patients[0]).sort()).toEqual(["first_name", "last_name", "preferred_provider_uuid", "uuid"]);

    const types = record(await callOk(caller.client, "list_appointment_types"));
    const type = types.structured.appointment_types[0];
    record(await callOk(caller.client, "get_practice_info"));
    const slots = record(await callOk(caller.client, "check_availability", { appointment_type_uuid: type.uuid }));
    const slot = slots.structured.slots[0];
    const booked = record(
      await callOk(caller.client, "book_appointment", {
        patient_uuid: full.uuid,
        appointment_type_uuid: type.uuid,
        provider_uuid: slot.provider.uuid,
        location_uuid: slot.location.uuid,
        scheduled_start: slot.scheduled_start,
        notes: "call me on my mobile",
      }),
    );
    expect(booked.structured.appointment.notes).toBeUndefined();
    const listed = record(await callOk(caller.client, "find_appointments", { patient_uuid: full.uuid, include_past: true }));
    for (const a of listed.structured.appointments) {
      expect(a.patient.uuid).toBe(full.uuid);
      expect(a).not.toHaveProperty("notes");
    }
    record(await callOk(caller.client, "confirm_appointment", { appointment_uuid: booked.structured.appointment.uuid }));
    record(await callOk(caller.client, "cancel_appointment", { appointment_uuid: booked.structured.appointment.uuid }));
    const created = record(
      await callOk(caller.client, "create_patient", {
        first_name: "Priya",
        last_name: "Raman",
        date_of_birth: "1991-07-08",
        primary_phone: "+1 415 555 0199",
        email: "priya.raman@example.com",
      }),
    );
    expect(Object.keys(created.structured.patient).sort()).toEqual(["first_name", "last_name", "preferred_provider_uuid", "uuid"]);

    const everything = outputs.join("\n");
    for (const secret of [...secrets, "1991-07-08", "priya.raman@example.com", "5550199", "555-0199", "call me on my mobile"]) {
      expect(everything).not.toContain(secret);
    }
  });

  it("describes the mode in the tool descriptions", async () => {
    const { tools } = await caller.client.listTools();
    const search = tools.find((t) => t.name === "search_patients");
    expect(search?.description).toContain("CALLER MODE");
  });
});
