/** Booking, conflicts, reschedule, lifecycle, notes: the scheduling rules over real HTTP and SQLite. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Appointment, AppointmentPage, Availability, ClinicalNote } from "../../src/contract/index.js";
import { expectProblem, startTinySandbox, tinyBooking, type TinySandbox } from "../support/sandbox.js";

let t: TinySandbox;
beforeAll(async () => {
  t = await startTinySandbox();
});
afterAll(() => t.sandbox.close());

const booking = (overrides: Record<string, unknown> = {}) => tinyBooking(t.tiny, overrides);

async function book(overrides: Record<string, unknown> = {}) {
  const response = await t.call("POST", "/appointments", { body: booking(overrides) });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return Appointment.parse(response.body);
}

describe("POST /appointments", () => {
  it("books with the type's duration by default, in a free operatory, status scheduled", async () => {
    const appointment = await book({ scheduled_start: "2026-03-04T09:00:00", notes: "first visit" });
    expect(appointment).toMatchObject({
      status: "scheduled",
      scheduled_start: "2026-03-04T09:00:00",
      scheduled_end: "2026-03-04T10:00:00",
      timezone: "America/Los_Angeles",
      notes: "first visit",
      clinical_notes: [],
      cancellation_reason: null,
      provider: { uuid: t.tiny.dentistUuid, first_name: "Dana", last_name: "Molar", title: "DDS" },
      patient: { uuid: t.tiny.patientUuid, first_name: "Tess", last_name: "Tooth" },
      appointment_type: { uuid: t.tiny.examTypeUuid, name: "Exam", duration_minutes: 60 },
      operatory: { uuid: t.tiny.operatoryUuids[0], name: "Op 1" },
    });
    expect(appointment.created_at).toBe("2026-03-02T12:00:00Z");
  });

  it("converts an instant with an offset to the location's local time", async () => {
    // 17:00Z on 2026-03-05 is 09:00 PST.
    const appointment = await book({
      scheduled_start: "2026-03-05T17:00:00Z",
      scheduled_end: "2026-03-05T10:30:00-08:00",
    });
    expect([appointment.scheduled_start, appointment.scheduled_end]).toEqual([
      "2026-03-05T09:00:00",
      "2026-03-05T10:30:00",
    ]);
  });

  it("books times written with zero fractions (as toISOString does) and refuses sub-second times it could not show", async () => {
    const appointment = await book({ scheduled_start: "2026-03-18T16:00:00.000Z" });
    expect(appointment.scheduled_start).toBe("2026-03-18T09:00:00");
    for (const [field, value] of [
      ["scheduled_start", "2026-03-18T14:00:00.250"],
      ["scheduled_end", "2026-03-18T15:00:00.5-07:00"],
    ] as const) {
      const response = await t.call("POST", "/appointments", {
        body: booking({ scheduled_start: "2026-03-18T14:00:00", [field]: value }),
      });
      const problem = expectProblem(response, 400, "validation_failed");
      expect(problem.errors?.map((e) => e.field)).toEqual([field]);
      expect(problem.detail).toContain("whole second");
    }
    const moved = await t.call("PATCH", `/appointments/${appointment.uuid}`, {
      body: { scheduled_start: "2026-03-18T10:00:00.001" },
    });
    expect(expectProblem(moved, 400, "validation_failed").errors?.map((e) => e.field)).toEqual(["scheduled_start"]);
  });

  it("answers 409 naming the busy provider and the conflicting window", async () => {
    await book({ scheduled_start: "2026-03-06T09:00:00" });
    const response = await t.call("POST", "/appointments", {
      body: booking({ scheduled_start: "2026-03-06T09:30:00", patient_uuid: t.tiny.otherPatientUuid }),
    });
    const problem = expectProblem(response, 409, "slot_unavailable");
    expect(problem.conflict).toEqual({
      resource: "provider",
      resource_uuid: t.tiny.dentistUuid,
      start: "2026-03-06T09:00:00",
      end: "2026-03-06T10:00:00",
      timezone: "America/Los_Angeles",
    });
    expect(problem.detail).toContain("09:00");
  });

  it("answers 409 naming the operatory when the requested operatory is taken", async () => {
    await book({ scheduled_start: "2026-03-06T14:00:00", operatory_uuid: t.tiny.operatoryUuids[1] });
    const response = await t.call("POST", "/appointments", {
      body: booking({
        provider_uuid: t.tiny.hygienistUuid,
        appointment_type_uuid: t.tiny.cleaningTypeUuid,
        scheduled_start: "2026-03-06T14:30:00",
        operatory_uuid: t.tiny.operatoryUuids[1],
        patient_uuid: t.tiny.otherPatientUuid,
      }),
    });
    const problem = expectProblem(response, 409, "slot_unavailable");
    expect(problem.conflict).toMatchObject({
      resource: "operatory",
      resource_uuid: t.tiny.operatoryUuids[1],
      start: "2026-03-06T14:00:00",
    });
  });

  it.each([
    ["outside_working_hours", { scheduled_start: "2026-03-03T18:00:00" }, "scheduled_start"],
    ["outside_working_hours", { scheduled_start: "2026-03-03T12:30:00" }, "scheduled_start"], // lunch break
    ["in_the_past", { scheduled_start: "2026-03-01T09:00:00" }, "scheduled_start"],
    [
      "invalid_time_range",
      { scheduled_start: "2026-03-03T10:00:00", scheduled_end: "2026-03-03T09:00:00" },
      "scheduled_end",
    ],
    ["inactive_appointment_type", { appointment_type_uuid: "ARCHIVED" }, "appointment_type_uuid"],
    ["provider_not_eligible", { provider_uuid: "HYGIENIST" }, "provider_uuid"],
    ["unknown_reference", { patient_uuid: "00000000-0000-0000-0000-000000000001" }, "patient_uuid"],
    ["unknown_reference", { location_uuid: "00000000-0000-0000-0000-000000000002" }, "location_uuid"],
    ["unknown_reference", { provider_uuid: "00000000-0000-0000-0000-000000000003" }, "provider_uuid"],
    ["unknown_reference", { appointment_type_uuid: "00000000-0000-0000-0000-000000000004" }, "appointment_type_uuid"],
    ["unknown_reference", { operatory_uuid: "00000000-0000-0000-0000-000000000005" }, "operatory_uuid"],
  ] as const)("answers 422 %s naming the field (%j)", async (code, overrides, field) => {
    const resolved = Object.fromEntries(
      Object.entries(overrides).map(([k, v]) => [
        k,
        v === "ARCHIVED" ? t.tiny.archivedTypeUuid : v === "HYGIENIST" ? t.tiny.hygienistUuid : v,
      ]),
    );
    const problem = expectProblem(await t.call("POST", "/appointments", { body: booking(resolved) }), 422, code);
    expect(problem.errors?.map((e) => e.field)).toContain(field);
  });

  it("lists every unknown reference at once", async () => {
    const response = await t.call("POST", "/appointments", {
      body: booking({
        patient_uuid: "00000000-0000-0000-0000-000000000001",
        provider_uuid: "00000000-0000-0000-0000-000000000003",
      }),
    });
    const problem = expectProblem(response, 422, "unknown_reference");
    expect(problem.errors?.map((e) => e.field)).toEqual(["patient_uuid", "provider_uuid"]);
  });

  it("offers only bookable slots: booking the first slot succeeds and removes it from availability", async () => {
    const query = `/schedule/availability?appointment_type_uuid=${t.tiny.examTypeUuid}&start_date=2026-03-10&end_date=2026-03-10&limit=5`;
    const before = Availability.parse((await t.call("GET", query)).body);
    const first = before.slots[0];
    expect(first).toBeDefined();
    if (!first) return;
    await book({
      scheduled_start: first.scheduled_start,
      provider_uuid: first.provider.uuid,
      operatory_uuid: first.operatory.uuid,
    });
    const after = Availability.parse((await t.call("GET", query)).body);
    expect(
      after.slots.some((s) => s.scheduled_start === first.scheduled_start && s.provider.uuid === first.provider.uuid),
    ).toBe(false);
  });
});

describe("lifecycle", () => {
  it("walks scheduled → confirmed → arrived → completed, and refuses going back with 409", async () => {
    const { uuid } = await book({ scheduled_start: "2026-03-09T09:00:00" });
    for (const status of ["confirmed", "arrived", "completed"] as const) {
      const response = await t.call("POST", `/appointments/${uuid}/status`, { body: { status } });
      expect(response.status).toBe(200);
      expect(Appointment.parse(response.body).status).toBe(status);
    }
    const problem = expectProblem(
      await t.call("POST", `/appointments/${uuid}/status`, { body: { status: "scheduled" } }),
      409,
      "invalid_transition",
    );
    expect(problem.current_status).toBe("completed");
    expect(problem.allowed_statuses).toEqual([]);
  });

  it("lists the allowed statuses in the body and the detail", async () => {
    const { uuid } = await book({ scheduled_start: "2026-03-09T11:00:00" });
    const problem = expectProblem(
      await t.call("POST", `/appointments/${uuid}/status`, { body: { status: "completed" } }),
      409,
      "invalid_transition",
    );
    expect(problem.current_status).toBe("scheduled");
    expect(problem.allowed_statuses).toEqual(["confirmed", "arrived", "cancelled"]);
    expect(problem.detail).toContain("confirmed, arrived, cancelled");
  });

  it("cancelling stores the reason and frees the slot for another booking", async () => {
    const { uuid } = await book({ scheduled_start: "2026-03-09T14:00:00" });
    const other = booking({ scheduled_start: "2026-03-09T14:00:00", patient_uuid: t.tiny.otherPatientUuid });
    expectProblem(await t.call("POST", "/appointments", { body: other }), 409, "slot_unavailable");
    const cancelled = await t.call("POST", `/appointments/${uuid}/status`, {
      body: { status: "cancelled", reason: "patient is sick" },
    });
    expect(Appointment.parse(cancelled.body)).toMatchObject({
      status: "cancelled",
      cancellation_reason: "patient is sick",
    });
    await book({ scheduled_start: "2026-03-09T14:00:00" });
    const reschedule = await t.call("PATCH", `/appointments/${uuid}`, {
      body: { scheduled_start: "2026-03-09T15:00:00" },
    });
    const problem = expectProblem(reschedule, 409, "invalid_transition");
    expect(problem.current_status).toBe("cancelled");
  });
});

describe("PATCH /appointments/{uuid}", () => {
  it("moves the start alone keeping the duration, ignoring the appointment's own slot", async () => {
    const { uuid } = await book({ scheduled_start: "2026-03-11T09:00:00" });
    // 09:30-10:30 overlaps the appointment itself: not a conflict.
    const response = await t.call("PATCH", `/appointments/${uuid}`, {
      body: { scheduled_start: "2026-03-11T09:30:00" },
    });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(Appointment.parse(response.body)).toMatchObject({
      scheduled_start: "2026-03-11T09:30:00",
      scheduled_end: "2026-03-11T10:30:00",
    });
  });

  it("refuses a move onto another booking with 409, and leaves the appointment as it was", async () => {
    const a = await book({ scheduled_start: "2026-03-11T14:00:00" });
    await book({ scheduled_start: "2026-03-11T15:00:00", patient_uuid: t.tiny.otherPatientUuid });
    expectProblem(
      await t.call("PATCH", `/appointments/${a.uuid}`, { body: { scheduled_start: "2026-03-11T14:30:00" } }),
      409,
      "slot_unavailable",
    );
    const unchanged = Appointment.parse((await t.call("GET", `/appointments/${a.uuid}`)).body);
    expect(unchanged.scheduled_start).toBe("2026-03-11T14:00:00");
  });

  it("moves to another eligible provider, and refuses an ineligible one with 422", async () => {
    const { uuid } = await book({
      appointment_type_uuid: t.tiny.cleaningTypeUuid,
      scheduled_start: "2026-03-12T09:00:00",
    });
    const moved = await t.call("PATCH", `/appointments/${uuid}`, { body: { provider_uuid: t.tiny.hygienistUuid } });
    expect(Appointment.parse(moved.body).provider.uuid).toBe(t.tiny.hygienistUuid);
    const exam = await book({ scheduled_start: "2026-03-12T14:00:00" });
    const problem = expectProblem(
      await t.call("PATCH", `/appointments/${exam.uuid}`, { body: { provider_uuid: t.tiny.hygienistUuid } }),
      422,
      "provider_not_eligible",
    );
    expect(problem.errors?.[0]?.field).toBe("provider_uuid");
  });

  it("changes notes only, and 404s on an unknown appointment", async () => {
    const { uuid } = await book({ scheduled_start: "2026-03-13T09:00:00" });
    const response = await t.call("PATCH", `/appointments/${uuid}`, { body: { notes: "bring x-rays" } });
    expect(Appointment.parse(response.body)).toMatchObject({
      notes: "bring x-rays",
      scheduled_start: "2026-03-13T09:00:00",
    });
    expectProblem(
      await t.call("PATCH", "/appointments/00000000-0000-0000-0000-000000000009", { body: { notes: "x" } }),
      404,
      "not_found",
    );
  });
});

describe("notes and listing", () => {
  it("attaches clinical notes that the appointment then lists", async () => {
    const { uuid } = await book({ scheduled_start: "2026-03-16T09:00:00" });
    const created = await t.call("POST", `/appointments/${uuid}/notes`, { body: { text: "  Caries on #14  " } });
    expect(created.status).toBe(201);
    const note = ClinicalNote.parse(created.body);
    expect(note.text).toBe("Caries on #14");
    const appointment = Appointment.parse((await t.call("GET", `/appointments/${uuid}`)).body);
    expect(appointment.clinical_notes).toEqual([note]);
  });

  it("lists appointments by local date and provider, ordered by start, paginated", async () => {
    await book({ scheduled_start: "2026-03-17T15:00:00" });
    await book({ scheduled_start: "2026-03-17T09:00:00" });
    const response = await t.call(
      "GET",
      `/appointments?start_date=2026-03-17&end_date=2026-03-17&provider_uuid=${t.tiny.dentistUuid}&page_size=1`,
    );
    const page = AppointmentPage.parse(response.body);
    expect(page.total).toBe(2);
    expect(page.items.map((a) => a.scheduled_start)).toEqual(["2026-03-17T09:00:00"]);
    const second = AppointmentPage.parse(
      (await t.call("GET", `/appointments?start_date=2026-03-17&end_date=2026-03-17&page=2&page_size=1`)).body,
    );
    expect(second.items.map((a) => a.scheduled_start)).toEqual(["2026-03-17T15:00:00"]);
  });

  it("splits at an instant (ends_after: not yet over; ended_by: over) and sorts latest first with sort=-start", async () => {
    for (const time of ["09:00", "11:00", "14:00"])
      await book({ scheduled_start: `2026-03-19T${time}:00`, patient_uuid: t.tiny.otherPatientUuid });
    const list = async (query: string) =>
      AppointmentPage.parse(
        (await t.call("GET", `/appointments?patient_uuid=${t.tiny.otherPatientUuid}&start_date=2026-03-19&${query}`))
          .body,
      );
    // 11:30 Los Angeles time (PDT): the 11:00-12:00 visit is under way, so not over.
    const at = "2026-03-19T18:30:00Z";
    expect((await list(`ends_after=${at}`)).items.map((a) => a.scheduled_start.slice(11, 16))).toEqual([
      "11:00",
      "14:00",
    ]);
    expect((await list(`ended_by=${at}`)).items.map((a) => a.scheduled_start.slice(11, 16))).toEqual(["09:00"]);
    const latestFirst = await list("sort=-start&page_size=2");
    expect(latestFirst.items.map((a) => a.scheduled_start.slice(11, 16))).toEqual(["14:00", "11:00"]);
    expect((await list("sort=-start&page_size=2&page=2")).items.map((a) => a.scheduled_start.slice(11, 16))).toEqual([
      "09:00",
    ]);
    expect(latestFirst.total).toBe(3);
  });
});
