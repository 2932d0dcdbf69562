import { describe, expect, it } from "vitest";
import { type Candidate, checkBookable, prepareSnapshot } from "../../src/sandbox/domain/rules.js";
import {
  CHEN,
  NY,
  NYC_UUID,
  OP1,
  OP2,
  OP_NYC,
  PATEL,
  RETIRED,
  SF_UUID,
  at,
  baseSnapshot,
  booking,
} from "./support/schedule.js";

const NOW = at("2025-05-01T09:00");
const TUESDAY = "2025-05-20";

function chen(startLocal: string, endLocal: string, extra: Partial<Candidate> = {}): Candidate {
  return { provider_uuid: CHEN, location_uuid: SF_UUID, start: at(startLocal), end: at(endLocal), ...extra };
}

describe("checkBookable", () => {
  it("accepts a slot inside the shift and picks the first operatory", () => {
    expect(checkBookable(baseSnapshot(), chen(`${TUESDAY}T10:00`, `${TUESDAY}T11:00`), NOW)).toEqual({
      ok: true,
      operatory_uuid: OP1,
    });
  });

  it("rejects an end not after the start", () => {
    const result = checkBookable(baseSnapshot(), chen(`${TUESDAY}T10:00`, `${TUESDAY}T10:00`), NOW);
    expect(result).toMatchObject({ ok: false, code: "invalid_time_range", field: "scheduled_end" });
  });

  it("rejects a start in the past", () => {
    const result = checkBookable(baseSnapshot(), chen(`${TUESDAY}T10:00`, `${TUESDAY}T11:00`), at(`${TUESDAY}T10:01`));
    expect(result).toMatchObject({ ok: false, code: "in_the_past" });
  });

  it("rejects a day the provider does not work, naming provider, location and weekday", () => {
    const result = checkBookable(baseSnapshot(), chen("2025-05-24T10:00", "2025-05-24T11:00"), NOW);
    expect(result).toMatchObject({ ok: false, code: "outside_working_hours" });
    if (!result.ok) {
      expect(result.message).toBe(
        "Dr. Pat Chen does not work at Main Street Dental on Saturdays; check availability for open times.",
      );
    }
  });

  it("rejects a visit running past the end of the shift", () => {
    const result = checkBookable(baseSnapshot(), chen(`${TUESDAY}T16:30`, `${TUESDAY}T17:30`), NOW);
    expect(result).toMatchObject({ ok: false, code: "outside_working_hours" });
    if (!result.ok) expect(result.message).toContain("08:00-17:00 on Tuesdays");
  });

  it("rejects a visit overlapping the lunch break", () => {
    const result = checkBookable(baseSnapshot(), chen(`${TUESDAY}T11:30`, `${TUESDAY}T12:30`), NOW);
    expect(result).toMatchObject({ ok: false, code: "outside_working_hours" });
    if (!result.ok) expect(result.message).toContain("break 12:00-13:00");
    expect(checkBookable(baseSnapshot(), chen(`${TUESDAY}T11:00`, `${TUESDAY}T12:00`), NOW).ok).toBe(true);
    expect(checkBookable(baseSnapshot(), chen(`${TUESDAY}T13:00`, `${TUESDAY}T14:00`), NOW).ok).toBe(true);
  });

  it("rejects a visit during time off", () => {
    const snapshot = baseSnapshot();
    snapshot.timeOff.push({
      uuid: "70000000-0000-4000-8000-000000000001",
      provider_uuid: CHEN,
      start: at(`${TUESDAY}T00:00`),
      end: at("2025-05-21T00:00"),
      reason: "CE course",
    });
    const result = checkBookable(snapshot, chen(`${TUESDAY}T10:00`, `${TUESDAY}T11:00`), NOW);
    expect(result).toMatchObject({ ok: false, code: "outside_working_hours" });
    if (!result.ok) expect(result.message).toContain("is away from 2025-05-20T00:00:00");
  });

  it("rejects a closure date of the location", () => {
    const snapshot = baseSnapshot();
    snapshot.closures.push({ location_uuid: SF_UUID, date: TUESDAY, reason: "Staff training" });
    const result = checkBookable(snapshot, chen(`${TUESDAY}T10:00`, `${TUESDAY}T11:00`), NOW);
    expect(result).toMatchObject({ ok: false, code: "outside_working_hours" });
    if (!result.ok) expect(result.message).toContain("closed on 2025-05-20 (Staff training)");
  });

  it("rejects times outside the location's opening hours even within a shift", () => {
    const snapshot = baseSnapshot();
    const sf = snapshot.locations[0];
    if (sf) sf.opening_hours = sf.opening_hours.map((hours) => ({ ...hours, open: "09:00" }));
    const result = checkBookable(snapshot, chen(`${TUESDAY}T08:00`, `${TUESDAY}T09:00`), NOW);
    expect(result).toMatchObject({ ok: false, code: "outside_working_hours" });
    if (!result.ok) expect(result.message).toContain("open 09:00-18:00 on Tuesdays");
  });

  it("rejects unknown references, an operatory of another location and an inactive provider", () => {
    const snapshot = baseSnapshot();
    const slot = chen(`${TUESDAY}T10:00`, `${TUESDAY}T11:00`);
    expect(
      checkBookable(snapshot, { ...slot, provider_uuid: "99999999-0000-4000-8000-000000000000" }, NOW),
    ).toMatchObject({
      code: "unknown_reference",
      field: "provider_uuid",
    });
    expect(
      checkBookable(snapshot, { ...slot, location_uuid: "99999999-0000-4000-8000-000000000000" }, NOW),
    ).toMatchObject({
      code: "unknown_reference",
      field: "location_uuid",
    });
    expect(checkBookable(snapshot, { ...slot, operatory_uuid: OP_NYC }, NOW)).toMatchObject({
      code: "unknown_reference",
      field: "operatory_uuid",
    });
    expect(checkBookable(snapshot, { ...slot, provider_uuid: RETIRED }, NOW)).toMatchObject({
      code: "unknown_reference",
      field: "provider_uuid",
    });
  });

  it("reports the provider's overlapping booking as a provider conflict, even at another location", () => {
    const snapshot = baseSnapshot();
    const taken = booking({ start: at(`${TUESDAY}T10:30`), end: at(`${TUESDAY}T11:30`), operatory_uuid: OP2 });
    snapshot.bookings.push(taken);
    const result = checkBookable(snapshot, chen(`${TUESDAY}T10:00`, `${TUESDAY}T11:00`), NOW);
    expect(result).toMatchObject({
      ok: false,
      code: "slot_unavailable",
      conflict: { resource: "provider", resource_uuid: CHEN, start: taken.start, end: taken.end },
    });
    if (!result.ok) expect(result.message).toContain("Dr. Pat Chen already has an appointment from 10:30 to 11:30");
  });

  it("allows back-to-back bookings (half-open intervals)", () => {
    const snapshot = baseSnapshot();
    snapshot.bookings.push(booking({ start: at(`${TUESDAY}T09:00`), end: at(`${TUESDAY}T10:00`) }));
    snapshot.bookings.push(booking({ start: at(`${TUESDAY}T11:00`), end: at(`${TUESDAY}T12:00`) }));
    expect(checkBookable(snapshot, chen(`${TUESDAY}T10:00`, `${TUESDAY}T11:00`), NOW).ok).toBe(true);
  });

  it("ignores cancelled bookings and the appointment being rescheduled", () => {
    const snapshot = baseSnapshot();
    const own = booking({ start: at(`${TUESDAY}T10:00`), end: at(`${TUESDAY}T11:00`) });
    snapshot.bookings.push(
      own,
      booking({ start: at(`${TUESDAY}T14:00`), end: at(`${TUESDAY}T15:00`), status: "cancelled" }),
    );
    expect(checkBookable(snapshot, chen(`${TUESDAY}T10:30`, `${TUESDAY}T11:30`), NOW).ok).toBe(false);
    expect(
      checkBookable(snapshot, chen(`${TUESDAY}T10:30`, `${TUESDAY}T11:30`, { ignore_appointment_uuid: own.uuid }), NOW),
    ).toEqual({ ok: true, operatory_uuid: OP1 });
    expect(checkBookable(snapshot, chen(`${TUESDAY}T14:00`, `${TUESDAY}T15:00`), NOW).ok).toBe(true);
  });

  it("picks the next free operatory, honours a requested one, and conflicts when none is free", () => {
    const snapshot = baseSnapshot();
    snapshot.bookings.push(
      booking({
        provider_uuid: PATEL,
        operatory_uuid: OP1,
        start: at(`${TUESDAY}T10:00`),
        end: at(`${TUESDAY}T11:00`),
      }),
    );
    const slot = chen(`${TUESDAY}T10:00`, `${TUESDAY}T11:00`);
    expect(checkBookable(snapshot, slot, NOW)).toEqual({ ok: true, operatory_uuid: OP2 });
    const requested = checkBookable(snapshot, { ...slot, operatory_uuid: OP1 }, NOW);
    expect(requested).toMatchObject({
      ok: false,
      code: "slot_unavailable",
      conflict: { resource: "operatory", resource_uuid: OP1 },
    });
    if (!requested.ok) expect(requested.message).toContain("omit operatory_uuid");

    snapshot.bookings.push(
      booking({
        provider_uuid: RETIRED,
        operatory_uuid: OP2,
        start: at(`${TUESDAY}T10:45`),
        end: at(`${TUESDAY}T11:15`),
      }),
    );
    const full = checkBookable(snapshot, slot, NOW);
    expect(full).toMatchObject({
      ok: false,
      code: "slot_unavailable",
      conflict: { resource: "operatory", resource_uuid: OP1 },
    });
    if (!full.ok) expect(full.message).toContain("Every operatory at Main Street Dental is in use");
  });

  it("judges a location in its own timezone", () => {
    const snapshot = baseSnapshot();
    const wednesday = { provider_uuid: PATEL, location_uuid: NYC_UUID };
    expect(
      checkBookable(
        snapshot,
        {
          ...wednesday,
          start: at("2025-05-21T09:00", "America/New_York"),
          end: at("2025-05-21T10:00", "America/New_York"),
        },
        NOW,
      ),
    ).toEqual({ ok: true, operatory_uuid: OP_NYC });
    // 09:00 Los Angeles time is 12:00 in New York: fine; 13:00 LA is 16:00 NY: after her shift.
    expect(
      checkBookable(snapshot, { ...wednesday, start: at("2025-05-21T09:00"), end: at("2025-05-21T10:00") }, NOW).ok,
    ).toBe(true);
    expect(
      checkBookable(snapshot, { ...wednesday, start: at("2025-05-21T13:00"), end: at("2025-05-21T14:00") }, NOW).ok,
    ).toBe(false);
  });

  it("sees bookings added to a prepared schedule", () => {
    const prepared = prepareSnapshot(baseSnapshot());
    const slot = chen(`${TUESDAY}T10:00`, `${TUESDAY}T11:00`);
    expect(checkBookable(prepared, slot, NOW).ok).toBe(true);
    prepared.addBooking(booking({ start: slot.start, end: slot.end }));
    expect(checkBookable(prepared, slot, NOW)).toMatchObject({ ok: false, conflict: { resource: "provider" } });
  });

  describe("a patient is in one appointment at a time", () => {
    const PATIENT = "50000000-0000-4000-8000-000000000009";
    const WEDNESDAY = "2025-05-21";
    // With Dr. Chen in Los Angeles 08:00-09:00 PDT, that is 11:00-12:00 in New York.
    const inLosAngeles = () =>
      booking({ patient_uuid: PATIENT, start: at(`${WEDNESDAY}T08:00`), end: at(`${WEDNESDAY}T09:00`) });
    const inNewYork = (start: string, end: string, extra: Partial<Candidate> = {}): Candidate => ({
      provider_uuid: PATEL,
      location_uuid: NYC_UUID,
      patient_uuid: PATIENT,
      start: at(`${WEDNESDAY}T${start}`, NY),
      end: at(`${WEDNESDAY}T${end}`, NY),
      ...extra,
    });

    it("refuses an overlapping visit at another location, naming the other appointment's local time and zone", () => {
      const snapshot = { ...baseSnapshot(), bookings: [inLosAngeles()] };
      const result = checkBookable(snapshot, inNewYork("11:30", "12:30"), NOW);
      expect(result).toMatchObject({
        ok: false,
        code: "patient_busy",
        conflict: {
          resource: "patient",
          resource_uuid: PATIENT,
          start: at(`${WEDNESDAY}T08:00`),
          location_uuid: SF_UUID,
        },
      });
      if (!result.ok) {
        expect(result.message).toBe(
          "The patient already has an appointment from 08:00 to 09:00 on 2025-05-21 (America/Los_Angeles) at Main Street Dental, " +
            "and cannot be in two places at once; choose a time that does not overlap it.",
        );
      }
    });

    it("is checked before the provider, so a repeat of the patient's own booking hears about the patient", () => {
      const own = inLosAngeles();
      const snapshot = { ...baseSnapshot(), bookings: [own] };
      const again = {
        provider_uuid: CHEN,
        location_uuid: SF_UUID,
        patient_uuid: PATIENT,
        start: own.start,
        end: own.end,
      };
      expect(checkBookable(snapshot, again, NOW)).toMatchObject({ ok: false, code: "patient_busy" });
      // Another patient at that time is told the provider is taken.
      expect(checkBookable(snapshot, { ...again, patient_uuid: undefined }, NOW)).toMatchObject({
        ok: false,
        code: "slot_unavailable",
      });
    });

    it("allows back-to-back visits, ignores cancelled ones and the appointment being rescheduled", () => {
      const own = inLosAngeles();
      expect(checkBookable({ ...baseSnapshot(), bookings: [own] }, inNewYork("12:00", "13:00"), NOW).ok).toBe(true);
      const cancelled = { ...own, status: "cancelled" as const };
      expect(checkBookable({ ...baseSnapshot(), bookings: [cancelled] }, inNewYork("11:30", "12:30"), NOW).ok).toBe(
        true,
      );
      const moving = inNewYork("11:30", "12:30", { ignore_appointment_uuid: own.uuid });
      expect(checkBookable({ ...baseSnapshot(), bookings: [own] }, moving, NOW).ok).toBe(true);
    });
  });

  describe("the booking horizon", () => {
    // Seen from 2025-05-01 with a one-month horizon, 2025-06-01 (a Sunday) is the last bookable date.
    const horizon = () => ({ ...baseSnapshot(), horizon_months: 1 });

    it("accepts a visit up to the last bookable date and refuses one after it, naming that date", () => {
      expect(checkBookable(horizon(), chen("2025-05-30T10:00", "2025-05-30T11:00"), NOW).ok).toBe(true);
      const result = checkBookable(horizon(), chen("2025-06-02T10:00", "2025-06-02T11:00"), NOW);
      expect(result).toMatchObject({ ok: false, code: "beyond_horizon", field: "scheduled_start" });
      if (!result.ok) {
        expect(result.message).toBe(
          "Appointments can be booked up to 1 months ahead: the last bookable date at Main Street Dental is 2025-06-01 " +
            "(America/Los_Angeles). Choose a date on or before it.",
        );
      }
    });

    it("defaults to 18 months, and judges any year, even 9999, without computing with it", () => {
      expect(checkBookable(baseSnapshot(), chen("2026-10-30T10:00", "2026-10-30T11:00"), NOW).ok).toBe(true);
      expect(checkBookable(baseSnapshot(), chen("2026-11-03T10:00", "2026-11-03T11:00"), NOW)).toMatchObject({
        code: "beyond_horizon",
      });
      const last = {
        ...chen("2025-05-20T10:00", "2025-05-20T11:00"),
        start: Date.parse("9999-12-31T23:00:00Z"),
        end: Date.parse("9999-12-31T23:59:00Z"),
      };
      expect(checkBookable(baseSnapshot(), last, NOW)).toMatchObject({ code: "beyond_horizon" });
    });

    it("refuses a horizon outside 1 to 120 months", () => {
      expect(() => prepareSnapshot({ ...baseSnapshot(), horizon_months: 0 })).toThrow(RangeError);
      expect(() => prepareSnapshot({ ...baseSnapshot(), horizon_months: 121 })).toThrow(RangeError);
    });
  });
});
