import { describe, expect, it } from "vitest";
import {
  Appointment,
  AppointmentCreate,
  AppointmentTypeList,
  PatientPage,
  PatientSearchQuery,
  AvailabilityQuery,
  ALLOWED_TRANSITIONS,
} from "../../src/contract/index.js";

import {
  GUIDE_BOOKING as guideBooking,
  GUIDE_CONFIRMATION,
  GUIDE_PATIENT_PAGE as guidePatients,
} from "../support/guide.js";

// The guide's confirmation, with the fields this API adds beside the guide's.
const guideConfirmation = {
  ...GUIDE_CONFIRMATION,
  timezone: "America/Los_Angeles",
  operatory: { uuid: "0a000000-0000-4000-8000-000000000001", name: "Op 1" },
  notes: "New patient — first visit",
  clinical_notes: [],
  cancellation_reason: null,
  updated_at: "2025-05-10T14:32:00Z",
};

describe("contract", () => {
  it("accepts the guide's examples, whose uuids lack RFC version bits", () => {
    expect(PatientPage.parse(guidePatients).items[0]?.first_name).toBe("Jane");
    expect(AppointmentCreate.parse(guideBooking).scheduled_end).toMatchObject({
      kind: "wall_clock",
      text: "2025-05-20T11:00:00",
    });
    expect(Appointment.parse(guideConfirmation).status).toBe("scheduled");
    const types = AppointmentTypeList.safeParse({ items: [], total: 0 });
    expect(types.success).toBe(true);
  });

  it("rejects unknown body fields by name, so a misspelt field is never silently dropped", () => {
    const result = AppointmentCreate.safeParse({ ...guideBooking, start_time: "10:00" });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.message).join()).toContain("start_time");
  });

  it("coerces query strings and names the expected form when they are wrong", () => {
    expect(PatientSearchQuery.parse({ query: "smi", page: "2", page_size: "5" })).toMatchObject({
      page: 2,
      page_size: 5,
    });
    const tooBig = PatientSearchQuery.safeParse({ page_size: "1000" });
    expect(tooBig.error?.issues[0]).toMatchObject({
      path: ["page_size"],
      message: "must be a whole number from 1 to 100, e.g. 20",
    });
    const badDate = AvailabilityQuery.safeParse({
      appointment_type_uuid: guideBooking.appointment_type_uuid,
      start_date: "2025-02-30",
    });
    expect(badDate.error?.issues[0]?.path).toEqual(["start_date"]);
  });

  it("lets every non-final status be cancelled and nothing leave a final one", () => {
    for (const [from, next] of Object.entries(ALLOWED_TRANSITIONS)) {
      const final = from === "completed" || from === "cancelled";
      expect(next.includes("cancelled")).toBe(!final);
      expect(next.length === 0).toBe(final);
    }
  });
});
