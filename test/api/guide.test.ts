/**
 * The workflow guide's four steps, verbatim, against the demo practice, with the clock pinned to
 * the guide's own created_at (2025-05-10T14:32:00Z).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  Appointment,
  AppointmentTypeList,
  Availability,
  LocationList,
  PatientPage,
  ProviderList,
} from "../../src/contract/index.js";
import type { RunningSandbox } from "../../src/sandbox/index.js";
import {
  GUIDE_APPOINTMENT_TYPES,
  GUIDE_BOOKING,
  GUIDE_CONFIRMATION,
  GUIDE_PATIENT_PAGE,
  withE164Phone,
} from "../support/guide.js";
import { startSandboxOnBackend } from "../support/postgres.js";
import { apiCaller, type Caller } from "../support/sandbox.js";

const GUIDE_NOW = Date.parse("2025-05-10T14:32:00Z");
let sandbox: RunningSandbox;
let call: Caller;
beforeAll(async () => {
  sandbox = await startSandboxOnBackend({ now: () => GUIDE_NOW });
  call = apiCaller(sandbox.baseUrl, sandbox.token);
});
afterAll(() => sandbox.close());

describe("the guide's workflow", () => {
  it("1. finds Jane and Jonathan Smith", async () => {
    const response = await call("GET", "/patients?query=Smith&page=1&page_size=5");
    expect(response.status).toBe(200);
    const page = PatientPage.parse(response.body);
    expect(page).toMatchObject({ page: 1, page_size: 5, total: 2 });
    expect(page.items).toEqual(GUIDE_PATIENT_PAGE.items.map(withE164Phone));
  });

  it("2. lists the active appointment types, the guide's three among them", async () => {
    const response = await call("GET", "/appointment-types?is_active=true");
    expect(response.status).toBe(200);
    const types = AppointmentTypeList.parse(response.body);
    expect(types.items.every((t) => t.is_active)).toBe(true);
    expect(types.items).toEqual(
      expect.arrayContaining(GUIDE_APPOINTMENT_TYPES.items.map((type) => expect.objectContaining(type))),
    );
  });

  it("3-4. books Jane's New Patient Exam with Dr. Chen at Main Street and returns the guide's 201 shape", async () => {
    // The demo schedule is busy: take Dr. Chen's first free hour on the guide's day.
    const availability = await call(
      "GET",
      "/schedule/availability?appointment_type_uuid=b2c3d4e5-f6a7-8901-bcde-f12345678901" +
        "&provider_uuid=d4e5f6a7-b8c9-0123-defa-234567890123&location_uuid=c3d4e5f6-a7b8-9012-cdef-123456789012" +
        "&start_date=2025-05-20&end_date=2025-05-20&limit=1",
    );
    const slot = Availability.parse(availability.body).slots[0];
    expect(slot, "Dr. Chen has a free hour on 2025-05-20").toBeDefined();
    if (!slot) return;
    const response = await call("POST", "/appointments", {
      body: { ...GUIDE_BOOKING, scheduled_start: slot.scheduled_start, scheduled_end: slot.scheduled_end },
    });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    const appointment = Appointment.parse(response.body);
    // The guide's confirmation but for its example uuid and the times of the slot, plus what this API adds.
    const { uuid: _example, ...guide } = GUIDE_CONFIRMATION;
    expect(appointment).toMatchObject({
      ...guide,
      scheduled_start: slot.scheduled_start,
      scheduled_end: slot.scheduled_end,
      timezone: "America/Los_Angeles",
      notes: GUIDE_BOOKING.notes,
    });
    // Reading it back gives the same object.
    expect((await call("GET", `/appointments/${appointment.uuid}`)).body).toEqual(response.body);
  });
});

describe("the other endpoints on the demo practice", () => {
  it("lists providers and locations that agree with each other", async () => {
    const providers = ProviderList.parse((await call("GET", "/providers")).body);
    const locations = LocationList.parse((await call("GET", "/locations")).body);
    const locationUuids = new Set(locations.items.map((l) => l.uuid));
    expect(providers.items.some((p) => p.uuid === "d4e5f6a7-b8c9-0123-defa-234567890123")).toBe(true);
    for (const provider of providers.items)
      for (const uuid of provider.location_uuids) expect(locationUuids.has(uuid)).toBe(true);
    for (const location of locations.items) {
      for (const closure of location.upcoming_closures) {
        expect(closure.date >= "2025-05-10" && closure.date <= "2025-08-08", closure.date).toBe(true);
      }
    }
  });

  it("offers availability for the New Patient Exam by default for the next 7 days", async () => {
    const response = await call(
      "GET",
      "/schedule/availability?appointment_type_uuid=b2c3d4e5-f6a7-8901-bcde-f12345678901",
    );
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ start_date: "2025-05-10", end_date: "2025-05-16" });
    expect(response.body.slots.length).toBeGreaterThan(0);
  });
});
