/**
 * Slot holds over the real API (SQLite here, PostgreSQL in the api-postgres project): POST /schedule/holds and
 * DELETE, booking under a hold, availability around holds, expiry by the clock alone, and a storm of holds of
 * one slot. The clock is the sandbox's own, moved by the test.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Availability, Hold, Patient, type Slot } from "../../src/contract/index.js";
import { onPostgres } from "../support/postgres.js";
import { PINNED_NOW, expectProblem, startTinySandbox, type TinySandbox } from "../support/sandbox.js";

const MINUTE_MS = 60_000;
let now = PINNED_NOW;
let t: TinySandbox;
beforeAll(async () => {
  t = await startTinySandbox({ now: () => now });
});
afterAll(() => t.sandbox.close());

function holdBody(start: string, overrides: Record<string, unknown> = {}) {
  return {
    appointment_type_uuid: t.tiny.examTypeUuid,
    location_uuid: t.tiny.locationUuid,
    provider_uuid: t.tiny.dentistUuid,
    scheduled_start: start,
    ...overrides,
  };
}

async function hold(body: Record<string, unknown>): Promise<Hold> {
  const response = await t.call("POST", "/schedule/holds", { body });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return Hold.parse(response.body);
}

async function slotsOn(date: string, typeUuid: string, holdUuid?: string): Promise<Slot[]> {
  const query = new URLSearchParams({
    appointment_type_uuid: typeUuid,
    start_date: date,
    end_date: date,
    limit: "500",
    step_minutes: "15",
    ...(holdUuid === undefined ? {} : { hold_uuid: holdUuid }),
  });
  const response = await t.call("GET", `/schedule/availability?${query}`);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return Availability.parse(response.body).slots;
}

/** Whether `slots` offer the held provider, or the held chair, at any time overlapping the hold. */
function offersHeldResource(slots: Slot[], held: Hold): boolean {
  return slots.some(
    (s) =>
      s.scheduled_start < held.scheduled_end &&
      s.scheduled_end > held.scheduled_start &&
      (s.provider.uuid === held.provider.uuid || s.operatory.uuid === held.operatory.uuid),
  );
}

const offersSlot = (slots: Slot[], held: Hold) =>
  slots.some((s) => s.provider.uuid === held.provider.uuid && s.scheduled_start === held.scheduled_start);

