/**
 * book_appointment tells the truth whatever came before under its derived key: a booking cancelled or
 * moved since is never answered as "Booked", however many times that happened, and a retry written in
 * an equivalent form replays the booking instead of being told its own slot is taken.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppointmentPage, Availability, type Appointment } from "../../src/contract/index.js";
import { GUIDE_UUIDS } from "../../src/sandbox/demo/index.js";
import { instantAt } from "../../src/mcp/time.js";
import { callOk, startMcpHarness, type McpHarness } from "../support/mcp.js";
import { apiCaller, type Caller } from "../support/sandbox.js";

let harness: McpHarness;
let api: Caller;
beforeAll(async () => {
  harness = await startMcpHarness();
  api = apiCaller(harness.sandbox.baseUrl, harness.sandbox.token);
});
afterAll(async () => harness?.close());

/** A patient with no appointments, so that every booking below is judged on the slot alone. */
async function freshPatient(): Promise<string> {
  const created = await api("POST", "/patients", {
    body: { first_name: "Idem", last_name: `Potent ${randomBytes(4).toString("hex")}`, date_of_birth: "1975-03-04" },
  });
  expect(created.status).toBe(201);
  return created.body.uuid;
}

/** Free hygiene slots with Dr. Chen at Main Street, `fromDay` days ahead; distinct and far enough apart. */
async function slots(fromDay: number, count: number) {
  const day = new Date(Date.now() + fromDay * 86_400_000).toISOString().slice(0, 10);
  const query = `appointment_type_uuid=${GUIDE_UUIDS.hygiene}&provider_uuid=${GUIDE_UUIDS.michaelChen}&location_uuid=${GUIDE_UUIDS.mainStreetDental}&start_date=${day}&step_minutes=120&limit=${count}`;
  const response = await api("GET", `/schedule/availability?${query}`);
  const found = Availability.parse(response.body).slots;
  expect(found.length).toBe(count);
  return found;
}

function bookingArgs(patient: string, slot: { scheduled_start: string }, extra: Record<string, unknown> = {}) {
  return {
    patient_uuid: patient,
    appointment_type_uuid: GUIDE_UUIDS.hygiene,
    provider_uuid: GUIDE_UUIDS.michaelChen,
    location_uuid: GUIDE_UUIDS.mainStreetDental,
    scheduled_start: slot.scheduled_start,
    ...extra,
  };
}

/** Appointments of `patient` that are not cancelled. */
async function liveAppointments(patient: string): Promise<Appointment[]> {
  const response = await api("GET", `/appointments?patient_uuid=${patient}&page_size=100`);
  return AppointmentPage.parse(response.body).items.filter((a) => a.status !== "cancelled");
}

describe("book_appointment after earlier bookings under the same arguments", () => {
  it("eight book/cancel cycles with the same arguments: every call books the slot for real", async () => {
    const patient = await freshPatient();
    const [slot] = await slots(6, 1);
    const seen = new Set<string>();
    for (let cycle = 1; cycle <= 8; cycle++) {
      const booked = await callOk(harness.client, "book_appointment", bookingArgs(patient, slot!));
      const appointment = booked.structured;
      expect({ cycle, status: appointment.status, start: appointment.scheduled_start }).toEqual({
        cycle,
        status: "scheduled",
        start: slot!.scheduled_start,
      });
      expect(booked.text).toMatch(/^Booked: .*Status: scheduled\./);
      expect(seen.has(appointment.uuid), `cycle ${cycle} answered an earlier appointment`).toBe(false);
      seen.add(appointment.uuid);
      expect((await liveAppointments(patient)).map((a) => a.uuid)).toEqual([appointment.uuid]);
      // A retry right away replays this very booking.
      expect((await callOk(harness.client, "book_appointment", bookingArgs(patient, slot!))).structured.uuid).toBe(
        appointment.uuid,
      );
      await callOk(harness.client, "cancel_appointment", { appointment_uuid: appointment.uuid });
    }
    expect(seen.size).toBe(8);
  });

  it("booking a slot again after its appointment was moved away books that slot, not the moved time", async () => {
    const patient = await freshPatient();
    const [first, later] = await slots(8, 2);
    const booked = (await callOk(harness.client, "book_appointment", bookingArgs(patient, first!))).structured;
    await callOk(harness.client, "reschedule_appointment", {
      appointment_uuid: booked.uuid,
      scheduled_start: later!.scheduled_start,
    });

    const again = await callOk(harness.client, "book_appointment", bookingArgs(patient, first!));
    expect(again.structured.uuid).not.toBe(booked.uuid);
    expect(again.structured.scheduled_start).toBe(first!.scheduled_start);
    const live = await liveAppointments(patient);
    expect(live.map((a) => a.scheduled_start).sort()).toEqual([first!.scheduled_start, later!.scheduled_start].sort());
    // And once more: now the replay is true, so it is answered as is.
    expect((await callOk(harness.client, "book_appointment", bookingArgs(patient, first!))).structured.uuid).toBe(
      again.structured.uuid,
    );
  });

  it("the same booking retried in an equivalent form (…Z, the default end spelt out, blank notes) replays it", async () => {
    const patient = await freshPatient();
    const [slot] = await slots(10, 1);
    const booked = await callOk(
      harness.client,
      "book_appointment",
      bookingArgs(patient, slot!, { notes: "Bring the X-rays" }),
    );
    const uuid = booked.structured.uuid;
    const zulu = new Date(instantAt(slot!.scheduled_start, slot!.timezone)!).toISOString().replace(".000Z", "Z");
    for (const retry of [
      bookingArgs(patient, { scheduled_start: zulu }, { notes: "Bring the X-rays" }),
      bookingArgs(patient, slot!, { scheduled_end: slot!.scheduled_end, notes: "  Bring the X-rays " }),
      bookingArgs(
        patient,
        { scheduled_start: slot!.scheduled_start.slice(0, 16).replace("T", " ") },
        { notes: "Bring the X-rays" },
      ),
    ]) {
      const again = await callOk(harness.client, "book_appointment", retry);
      expect(again.structured.uuid, JSON.stringify(retry)).toBe(uuid);
    }
    // Blank notes are no notes: one request with another booking's notes omitted.
    const [other] = await slots(12, 1);
    const plain = (await callOk(harness.client, "book_appointment", bookingArgs(patient, other!))).structured.uuid;
    expect(
      (await callOk(harness.client, "book_appointment", bookingArgs(patient, other!, { notes: "   " }))).structured
        .uuid,
    ).toBe(plain);
    expect((await liveAppointments(patient)).length).toBe(2);
  });
});
