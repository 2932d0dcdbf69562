/** No double booking under concurrency, and Idempotency-Key semantics (replay, reuse, races). */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Appointment, AppointmentPage } from "../../src/contract/index.js";
import { expectProblem, startTinySandbox, type TinySandbox } from "../support/sandbox.js";

let t: TinySandbox;
beforeAll(async () => {
  t = await startTinySandbox();
});
afterAll(() => t.sandbox.close());

function booking(start: string, overrides: Record<string, unknown> = {}) {
  return {
    patient_uuid: t.tiny.patientUuid,
    appointment_type_uuid: t.tiny.examTypeUuid,
    location_uuid: t.tiny.locationUuid,
    provider_uuid: t.tiny.dentistUuid,
    scheduled_start: start,
    ...overrides,
  };
}

async function appointmentsOn(date: string) {
  const response = await t.call("GET", `/appointments?start_date=${date}&end_date=${date}&page_size=100`);
  return AppointmentPage.parse(response.body);
}

describe("concurrent bookings of one slot", () => {
  it("200 simultaneous POSTs for the same slot by two patients: exactly one 201, every other one 409", async () => {
    const patients = [t.tiny.patientUuid, t.tiny.otherPatientUuid];
    const responses = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        t.call("POST", "/appointments", { body: booking("2026-03-03T09:00:00", { patient_uuid: patients[i % 2] }) }),
      ),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(199);
    const winner = responses.find((r) => r.status === 201)!.body.patient.uuid as string;
    // The winner's own retries are told the patient is booked then; the other patient, that the slot is taken.
    for (const [i, response] of responses.entries()) {
      if (response.status === 409)
        expectProblem(response, 409, patients[i % 2] === winner ? "patient_busy" : "slot_unavailable");
    }
    expect((await appointmentsOn("2026-03-03")).total).toBe(1);
  });

  it("100 simultaneous POSTs of one patient with two providers at one time: exactly one 201, every other one 409 patient_busy", async () => {
    const providers = [
      { provider_uuid: t.tiny.dentistUuid, operatory_uuid: t.tiny.operatoryUuids[0] },
      { provider_uuid: t.tiny.hygienistUuid, operatory_uuid: t.tiny.operatoryUuids[1] },
    ];
    const responses = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        t.call("POST", "/appointments", {
          body: booking("2026-03-03T14:00:00", { appointment_type_uuid: t.tiny.cleaningTypeUuid, ...providers[i % 2] }),
        }),
      ),
    );
    expect(responses.filter((r) => r.status === 201)).toHaveLength(1);
    // Even the losers for the winner's own provider hear about the patient: the patient is checked first.
    for (const response of responses.filter((r) => r.status !== 201)) {
      expect(expectProblem(response, 409, "patient_busy").conflict).toMatchObject({
        resource: "patient",
        start: "2026-03-03T14:00:00",
      });
    }
    expect(
      (await appointmentsOn("2026-03-03")).items.filter((a) => a.scheduled_start === "2026-03-03T14:00:00"),
    ).toHaveLength(1);
  });

  it("overlapping (not identical) windows race: still one winner per provider", async () => {
    const starts = ["2026-03-04T09:00:00", "2026-03-04T09:15:00", "2026-03-04T09:30:00", "2026-03-04T09:45:00"];
    const responses = await Promise.all(
      Array.from({ length: 80 }, (_, i) =>
        t.call("POST", "/appointments", { body: booking(starts[i % starts.length] as string) }),
      ),
    );
    expect(responses.filter((r) => r.status === 201)).toHaveLength(1);
    expect((await appointmentsOn("2026-03-04")).total).toBe(1);
  });
});

