/**
 * A patient is in one appointment at a time, whatever the provider and the location: a booking or a move
 * onto the patient's own other appointment is 409 patient_busy naming that appointment's local time.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningSandbox } from "../../src/sandbox/index.js";
import { startSandboxOnBackend } from "../support/postgres.js";
import {
  PINNED_NOW,
  apiCaller,
  expectProblem,
  tinyBooking,
  tinyPractice,
  type Caller,
  type TinyPractice,
} from "../support/sandbox.js";

let sandbox: RunningSandbox;
let call: Caller;
let tiny: TinyPractice;
const brooklyn = randomUUID();

beforeAll(async () => {
  // The tiny practice (Los Angeles) plus a Brooklyn location where its hygienist also works.
  tiny = tinyPractice();
  const [home] = tiny.data.locations;
  tiny.data.locations.push({
    ...home!,
    uuid: brooklyn,
    name: "Tiny Brooklyn",
    timezone: "America/New_York",
    operatories: [{ uuid: randomUUID(), name: "Op B" }],
  });
  tiny.data.providers.find((p) => p.uuid === tiny.hygienistUuid)!.location_uuids.push(brooklyn);
  tiny.data.shifts.push(
    ...tiny.data.shifts
      .filter((s) => s.provider_uuid === tiny.hygienistUuid && s.start === "08:00")
      .map((s) => ({ ...s, location_uuid: brooklyn })),
  );
  sandbox = await startSandboxOnBackend({ seed: tiny.data, now: () => PINNED_NOW });
  call = apiCaller(sandbox.baseUrl, sandbox.token);
});
afterAll(() => sandbox.close());

/** 11:00-12:00 in Los Angeles with the dentist: 14:00-15:00 in Brooklyn (lunch there is 12:00-13:00). */
async function bookInLosAngeles(day: string): Promise<string> {
  const response = await call("POST", "/appointments", {
    body: tinyBooking(tiny, { scheduled_start: `${day}T11:00:00` }),
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body.uuid;
}

const cleaningInBrooklyn = (start: string) =>
  tinyBooking(tiny, {
    appointment_type_uuid: tiny.cleaningTypeUuid,
    provider_uuid: tiny.hygienistUuid,
    location_uuid: brooklyn,
    scheduled_start: start,
  });

describe("one patient, two overlapping appointments", () => {
  it("a booking at another location and provider is 409 patient_busy naming the other appointment's local time", async () => {
    await bookInLosAngeles("2026-03-03");
    const problem = expectProblem(
      await call("POST", "/appointments", { body: cleaningInBrooklyn("2026-03-03T14:30:00") }),
      409,
      "patient_busy",
    );
    expect(problem.conflict).toEqual({
      resource: "patient",
      resource_uuid: tiny.patientUuid,
      start: "2026-03-03T11:00:00",
      end: "2026-03-03T12:00:00",
      timezone: "America/Los_Angeles",
    });
    expect(problem.detail).toContain("from 11:00 to 12:00 on 2026-03-03 (America/Los_Angeles)");
    // Back to back in absolute time is fine; another patient at that time too.
    expect((await call("POST", "/appointments", { body: cleaningInBrooklyn("2026-03-03T15:00:00") })).status).toBe(201);
    const other = { ...cleaningInBrooklyn("2026-03-03T14:00:00"), patient_uuid: tiny.otherPatientUuid };
    expect((await call("POST", "/appointments", { body: other })).status).toBe(201);
  });

  it("a move onto the patient's other appointment is refused; once that one is cancelled, it is allowed", async () => {
    const first = await bookInLosAngeles("2026-03-04");
    const second = await call("POST", "/appointments", { body: cleaningInBrooklyn("2026-03-04T09:00:00") });
    expect(second.status).toBe(201);
    const move = { scheduled_start: "2026-03-04T14:15:00" };
    expectProblem(await call("PATCH", `/appointments/${second.body.uuid}`, { body: move }), 409, "patient_busy");
    expect((await call("GET", `/appointments/${second.body.uuid}`)).body.scheduled_start).toBe("2026-03-04T09:00:00");
    await call("POST", `/appointments/${first}/status`, { body: { status: "cancelled" } });
    expect((await call("PATCH", `/appointments/${second.body.uuid}`, { body: move })).status).toBe(200);
  });

  it("simultaneous bookings of one patient at both locations: one 201, the other 409 patient_busy", async () => {
    const responses = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        call("POST", "/appointments", {
          body:
            i % 2 === 0
              ? tinyBooking(tiny, { scheduled_start: "2026-03-05T11:00:00" })
              : cleaningInBrooklyn("2026-03-05T14:15:00"),
        }),
      ),
    );
    expect(responses.filter((r) => r.status === 201)).toHaveLength(1);
    for (const response of responses.filter((r) => r.status !== 201)) expectProblem(response, 409, "patient_busy");
  });
});
