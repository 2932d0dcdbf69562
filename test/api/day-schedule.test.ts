/** GET /schedule/day: a location's or a provider's day over real HTTP, its appointments and free gaps. */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Appointment, DaySchedule, MAX_DAY_APPOINTMENTS } from "../../src/contract/index.js";
import type { AppointmentRecord } from "../../src/sandbox/domain/model.js";
import {
  PINNED_NOW,
  apiCaller,
  expectProblem,
  startTinySandbox,
  tinyBooking,
  tinyPractice,
  type TinySandbox,
} from "../support/sandbox.js";

let t: TinySandbox;
beforeAll(async () => {
  t = await startTinySandbox();
});
afterAll(() => t.sandbox.close());

/** Tuesday 2026-03-03 in Los Angeles: both providers work 08:00-17:00 with lunch 12:00-13:00, two chairs. */
const DAY = "2026-03-03";

async function book(overrides: Record<string, unknown>) {
  const response = await t.call("POST", "/appointments", { body: tinyBooking(t.tiny, overrides) });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return Appointment.parse(response.body);
}

async function day(query: Record<string, string>) {
  const response = await t.call("GET", `/schedule/day?${new URLSearchParams(query)}`);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return DaySchedule.parse(response.body);
}

const spans = (list: { start: string; end: string }[]) =>
  list.map((s) => `${s.start.slice(11, 16)}-${s.end.slice(11, 16)}`);

describe("GET /schedule/day", () => {
  let exam: Appointment;
  let cleaning: Appointment;
  let afternoon: Appointment;
  let cancelled: Appointment;
  beforeAll(async () => {
    exam = await book({ scheduled_start: `${DAY}T09:00:00` });
    cleaning = await book({
      patient_uuid: t.tiny.otherPatientUuid,
      appointment_type_uuid: t.tiny.cleaningTypeUuid,
      provider_uuid: t.tiny.hygienistUuid,
      scheduled_start: `${DAY}T09:30:00`,
    });
    afternoon = await book({ scheduled_start: `${DAY}T14:00:00`, scheduled_end: `${DAY}T15:30:00` });
    cancelled = await book({ patient_uuid: t.tiny.otherPatientUuid, scheduled_start: `${DAY}T16:00:00` });
    const status = await t.call("POST", `/appointments/${cancelled.uuid}/status`, { body: { status: "cancelled" } });
    expect(status.status).toBe(200);
    const note = await t.call("POST", `/appointments/${exam.uuid}/notes`, { body: { text: "Allergic to penicillin" } });
    expect(note.status).toBe(201);
    // Another day's booking stays off this day's sheet.
    await book({ scheduled_start: "2026-03-04T09:00:00" });
  });

  it("lists a location's day in time order, without cancelled ones, with notes, chairs and gaps", async () => {
    const sheet = await day({ location_uuid: t.tiny.locationUuid, date: DAY });
    expect(sheet).toMatchObject({ date: DAY, total: 3, has_more: false });
    expect(sheet.items.map((a) => a.uuid)).toEqual([exam.uuid, cleaning.uuid, afternoon.uuid]);
    expect(sheet.items[0]).toMatchObject({
      operatory: { uuid: t.tiny.operatoryUuids[0], name: "Op 1" },
      clinical_notes: [{ text: "Allergic to penicillin" }],
    });
    expect(sheet.items[1]!.operatory.name).toBe("Op 2");

    // Each chair: open 08:00-17:00, minus what is booked in it.
    const chairs = Object.fromEntries(sheet.operatories.map((o) => [o.operatory.name, o]));
    expect(chairs["Op 1"]).toMatchObject({ location: { uuid: t.tiny.locationUuid }, timezone: "America/Los_Angeles" });
    expect(spans(chairs["Op 1"]!.working)).toEqual(["08:00-17:00"]);
    expect(spans(chairs["Op 1"]!.free)).toEqual(["08:00-09:00", "10:00-14:00", "15:30-17:00"]);
    expect(spans(chairs["Op 2"]!.free)).toEqual(["08:00-09:30", "10:00-17:00"]);
    // Each provider: the shift minus lunch, minus their bookings (the cancelled one frees 16:00).
    const people = Object.fromEntries(sheet.providers.map((p) => [p.provider.last_name, p]));
    expect(spans(people.Molar!.working)).toEqual(["08:00-12:00", "13:00-17:00"]);
    expect(spans(people.Molar!.free)).toEqual(["08:00-09:00", "10:00-12:00", "13:00-14:00", "15:30-17:00"]);
    expect(spans(people.Floss!.free)).toEqual(["08:00-09:30", "10:00-12:00", "13:00-17:00"]);
  });

  it("narrows to a provider, and to a status; cancelled ones only when asked for", async () => {
    const dentist = await day({ provider_uuid: t.tiny.dentistUuid, date: DAY });
    expect(dentist.items.map((a) => a.uuid)).toEqual([exam.uuid, afternoon.uuid]);
    expect(dentist.providers.map((p) => p.provider.uuid)).toEqual([t.tiny.dentistUuid]);
    expect(dentist.operatories).toHaveLength(2);

    const both = await day({ provider_uuid: t.tiny.hygienistUuid, location_uuid: t.tiny.locationUuid, date: DAY });
    expect(both.items.map((a) => a.uuid)).toEqual([cleaning.uuid]);

    const onlyCancelled = await day({ location_uuid: t.tiny.locationUuid, date: DAY, status: "cancelled" });
    expect(onlyCancelled).toMatchObject({ total: 1, has_more: false });
    expect(onlyCancelled.items.map((a) => a.uuid)).toEqual([cancelled.uuid]);
    const scheduled = await day({ location_uuid: t.tiny.locationUuid, date: DAY, status: "scheduled" });
    expect(scheduled.total).toBe(3);
    expect((await day({ location_uuid: t.tiny.locationUuid, date: DAY, status: "completed" })).items).toEqual([]);
  });

  it("defaults to today at the location", async () => {
    // The pinned clock is Monday 2026-03-02, 04:00 in Los Angeles.
    expect(PINNED_NOW).toBe(Date.parse("2026-03-02T12:00:00Z"));
    expect((await day({ location_uuid: t.tiny.locationUuid })).date).toBe("2026-03-02");
  });

  it("refuses a day of nobody, unknown uuids and bad input, naming the field", async () => {
    const neither = expectProblem(await t.call("GET", `/schedule/day?date=${DAY}`), 400, "validation_failed");
    expect(neither.errors?.map((e) => e.field)).toEqual(["query.location_uuid"]);
    const unknown = expectProblem(
      await t.call("GET", `/schedule/day?location_uuid=${randomUUID()}&provider_uuid=${randomUUID()}`),
      422,
      "unknown_reference",
    );
    expect(unknown.errors?.map((e) => e.field)).toEqual(["query.location_uuid", "query.provider_uuid"]);
    const bad = expectProblem(
      await t.call("GET", `/schedule/day?location_uuid=${t.tiny.locationUuid}&date=2026-02-30&status=gone`),
      400,
      "validation_failed",
    );
    expect(bad.errors?.map((e) => e.field).sort()).toEqual(["query.date", "query.status"]);
  });

  it("answers for the first and last dates the API can write", async () => {
    for (const date of ["0001-01-01", "9999-12-31"]) {
      const sheet = await day({ location_uuid: t.tiny.locationUuid, date });
      expect(sheet).toMatchObject({ date, items: [], total: 0 });
      expect(sheet.operatories).toHaveLength(2);
    }
  });
});

