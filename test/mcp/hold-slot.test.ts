/**
 * hold_slot end to end through the SDK Client over one embedded sandbox: in caller mode two callers (two
 * clients, two passes) and in staff mode a front desk. A slot held by one is refused to the others, and its
 * holder books it with the hold_uuid; a party's set is held whole or not at all.
 */
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "../../src/log.js";
import { createMcpServer } from "../../src/mcp/server.js";
import { PmsClient } from "../../src/pms/client.js";
import { GUIDE_UUIDS } from "../../src/sandbox/demo/index.js";
import { startSandbox, type RunningSandbox } from "../../src/sandbox/index.js";
import { addDays } from "../../src/mcp/time.js";
import { callError, callOk, connectInMemory, defined, testCallerGuard, type ModeClient } from "../support/mcp.js";

let sandbox: RunningSandbox;
let pms: PmsClient;
let staff: ModeClient<"staff">;
let callers: [ModeClient<"caller">, ModeClient<"caller">];
const closers: (() => Promise<unknown>)[] = [];

async function connect(privacy: "staff" | "caller"): Promise<Client> {
  const guard = testCallerGuard(privacy);
  const server = createMcpServer({ pms, privacy, logger: silentLogger, guard });
  const client = await connectInMemory(server);
  closers.push(
    () => client.close(),
    () => server.close(),
    async () => guard?.close(),
  );
  return client;
}

beforeAll(async () => {
  sandbox = await startSandbox();
  pms = new PmsClient({ baseUrl: sandbox.url, orgId: sandbox.orgId, token: sandbox.token });
  staff = await connect("staff");
  callers = [(await connect("caller")) as ModeClient<"caller">, (await connect("caller")) as ModeClient<"caller">];
});
afterAll(async () => {
  for (const close of closers) await close();
  await pms.close();
  await sandbox.close();
});

async function passOf(client: ModeClient<"caller">, first_name: string, date_of_birth: string): Promise<string> {
  const found = await callOk(client, "search_patients", { first_name, last_name: "Smith", date_of_birth });
  return found.structured.caller_pass;
}

/** Free slots of the guide's exam with Dr. Chen some days ahead (never today, whatever the time of day). */
async function examSlots(client: Client, daysAhead: number, extra: Record<string, unknown> = {}) {
  const today = new Date().toISOString().slice(0, 10);
  const day = addDays(today, daysAhead);
  const found = await callOk(client as ModeClient<"staff">, "check_availability", {
    appointment_type_uuid: GUIDE_UUIDS.newPatientExam,
    start_date: day,
    end_date: addDays(day, 6),
    ...extra,
  });
  return found.structured.slots;
}

const slotArgs = (slot: { scheduled_start: string; provider: { uuid: string }; location: { uuid: string } }) => ({
  scheduled_start: slot.scheduled_start,
  provider_uuid: slot.provider.uuid,
  location_uuid: slot.location.uuid,
});

describe("hold_slot in caller mode, two callers", () => {
  it("the first caller holds a slot: it is not offered to the second, whose booking is refused; the holder books it", async () => {
    const [janeClient, jonathanClient] = callers;
    const jane = await passOf(janeClient, "Jane", "1986-04-12");
    const jonathan = await passOf(jonathanClient, "Jonathan", "1972-11-30");
    const slot = defined((await examSlots(janeClient, 3, { provider_uuid: GUIDE_UUIDS.michaelChen }))[0], "a slot");

    const held = await callOk(janeClient, "hold_slot", {
      caller_pass: jane,
      appointment_type_uuid: GUIDE_UUIDS.newPatientExam,
      slots: [slotArgs(slot)],
    });
    const hold = defined(held.structured.holds[0], "a hold");
    expect(hold).toMatchObject({ scheduled_start: slot.scheduled_start, provider: { uuid: slot.provider.uuid } });
    expect(held.text).toContain(`hold_uuid ${hold.hold_uuid}`);
    expect(held.text).toMatch(/^Held until \d\d:\d\d/);

    const offered = await examSlots(jonathanClient, 3, { provider_uuid: GUIDE_UUIDS.michaelChen });
    expect(offered.some((s) => s.scheduled_start === slot.scheduled_start)).toBe(false);
    const booking = {
      appointment_type_uuid: GUIDE_UUIDS.newPatientExam,
      ...slotArgs(slot),
    };
    const refused = await callError(jonathanClient, "book_appointment", { caller_pass: jonathan, ...booking });
    expect(refused).toMatch(/Someone else is holding that time while they decide until \d\d:\d\d/);
    // Nor can the second caller book under the first one's hold: it is held for Jane.
    const underHold = await callError(jonathanClient, "book_appointment", {
      caller_pass: jonathan,
      ...booking,
      hold_uuid: hold.hold_uuid,
    });
    expect(underHold).toContain("patient_uuid");

    const booked = await callOk(janeClient, "book_appointment", {
      caller_pass: jane,
      ...booking,
      hold_uuid: hold.hold_uuid,
    });
    expect(booked.structured).toMatchObject({ scheduled_start: slot.scheduled_start, status: "scheduled" });
    // The same call again is a retry: it answers with the same appointment.
    const again = await callOk(janeClient, "book_appointment", {
      caller_pass: jane,
      ...booking,
      hold_uuid: hold.hold_uuid,
    });
    expect(again.structured.uuid).toBe(booked.structured.uuid);
  });
});

describe("hold_slot in staff mode", () => {
  it("a held slot is refused to another booking of the front desk; booked with its hold_uuid", async () => {
    const slot = defined((await examSlots(staff, 5))[0], "a slot");
    const held = await callOk(staff, "hold_slot", {
      appointment_type_uuid: GUIDE_UUIDS.newPatientExam,
      slots: [slotArgs(slot)],
    });
    const hold = defined(held.structured.holds[0], "a hold");
    const booking = {
      patient_uuid: GUIDE_UUIDS.jonathanSmith,
      appointment_type_uuid: GUIDE_UUIDS.newPatientExam,
      ...slotArgs(slot),
    };
    expect(await callError(staff, "book_appointment", booking)).toMatch(/Someone else is holding that time/);
    const booked = await callOk(staff, "book_appointment", { ...booking, hold_uuid: hold.hold_uuid });
    expect(booked.structured.scheduled_start).toBe(slot.scheduled_start);
  });

  it("holds a party's set whole, or nothing of it when one member cannot be held", async () => {
    const sets = await examSlots(staff, 8, { party_size: 2, limit: 2 });
    const first = sets.filter((s) => s.set === 1);
    expect(first).toHaveLength(2);
    const held = await callOk(staff, "hold_slot", {
      appointment_type_uuid: GUIDE_UUIDS.newPatientExam,
      slots: first.map(slotArgs),
    });
    expect(held.structured.holds.map((h) => h.scheduled_start)).toEqual(first.map((s) => s.scheduled_start));
    // A free slot of a later week and a member of the first set (held already): refused, and the free one released.
    const member = defined((await examSlots(staff, 20))[0], "a free slot of a later week");
    const refused = await callError(staff, "hold_slot", {
      appointment_type_uuid: GUIDE_UUIDS.newPatientExam,
      slots: [slotArgs(member), slotArgs(defined(first[0], "a first member"))],
    });
    expect(refused).toMatch(/holding that time/);
    const again = await callOk(staff, "hold_slot", {
      appointment_type_uuid: GUIDE_UUIDS.newPatientExam,
      slots: [slotArgs(member)],
    });
    expect(again.structured.holds).toHaveLength(1);
  });
});
