/**
 * Daylight saving time over HTTP, in America/Los_Angeles (2026-03-08: 02:00 → 03:00; 2026-11-01:
 * 02:00 → 01:00). The test practice works 00:00-06:00 on Sundays, across both changeovers; the
 * clock is pinned before them.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Appointment, Availability } from "../../src/contract/index.js";
import { expectProblem, startTinySandbox, type TinySandbox } from "../support/sandbox.js";

let t: TinySandbox;
beforeAll(async () => {
  t = await startTinySandbox();
});
afterAll(() => t.sandbox.close());

function booking(start: string, end?: string) {
  return {
    patient_uuid: t.tiny.patientUuid,
    appointment_type_uuid: t.tiny.cleaningTypeUuid,
    location_uuid: t.tiny.locationUuid,
    provider_uuid: t.tiny.dentistUuid,
    scheduled_start: start,
    ...(end === undefined ? {} : { scheduled_end: end }),
  };
}

async function nightSlots(date: string, provider = t.tiny.dentistUuid): Promise<[string, string][]> {
  const query =
    `/schedule/availability?appointment_type_uuid=${t.tiny.cleaningTypeUuid}&provider_uuid=${provider}` +
    `&start_date=${date}&end_date=${date}&step_minutes=30&limit=500`;
  const response = await t.call("GET", query);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return Availability.parse(response.body)
    .slots.filter((s) => s.scheduled_start < `${date}T07:00:00`)
    .map((s) => [s.scheduled_start.slice(11, 16), s.scheduled_end.slice(11, 16)]);
}

describe("spring forward (2026-03-08)", () => {
  it("booking a local time that does not exist is 422 nonexistent_local_time naming the field", async () => {
    const problem = expectProblem(
      await t.call("POST", "/appointments", { body: booking("2026-03-08T02:30:00") }),
      422,
      "nonexistent_local_time",
    );
    expect(problem.errors?.[0]?.field).toBe("scheduled_start");
    expect(problem.detail).toContain("03:00");
  });

  it("availability skips the missing hour and a slot across it lasts its real 30 minutes", async () => {
    expect(await nightSlots("2026-03-08")).toEqual([
      ["00:00", "00:30"],
      ["00:30", "01:00"],
      ["01:00", "01:30"],
      ["01:30", "03:00"],
      ["03:00", "03:30"],
      ["03:30", "04:00"],
      ["04:00", "04:30"],
      ["04:30", "05:00"],
      ["05:00", "05:30"],
      ["05:30", "06:00"],
    ]);
  });

  it("a booking across the gap ends at the right wall-clock time", async () => {
    const response = await t.call("POST", "/appointments", { body: booking("2026-03-08T01:45:00") });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    expect(Appointment.parse(response.body)).toMatchObject({
      scheduled_start: "2026-03-08T01:45:00",
      scheduled_end: "2026-03-08T03:15:00",
    });
  });
});

describe("fall back (2026-11-01)", () => {
  it("an ambiguous local time resolves to its first occurrence (daylight time)", async () => {
    const response = await t.call("POST", "/appointments", { body: booking("2026-11-01T01:30:00") });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    const appointment = Appointment.parse(response.body);
    expect([appointment.scheduled_start, appointment.scheduled_end]).toEqual([
      "2026-11-01T01:30:00",
      "2026-11-01T01:00:00",
    ]);
    // 01:30 PDT is 08:30Z: the same instant written with an offset conflicts with it...
    const sameInstant = { ...booking("2026-11-01T08:45:00Z"), patient_uuid: t.tiny.otherPatientUuid };
    expectProblem(await t.call("POST", "/appointments", { body: sameInstant }), 409, "slot_unavailable");
    // ...while 01:30 PST (09:30Z), the second occurrence, is a different, free time.
    expect((await t.call("POST", "/appointments", { body: booking("2026-11-01T09:30:00Z") })).status).toBe(201);
  });

  it("availability over the repeated hour offers only slots whose start and end are unambiguous", async () => {
    // A normal Sunday night: 12 half-hour slots from 00:00 to 06:00.
    expect(await nightSlots("2026-11-08", t.tiny.hygienistUuid)).toHaveLength(12);
    // 01:30 PDT would end at 01:00 PST, and everything in the second 01:00-02:00 reads ambiguously:
    // only the first occurrence is addressable, so 01:00-01:30 (PDT) is the last slot before 02:00.
    expect(await nightSlots("2026-11-01", t.tiny.hygienistUuid)).toEqual([
      ["00:00", "00:30"],
      ["00:30", "01:00"],
      ["01:00", "01:30"],
      ["02:00", "02:30"],
      ["02:30", "03:00"],
      ["03:00", "03:30"],
      ["03:30", "04:00"],
      ["04:00", "04:30"],
      ["04:30", "05:00"],
      ["05:00", "05:30"],
      ["05:30", "06:00"],
    ]);
  });
});