it(`shows at most ${MAX_DAY_APPOINTMENTS} appointments of a day, with has_more`, async () => {
  // Eight providers, each with their own chair and patient, booked every hour 08:00-16:00: 64 appointments.
  const busy = tinyPractice("America/Los_Angeles", "Busy Dental");
  const location = busy.data.locations[0]!;
  const hygienist = busy.data.providers[1]!;
  const appointments: AppointmentRecord[] = [];
  for (let n = 0; n < 8; n++) {
    const provider = { ...hygienist, uuid: randomUUID(), last_name: `Busy${n}` };
    const operatory = { uuid: randomUUID(), name: `Chair ${n}` };
    const patient = { ...busy.data.patients[0]!, uuid: randomUUID(), last_name: `Patient${n}` };
    busy.data.providers.push(provider);
    location.operatories.push(operatory);
    busy.data.patients.push(patient);
    busy.data.shifts.push({ ...busy.data.shifts[0]!, provider_uuid: provider.uuid, day: "tuesday", breaks: [] });
    for (let hour = 8; hour < 16; hour++) {
      const start = Date.parse(`${DAY}T${String(hour + 8).padStart(2, "0")}:00:00Z`); // PST is UTC-8
      appointments.push({
        uuid: randomUUID(),
        patient_uuid: patient.uuid,
        appointment_type_uuid: busy.cleaningTypeUuid,
        provider_uuid: provider.uuid,
        location_uuid: location.uuid,
        operatory_uuid: operatory.uuid,
        start,
        end: start + 30 * 60_000,
        status: "scheduled",
        notes: null,
        cancellation_reason: null,
        created_at: PINNED_NOW,
        updated_at: PINNED_NOW,
      });
    }
  }
  busy.data.appointments = appointments;
  const org = await t.sandbox.addOrg(busy.data);
  const call = apiCaller(org.baseUrl, org.token);
  const response = await call("GET", `/schedule/day?location_uuid=${location.uuid}&date=${DAY}`);
  expect(response.status, JSON.stringify(response.body).slice(0, 300)).toBe(200);
  const sheet = DaySchedule.parse(response.body);
  expect(sheet).toMatchObject({ total: 64, has_more: true });
  expect(sheet.items).toHaveLength(MAX_DAY_APPOINTMENTS);
  const starts = sheet.items.map((a) => a.scheduled_start);
  expect([...starts].sort()).toEqual(starts);
  // Every chair of the eight is taken on the hour, half an hour each.
  const chair0 = sheet.operatories.find((o) => o.operatory.name === "Chair 0")!;
  expect(spans(chair0.free)).toEqual([
    "08:30-09:00",
    "09:30-10:00",
    "10:30-11:00",
    "11:30-12:00",
    "12:30-13:00",
    "13:30-14:00",
    "14:30-15:00",
    "15:30-17:00",
  ]);
});