describe("Idempotency-Key", () => {
  it("replays the original 201 for the same key and body, with Idempotent-Replayed, and books once", async () => {
    const headers = { "Idempotency-Key": "replay-key-1" };
    const first = await t.call("POST", "/appointments", { body: booking("2026-03-05T09:00:00"), headers });
    expect(first.status).toBe(201);
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    // Same body with keys in another order: the same request.
    const { scheduled_start, ...rest } = booking("2026-03-05T09:00:00");
    const second = await t.call("POST", "/appointments", { body: { scheduled_start, ...rest }, headers });
    expect(second.status).toBe(201);
    expect(second.headers.get("idempotent-replayed")).toBe("true");
    expect(second.body).toEqual(first.body);
    expect((await appointmentsOn("2026-03-05")).total).toBe(1);
  });

  it("replays an equivalent request: …Z or an offset for the local time, the default end spelt out, blank notes", async () => {
    const headers = { "Idempotency-Key": "equivalent-forms" };
    // Thursday 2026-03-12 09:00 in Los Angeles is 16:00Z (PDT since the 8th); the exam lasts 60 minutes.
    const first = await t.call("POST", "/appointments", { body: booking("2026-03-12T09:00:00"), headers });
    expect(first.status).toBe(201);
    for (const equivalent of [
      booking("2026-03-12T16:00:00Z"),
      booking("2026-03-12T12:00:00-04:00"),
      booking("2026-03-12T09:00"),
      booking("2026-03-12T09:00:00", { scheduled_end: "2026-03-12T10:00:00" }),
      booking("2026-03-12T09:00:00", { notes: "   " }),
    ]) {
      const again = await t.call("POST", "/appointments", { body: equivalent, headers });
      expect(
        { status: again.status, replayed: again.headers.get("idempotent-replayed") },
        JSON.stringify(equivalent),
      ).toEqual({
        status: 201,
        replayed: "true",
      });
      expect(again.body).toEqual(first.body);
    }
    // A different end is a different request.
    const longer = booking("2026-03-12T09:00:00", { scheduled_end: "2026-03-12T10:30:00" });
    expectProblem(await t.call("POST", "/appointments", { body: longer, headers }), 422, "idempotency_key_reused");
    expect((await appointmentsOn("2026-03-12")).total).toBe(1);
    expect(first.body.notes).toBeNull();
  });

  it("answers 422 idempotency_key_reused for the same key with a different body", async () => {
    const headers = { "Idempotency-Key": "reused-key" };
    expect((await t.call("POST", "/appointments", { body: booking("2026-03-06T09:00:00"), headers })).status).toBe(201);
    const other = await t.call("POST", "/appointments", { body: booking("2026-03-06T11:00:00"), headers });
    expectProblem(other, 422, "idempotency_key_reused");
    expect((await appointmentsOn("2026-03-06")).total).toBe(1);
  });

  it("does not store failures: a corrected retry under the same key succeeds", async () => {
    const headers = { "Idempotency-Key": "corrected-retry" };
    expectProblem(
      await t.call("POST", "/appointments", { body: booking("2026-03-09T20:00:00"), headers }),
      422,
      "outside_working_hours",
    );
    const retry = await t.call("POST", "/appointments", { body: booking("2026-03-09T10:00:00"), headers });
    expect(retry.status).toBe(201);
    expect(retry.headers.get("idempotent-replayed")).toBeNull();
  });

  it("50 concurrent requests with one key and body: one appointment, all answered with it", async () => {
    const headers = { "Idempotency-Key": "concurrent-key" };
    const responses = await Promise.all(
      Array.from({ length: 50 }, () =>
        t.call("POST", "/appointments", { body: booking("2026-03-10T09:00:00"), headers }),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(50).fill(201));
    const uuids = new Set(responses.map((r) => Appointment.parse(r.body).uuid));
    expect(uuids.size).toBe(1);
    expect(responses.filter((r) => r.headers.get("idempotent-replayed") === "true")).toHaveLength(49);
    expect((await appointmentsOn("2026-03-10")).total).toBe(1);
  });

  it("keys are scoped to the request, not the slot: after a cancel, a new key rebooks the slot", async () => {
    const first = await t.call("POST", "/appointments", {
      body: booking("2026-03-11T09:00:00"),
      headers: { "Idempotency-Key": "slot-a" },
    });
    const uuid = Appointment.parse(first.body).uuid;
    await t.call("POST", `/appointments/${uuid}/status`, { body: { status: "cancelled" } });
    const rebooked = await t.call("POST", "/appointments", {
      body: booking("2026-03-11T09:00:00"),
      headers: { "Idempotency-Key": "slot-b" },
    });
    expect(rebooked.status).toBe(201);
  });

  it.each([
    ["empty", ""],
    ["too long", "k".repeat(256)],
    ["non-ASCII", "clé"],
    ["with a space", "two words"],
  ])("rejects a key that is %s with 400 naming the header", async (_, key) => {
    const response = await t.call("POST", "/appointments", {
      body: booking("2026-03-12T09:00:00"),
      headers: { "Idempotency-Key": key },
    });
    const problem = expectProblem(response, 400, "validation_failed");
    expect(problem.errors?.[0]?.field).toBe("header.idempotency-key");
  });
});
