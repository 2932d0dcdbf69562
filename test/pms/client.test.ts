/** Every method of the client against the real sandbox, through a transparent proxy. */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { PmsClient } from "../../src/pms/client.js";
import { GUIDE_UUIDS } from "../../src/sandbox/demo/index.js";
import {
  bookingFor,
  failure,
  DR_CHEN,
  freeSlot,
  JANE,
  MAIN_STREET,
  NPE,
  startHarness,
  TOKEN,
  type Harness,
} from "./harness.js";

let harness: Harness;
let client: PmsClient;

beforeAll(async () => {
  harness = await startHarness();
  client = harness.client();
});
afterAll(() => harness.close());
beforeEach(() => harness.proxy.clear());

describe("PmsClient against the sandbox", () => {
  it("searches patients and gets one by uuid", async () => {
    const page = await client.searchPatients({ query: { query: "Smith", page_size: 5 } });
    expect(page.page_size).toBe(5);
    expect(page.items.map((p) => p.uuid)).toContain(JANE);
    const jane = await client.getPatient({ params: { patient_uuid: JANE } });
    expect(jane).toMatchObject({ first_name: "Jane", last_name: "Smith", date_of_birth: "1986-04-12" });
  });

  it("creates a patient", async () => {
    const last = `Okafor${randomUUID().slice(0, 8)}`;
    const created = await client.createPatient({
      body: {
        first_name: "Ada",
        last_name: last,
        date_of_birth: "1990-02-03",
        primary_phone: "(415) 555-0199",
      },
    });
    expect(created).toMatchObject({ first_name: "Ada", last_name: last, primary_phone: "+14155550199" });
    expect((await client.searchPatients({ query: { query: last } })).items.map((p) => p.uuid)).toEqual([created.uuid]);
  });

  it("lists reference data: appointment types, providers, locations", async () => {
    const types = await client.listAppointmentTypes({ query: { is_active: true } });
    expect(types.items.find((t) => t.uuid === NPE)).toMatchObject({ code: "NPE", duration_minutes: 60 });
    expect(types.items.every((t) => t.is_active)).toBe(true);
    expect(harness.proxy.requests[0]?.path).toMatch(/\/appointment-types\?is_active=true$/);
    const providers = await client.listProviders();
    expect(providers.items.find((p) => p.uuid === DR_CHEN)).toMatchObject({ last_name: "Chen", title: "DDS" });
    const locations = await client.listLocations();
    expect(locations.items.find((l) => l.uuid === MAIN_STREET)?.timezone).toMatch(/\//);
  });

  it("books from availability and walks the appointment through its life", async () => {
    const slot = await freeSlot(client);
    expect(slot.provider.uuid).toBe(DR_CHEN);
    const { value: booked } = await client.createAppointment(
      { body: bookingFor(slot, "First visit") },
      { idempotencyKey: randomUUID() },
    );
    expect(booked).toMatchObject({ status: "scheduled", scheduled_start: slot.scheduled_start, notes: "First visit" });
    expect(booked.patient.uuid).toBe(JANE);

    expect((await client.getAppointment({ params: { appointment_uuid: booked.uuid } })).uuid).toBe(booked.uuid);
    const listed = await client.listAppointments({ query: { patient_uuid: JANE, page_size: 100 } });
    expect(listed.items.map((a) => a.uuid)).toContain(booked.uuid);

    const updated = await client.updateAppointment({
      params: { appointment_uuid: booked.uuid },
      body: { notes: "Bring x-rays" },
    });
    expect(updated.notes).toBe("Bring x-rays");
    const confirmed = await client.changeAppointmentStatus({
      params: { appointment_uuid: booked.uuid },
      body: { status: "confirmed" },
    });
    expect(confirmed.status).toBe("confirmed");
    const note = await client.addAppointmentNote({
      params: { appointment_uuid: booked.uuid },
      body: { text: "Patient anxious about needles" },
    });
    expect(note.text).toBe("Patient anxious about needles");
    expect(
      (await client.getAppointment({ params: { appointment_uuid: booked.uuid } })).clinical_notes.map((n) => n.uuid),
    ).toEqual([note.uuid]);

    const cancelled = await client.changeAppointmentStatus({
      params: { appointment_uuid: booked.uuid },
      body: { status: "cancelled", reason: "Sick" },
    });
    expect(cancelled).toMatchObject({ status: "cancelled", cancellation_reason: "Sick" });
  });

  it("sends the bearer token, Accept and the Idempotency-Key", async () => {
    const key = randomUUID();
    const slot = await freeSlot(client);
    harness.proxy.clear();
    await client.createAppointment({ body: bookingFor(slot) }, { idempotencyKey: key });
    const [post] = harness.proxy.requests;
    expect(post?.path).toBe(`/api/v1/${harness.orgId}/appointments`);
    expect(post?.headers).toMatchObject({
      authorization: `Bearer ${TOKEN}`,
      accept: "application/json",
      "content-type": "application/json",
      "idempotency-key": key,
    });
  });

  it("tells a first booking from a replay of the same key", async () => {
    const slot = await freeSlot(client);
    const key = randomUUID();
    const first = await client.createAppointment({ body: bookingFor(slot) }, { idempotencyKey: key });
    const again = await client.createAppointment({ body: bookingFor(slot) }, { idempotencyKey: key });
    expect(first.replayed).toBe(false);
    expect(again).toEqual({ value: first.value, replayed: true });
  });
});

describe("errors from the sandbox", () => {
  it("404 → not_found", async () => {
    const error = await failure(
      client.getPatient({ params: { patient_uuid: "00000000-0000-0000-0000-000000000000" } }),
    );
    expect(error.kind).toBe("not_found");
    expect(error.status).toBe(404);
    expect(error.problem?.code).toBe("not_found");
  });

  it("a taken slot → conflict with what is taken, and no retry", async () => {
    const slot = await freeSlot(client);
    await client.createAppointment({ body: bookingFor(slot) }, { idempotencyKey: randomUUID() });
    harness.proxy.clear();
    // Another patient: the same one would be told they are already booked then (patient_busy).
    const other = { ...bookingFor(slot), patient_uuid: GUIDE_UUIDS.jonathanSmith };
    const error = await failure(client.createAppointment({ body: other }, { idempotencyKey: randomUUID() }));
    expect(error.kind).toBe("conflict");
    expect(error.problem?.code).toBe("slot_unavailable");
    expect(error.problem?.conflict?.resource).toMatch(/provider|operatory/);
    expect(harness.proxy.requests).toHaveLength(1);
  });

  it("an impossible status change → conflict with the allowed statuses", async () => {
    const slot = await freeSlot(client);
    const { value: booked } = await client.createAppointment(
      { body: bookingFor(slot) },
      { idempotencyKey: randomUUID() },
    );
    const error = await failure(
      client.changeAppointmentStatus({ params: { appointment_uuid: booked.uuid }, body: { status: "completed" } }),
    );
    expect(error.kind).toBe("conflict");
    expect(error.problem?.code).toBe("invalid_transition");
    expect(error.problem?.allowed_statuses).toEqual(["confirmed", "arrived", "cancelled"]);
    expect(error.problem?.current_status).toBe("scheduled");
  });

  it("a rule of the server → validation with its field list", async () => {
    const error = await failure(
      client.createAppointment(
        { body: { ...bookingFor({ scheduled_start: "2020-01-06T10:00:00" }) } },
        { idempotencyKey: randomUUID() },
      ),
    );
    expect(error.kind).toBe("validation");
    expect(error.status).toBe(422);
    expect(error.problem?.code).toBe("in_the_past");
  });

  it("a wrong token → unauthorized, not retried, token not echoed", async () => {
    const wrong = harness.client({ token: `${TOKEN}-wrong` });
    const error = await failure(wrong.listProviders());
    expect(error.kind).toBe("unauthorized");
    expect(harness.proxy.requests).toHaveLength(1);
    expect(error.message).not.toContain(TOKEN);
  });
});

describe("local validation", () => {
  it("names the field and sends nothing", async () => {
    const badUuid = await failure(client.getPatient({ params: { patient_uuid: "not-a-uuid" } }));
    expect(badUuid.kind).toBe("validation");
    expect(badUuid.problem?.errors).toEqual([{ field: "patient_uuid", message: expect.stringContaining("uuid") }]);

    const badQuery = await failure(client.searchPatients({ query: { query: "Smith", page_size: 1000 } }));
    expect(badQuery.problem?.errors?.[0]?.field).toBe("query.page_size");

    const badBody = await failure(
      client.createPatient({ body: { first_name: "Ada", last_name: "", date_of_birth: "1990-02-30" } }),
    );
    expect(badBody.problem?.errors?.map((e) => e.field).sort()).toEqual(["date_of_birth", "last_name"]);

    const badKey = await failure(
      client.createAppointment(
        { body: bookingFor({ scheduled_start: "2030-01-07T10:00:00" }) },
        { idempotencyKey: "has space" },
      ),
    );
    expect(badKey.problem?.errors?.[0]?.field).toBe("header.idempotency-key");

    expect(harness.proxy.requests).toHaveLength(0);
  });
});
