/** Caller mode (a bot answering the public): identity checks, the caller pass, and no contact details in any result. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callError, callOk, defined, startMcpHarness, type McpHarness } from "../support/mcp.js";

let staff: McpHarness<"staff">;
let caller: McpHarness<"caller">;
beforeAll(async () => {
  [staff, caller] = await Promise.all([startMcpHarness(), startMcpHarness({ privacy: "caller" })]);
});
afterAll(async () => Promise.all([staff?.close(), caller?.close()]));

describe("caller mode", () => {
  it("requires the full name and a date of birth or phone to verify, and says what to ask", async () => {
    const text = await callError(caller.client, "search_patients", { first_name: "Jane", last_name: "Smith" });
    expect(text).toContain("date_of_birth");
    expect(text).toContain("phone");
    expect(text).toMatch(/ask the caller/i);
    const nameless = await callError(caller.client, "search_patients", {
      last_name: "Smith",
      date_of_birth: "1986-04-12",
    });
    expect(nameless).toMatch(/- first_name: is required; it must be a name such as Jane/);
    const badPhone = await callError(caller.client, "search_patients", {
      first_name: "Jane",
      last_name: "Smith",
      phone: "555-0148",
    });
    expect(badPhone).toMatch(/- phone: is not a valid phone number; expected one such as \+1-415-555-0148/);
  });

  it("verifies on the full name, case and accents aside, and on phone as well as birth date", async () => {
    const byPhone = await callOk(caller.client, "search_patients", {
      first_name: "JANE",
      last_name: "smith",
      phone: "(415) 555-0148",
    });
    expect(byPhone.structured.patient.first_name).toBe("Jane");
    const accented = defined(
      (await callOk(staff.client, "search_patients", { query: "José García" })).structured.items[0],
      "José García",
    );
    const verified = await callOk(caller.client, "search_patients", {
      first_name: "jose",
      last_name: "GARCIA",
      date_of_birth: accented.date_of_birth,
    });
    expect(verified.structured.patient.uuid).toBe(accented.uuid);
  });

  it("acts only for the verified patient and discloses no contact details anywhere", async () => {
    const full = defined(
      (await callOk(staff.client, "search_patients", { query: "Jane Smith" })).structured.items[0],
      "Jane Smith",
    );
    expect(full.primary_phone).toBeTruthy();
    const phone = defined(full.primary_phone ?? undefined, "Jane Smith's phone");
    const secrets = [
      phone,
      defined(full.email ?? undefined, "Jane Smith's email"),
      defined(full.date_of_birth, "her birth date"),
      phone.slice(-4),
    ];

    const outputs: string[] = [];
    const record = <T>(r: { structured: T; text: string }) => {
      outputs.push(JSON.stringify(r.structured), r.text);
      return r;
    };
    const found = record(
      await callOk(caller.client, "search_patients", {
        first_name: "Jane",
        last_name: "Smith",
        date_of_birth: full.date_of_birth,
      }),
    );
    expect(Object.keys(found.structured.patient).sort()).toEqual([
      "first_name",
      "last_name",
      "preferred_provider_uuid",
      "uuid",
    ]);
    const pass: string = found.structured.caller_pass;
    expect(pass).toMatch(/^v1\.[\w-]+\.[\w-]+$/);
    // Claude-style clients show the model only the text: the pass must be in it.
    expect(found.text).toContain(`caller_pass: ${pass}`);

    const types = record(await callOk(caller.client, "list_appointment_types"));
    const type = defined(types.structured.items[0], "an appointment type");
    record(await callOk(caller.client, "get_practice_info"));
    const slots = record(await callOk(caller.client, "check_availability", { appointment_type_uuid: type.uuid }));
    const slot = defined(slots.structured.slots[0], "a free slot");
    const booked = record(
      await callOk(caller.client, "book_appointment", {
        caller_pass: pass,
        appointment_type_uuid: type.uuid,
        provider_uuid: slot.provider.uuid,
        location_uuid: slot.location.uuid,
        scheduled_start: slot.scheduled_start,
        notes: "call me on my mobile",
      }),
    );
    expect(booked.structured.patient.uuid).toBe(full.uuid);
    expect(booked.structured.notes).toBeUndefined();
    const listed = record(await callOk(caller.client, "find_appointments", { caller_pass: pass, include_past: true }));
    expect(listed.structured.items.map((a) => a.uuid)).toContain(booked.structured.uuid);
    for (const a of listed.structured.items) {
      expect(a.patient.uuid).toBe(full.uuid);
      expect(a).not.toHaveProperty("notes");
    }
    const appointment = booked.structured.uuid;
    const confirmed = record(
      await callOk(caller.client, "update_appointment_status", { caller_pass: pass, appointment_uuids: [appointment] }),
    );
    expect(confirmed.structured.results).toEqual([
      { appointment_uuid: appointment, outcome: "done", status: "confirmed" },
    ]);
    record(await callOk(caller.client, "cancel_appointment", { caller_pass: pass, appointment_uuid: appointment }));
    const created = record(
      await callOk(caller.client, "create_patient", {
        first_name: "Priya",
        last_name: "Raman",
        date_of_birth: "1991-07-08",
        primary_phone: "+1 415 555 0199",
        email: "priya.raman@example.com",
      }),
    );
    expect(Object.keys(created.structured.patient).sort()).toEqual([
      "first_name",
      "last_name",
      "preferred_provider_uuid",
      "uuid",
    ]);
    expect(created.text).toContain(`caller_pass: ${created.structured.caller_pass}`);
    const priyas = record(
      await callOk(caller.client, "find_appointments", { caller_pass: created.structured.caller_pass }),
    );
    expect(priyas.structured.items).toEqual([]);

    const everything = outputs.join("\n");
    for (const secret of [
      ...secrets,
      "1991-07-08",
      "priya.raman@example.com",
      "5550199",
      "555-0199",
      "call me on my mobile",
    ]) {
      expect(everything).not.toContain(secret);
    }
  });

  it("describes the mode in the tool descriptions and the server instructions", async () => {
    const { tools } = await caller.client.listTools();
    const search = tools.find((t) => t.name === "search_patients");
    expect(search?.description).toContain("CALLER MODE");
    expect(caller.client.getInstructions()).toMatch(/caller_pass/);
  });
});