let registered = 0;
async function newPatient(): Promise<string> {
  registered++;
  const response = await t.call("POST", "/patients", {
    body: { first_name: "Holder", last_name: `Number${"x".repeat(registered)}`, date_of_birth: "1980-01-01" },
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return Patient.parse(response.body).uuid;
}

describe("POST /schedule/holds and DELETE /schedule/holds/{uuid}", () => {
  it("holds a slot for 5 minutes by default, in the held chair; the same slot again is 409 slot_held", async () => {
    const held = await hold(holdBody("2026-03-04T09:00:00"));
    expect(held).toMatchObject({
      scheduled_start: "2026-03-04T09:00:00",
      scheduled_end: "2026-03-04T10:00:00",
      timezone: "America/Los_Angeles",
      provider: { uuid: t.tiny.dentistUuid },
      location: { uuid: t.tiny.locationUuid },
      patient_uuid: null,
      expires_at: new Date(PINNED_NOW + 5 * MINUTE_MS).toISOString().replace(".000", ""),
    });
    const again = await t.call("POST", "/schedule/holds", { body: holdBody("2026-03-04T09:30:00") });
    const problem = expectProblem(again, 409, "slot_held");
    expect(problem).toMatchObject({ held_until: held.expires_at });
    expect((await t.call("DELETE", `/schedule/holds/${held.uuid}`)).status).toBe(204);
    // Released: the slot can be held again; releasing twice is the same 204.
    await hold(holdBody("2026-03-04T09:30:00", { ttl_minutes: 1 }));
    expect((await t.call("DELETE", `/schedule/holds/${held.uuid}`)).status).toBe(204);
  });

  it("refuses bad input naming the field: ttl_minutes out of range, an unknown provider, a malformed uuid", async () => {
    for (const ttl of [0, 16, 2.5, "5"]) {
      const response = await t.call("POST", "/schedule/holds", {
        body: holdBody("2026-03-05T09:00:00", { ttl_minutes: ttl }),
      });
      const problem = expectProblem(response, 400, "validation_failed");
      expect(problem.errors?.map((e) => e.field)).toEqual(["ttl_minutes"]);
    }
    const unknown = await t.call("POST", "/schedule/holds", {
      body: holdBody("2026-03-05T09:00:00", { provider_uuid: t.tiny.patientUuid }),
    });
    expect(expectProblem(unknown, 422, "unknown_reference").errors?.map((e) => e.field)).toEqual(["provider_uuid"]);
    expectProblem(await t.call("DELETE", "/schedule/holds/not-a-uuid"), 400, "validation_failed");
    // A time the provider does not work is refused like a booking.
    expectProblem(
      await t.call("POST", "/schedule/holds", { body: holdBody("2026-03-05T12:30:00") }),
      422,
      "outside_working_hours",
    );
  });

  it("a booking under a hold must be the held slot (422 hold_mismatch naming the fields); a used hold is 409 hold_expired", async () => {
    const patient = await newPatient();
    const held = await hold(holdBody("2026-03-05T14:00:00", { patient_uuid: patient }));
    const booking = {
      patient_uuid: patient,
      appointment_type_uuid: t.tiny.examTypeUuid,
      location_uuid: t.tiny.locationUuid,
      provider_uuid: t.tiny.dentistUuid,
      scheduled_start: "2026-03-05T14:00:00",
      hold_uuid: held.uuid,
    };
    const moved = await t.call("POST", "/appointments", {
      body: { ...booking, scheduled_start: "2026-03-05T14:15:00" },
    });
    expect(expectProblem(moved, 422, "hold_mismatch").errors?.map((e) => e.field)).toEqual([
      "scheduled_start",
      "scheduled_end",
    ]);
    const stranger = await newPatient();
    const other = await t.call("POST", "/appointments", { body: { ...booking, patient_uuid: stranger } });
    expect(expectProblem(other, 422, "hold_mismatch").errors?.map((e) => e.field)).toEqual(["patient_uuid"]);
    const booked = await t.call("POST", "/appointments", { body: booking });
    expect(booked.status, JSON.stringify(booked.body)).toBe(201);
    expect(booked.body.operatory.uuid).toBe(held.operatory.uuid);
    expectProblem(await t.call("POST", "/appointments", { body: booking }), 409, "hold_expired");
  });
});

describe("holds, as properties over the API", () => {
  it("a held slot is never offered to another party and cannot be booked by them; its holder can book it; after expiry it is offered again", async () => {
    const days = ["2026-03-10", "2026-03-11", "2026-03-12", "2026-03-13"];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...days),
        fc.constantFrom("exam", "cleaning"),
        fc.nat(),
        fc.integer({ min: 1, max: 15 }),
        fc.boolean(),
        fc.boolean(),
        async (date, kind, pick, ttl, forPatient, expire) => {
          // Every earlier hold has lapsed: each run starts from the bookings alone.
          now += 16 * MINUTE_MS;
          const typeUuid = kind === "exam" ? t.tiny.examTypeUuid : t.tiny.cleaningTypeUuid;
          const free = await slotsOn(date, typeUuid);
          fc.pre(free.length > 0);
          const slot = free[pick % free.length]!;
          const holder = await newPatient();
          const held = await hold({
            appointment_type_uuid: typeUuid,
            location_uuid: slot.location.uuid,
            provider_uuid: slot.provider.uuid,
            scheduled_start: slot.scheduled_start,
            ttl_minutes: ttl,
            ...(forPatient ? { patient_uuid: holder } : {}),
          });
          expect(offersHeldResource(await slotsOn(date, typeUuid), held)).toBe(false);
          expect(offersSlot(await slotsOn(date, typeUuid, held.uuid), held)).toBe(true);
          const booking = (patient: string, holdUuid?: string) =>
            t.call("POST", "/appointments", {
              body: {
                patient_uuid: patient,
                appointment_type_uuid: typeUuid,
                location_uuid: held.location.uuid,
                provider_uuid: held.provider.uuid,
                scheduled_start: held.scheduled_start,
                ...(holdUuid === undefined ? {} : { hold_uuid: holdUuid }),
              },
            });
          expectProblem(await booking(await newPatient()), 409, "slot_held");
          if (expire) {
            now = Date.parse(held.expires_at);
            expect(offersSlot(await slotsOn(date, typeUuid), held)).toBe(true);
            expectProblem(await booking(holder, held.uuid), 409, "hold_expired");
          } else {
            const booked = await booking(holder, held.uuid);
            expect(booked.status, JSON.stringify(booked.body)).toBe(201);
            expect(
              offersHeldResource(await slotsOn(date, typeUuid), { ...held, operatory: booked.body.operatory }),
            ).toBe(false);
          }
        },
      ),
      { numRuns: 12 },
    );
  });
});

describe("concurrent holds of one slot", () => {
  it("200 simultaneous POST /schedule/holds of one slot: exactly one 201, 199 409 slot_held", async () => {
    now += 16 * MINUTE_MS;
    const started = performance.now();
    const responses = await Promise.all(
      Array.from({ length: 200 }, () =>
        t.call("POST", "/schedule/holds", {
          body: holdBody("2026-03-16T10:00:00", { operatory_uuid: t.tiny.operatoryUuids[0] }),
        }),
      ),
    );
    const wallMs = Math.round(performance.now() - started);
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    for (const response of responses) if (response.status !== 201) expectProblem(response, 409, "slot_held");
    console.log(
      `hold race (${onPostgres() ? "PostgreSQL" : "SQLite"}, one instance): 200 holds of one slot -> ` +
        `${statuses.filter((s) => s === 201).length} x 201, ${statuses.filter((s) => s === 409).length} x 409 in ${wallMs} ms`,
    );
  });
});
