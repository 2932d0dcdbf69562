import { describe, expect, it } from "vitest";
import { z } from "zod";
import { AppointmentType, Location, Patient, PatientCreate, PersonName, Provider } from "../../src/contract/index.js";
import { buildDemoPractice, buildScaledPractice, DEMO_ORG_UUID, GUIDE_UUIDS } from "../../src/sandbox/demo/index.js";
import { findSlots } from "../../src/sandbox/domain/availability.js";
import type { AppointmentRecord, PracticeData, ScheduleSnapshot } from "../../src/sandbox/domain/model.js";
import { checkBookable, prepareSnapshot } from "../../src/sandbox/domain/rules.js";
import { foldForSearch, normalisePhone } from "../../src/sandbox/domain/text.js";
import { addDays, localDate, weekdayOf } from "../../src/sandbox/domain/time.js";
import { GUIDE_APPOINTMENT_TYPES, GUIDE_PATIENT_PAGE, withE164Phone } from "../support/guide.js";

const NOW = Date.parse("2026-05-18T16:00:00Z"); // Monday 09:00 in San Francisco
// Also a Saturday evening, the week before spring forward, and the week before fall back.
const OTHER_NOWS = [
  Date.parse("2026-05-24T03:30:00Z"),
  Date.parse("2026-03-02T17:00:00Z"),
  Date.parse("2026-10-26T15:00:00Z"),
];
const demo = buildDemoPractice(NOW);
const v4 = z.uuid({ version: "v4" });
const guideUuids = new Set<string>(Object.values(GUIDE_UUIDS));

function snapshotOf(practice: PracticeData, bookings: AppointmentRecord[] = []): ScheduleSnapshot {
  return { ...practice, bookings };
}

/** Every live appointment is bookable given all the others: no provider, operatory or rule conflict. */
function unbookableAppointments(practice: PracticeData): string[] {
  const live = practice.appointments.filter((a) => a.status !== "cancelled");
  const schedule = prepareSnapshot(snapshotOf(practice, live));
  return live.flatMap((a) => {
    const verdict = checkBookable(schedule, { ...a, ignore_appointment_uuid: a.uuid }, a.start);
    return verdict.ok && verdict.operatory_uuid === a.operatory_uuid
      ? []
      : [`${a.uuid}: ${verdict.ok ? "operatory" : verdict.message}`];
  });
}

function overlapsWithin(appointments: AppointmentRecord[], key: (a: AppointmentRecord) => string): number {
  const groups = new Map<string, AppointmentRecord[]>();
  for (const a of appointments) if (a.status !== "cancelled") groups.set(key(a), [...(groups.get(key(a)) ?? []), a]);
  let overlaps = 0;
  for (const group of groups.values()) {
    group.sort((a, b) => a.start - b.start);
    for (let i = 1; i < group.length; i++) if (group[i]!.start < group[i - 1]!.end) overlaps++;
  }
  return overlaps;
}

describe("buildDemoPractice", () => {
  it("is deterministic for the same now, and follows now", () => {
    expect(buildDemoPractice(NOW)).toEqual(demo);
    const later = buildDemoPractice(NOW + 7 * 86_400_000);
    expect(later.patients).toEqual(demo.patients);
    expect(later.appointments).not.toEqual(demo.appointments);
  });

  it("contains the guide's records exactly", () => {
    const byUuid = new Map(demo.patients.map((p) => [p.uuid, p]));
    expect(GUIDE_PATIENT_PAGE.items.map((p) => byUuid.get(p.uuid))).toEqual(
      GUIDE_PATIENT_PAGE.items.map(withE164Phone),
    );
    // The guide's types, each with the roles of the providers who perform it.
    const roles = { NPE: ["dentist"], HYG: ["hygienist", "dentist"], EMG: ["dentist"] } as Record<string, string[]>;
    for (const type of GUIDE_APPOINTMENT_TYPES.items) {
      expect(demo.appointmentTypes.find((t) => t.uuid === type.uuid)).toEqual({
        ...type,
        provider_roles: roles[type.code],
      });
    }
    expect(demo.locations.find((l) => l.uuid === "c3d4e5f6-a7b8-9012-cdef-123456789012")).toMatchObject({
      name: "Main Street Dental",
      timezone: "America/Los_Angeles",
      address: { city: "San Francisco" },
    });
    expect(demo.providers.find((p) => p.uuid === "d4e5f6a7-b8c9-0123-defa-234567890123")).toEqual({
      uuid: "d4e5f6a7-b8c9-0123-defa-234567890123",
      first_name: "Michael",
      last_name: "Chen",
      title: "DDS",
      role: "dentist",
      location_uuids: ["c3d4e5f6-a7b8-9012-cdef-123456789012"],
      is_active: true,
    });
    expect(demo.org.uuid).toBe(DEMO_ORG_UUID);
  });

  it("answers the guide's search example as the guide shows: Smith finds Jane and Jonathan only", () => {
    const smiths = demo.patients.filter((p) => foldForSearch(`${p.first_name} ${p.last_name}`).includes("smith"));
    expect(smiths.map((p) => p.uuid).sort()).toEqual([GUIDE_UUIDS.janeSmith, GUIDE_UUIDS.jonathanSmith].sort());
  });

  it("has the shape of a real practice", () => {
    expect(new Set(demo.locations.map((l) => l.timezone)).size).toBeGreaterThanOrEqual(2);
    expect(demo.providers.filter((p) => p.is_active).length).toBeGreaterThanOrEqual(6);
    expect(new Set(demo.providers.map((p) => p.title))).toEqual(new Set(["DDS", "DMD", "RDH"]));
    expect(demo.locations.flatMap((l) => l.operatories).length).toBeGreaterThanOrEqual(8);
    expect(demo.providers.some((p) => p.location_uuids.length > 1)).toBe(true);
    expect(demo.shifts.every((s) => s.day === "saturday" || s.breaks.length > 0)).toBe(true);
    expect(demo.locations.some((l) => l.opening_hours.some((h) => h.day === "saturday"))).toBe(true);
    expect(demo.appointmentTypes.some((t) => !t.is_active)).toBe(true);
    expect(demo.appointmentTypes.filter((t) => t.is_active).length).toBeGreaterThanOrEqual(6);
    expect(demo.timeOff.length).toBeGreaterThan(0);
    const soon = demo.closures.filter(
      (c) =>
        c.date >= localDate(NOW, "America/Los_Angeles") && c.date <= addDays(localDate(NOW, "America/Los_Angeles"), 28),
    );
    expect(soon.length).toBeGreaterThan(0);
    expect(demo.patients.length).toBeGreaterThanOrEqual(300);
    const names = demo.patients.map((p) => `${p.first_name} ${p.last_name}`).join("|");
    for (const fragment of ["José", "Zoë", "O'Brien", "Nguyễn", "D'Angelo"]) expect(names).toContain(fragment);
  });

  it("matches the contract's wire shapes", () => {
    for (const l of demo.locations) Location.parse({ ...l, upcoming_closures: [] });
    for (const p of demo.providers) Provider.parse(p);
    for (const t of demo.appointmentTypes) AppointmentType.parse(t);
    for (const p of demo.patients) Patient.parse(p);
  });

  it("has patient names that the contract accepts, so every demo patient could be registered as it is", () => {
    const scaled = buildScaledPractice(NOW, { providers: 2, days: 2, appointments: 10 });
    const names = [...demo.patients, ...scaled.patients].flatMap((p) => [p.first_name, p.last_name]);
    expect(names.length).toBeGreaterThan(600);
    for (const name of names) expect(PersonName.safeParse(name).error?.issues, name).toBeUndefined();
    for (const p of demo.patients) {
      const body = {
        first_name: p.first_name,
        last_name: p.last_name,
        date_of_birth: p.date_of_birth,
        primary_phone: p.primary_phone ?? undefined,
      };
      expect(PatientCreate.safeParse(body).error?.issues, `${p.first_name} ${p.last_name}`).toBeUndefined();
    }
  });

  it("stores phones in E.164, plausible emails, and unique RFC v4 uuids outside the guide's", () => {
    for (const p of demo.patients) {
      expect(normalisePhone(p.primary_phone ?? "")).toEqual({ ok: true, e164: p.primary_phone });
      if (p.email !== null) expect(p.email).toMatch(/^[a-z][a-z.]*@example\.(com|org|net)$/);
    }
    expect(new Set(demo.patients.map((p) => p.primary_phone)).size).toBe(demo.patients.length);
    const uuids = [
      demo.org.uuid,
      ...demo.locations.flatMap((l) => [l.uuid, ...l.operatories.map((o) => o.uuid)]),
      ...demo.providers.map((p) => p.uuid),
      ...demo.appointmentTypes.map((t) => t.uuid),
      ...demo.patients.map((p) => p.uuid),
      ...demo.appointments.map((a) => a.uuid),
      ...demo.timeOff.map((t) => t.uuid),
    ];
    expect(new Set(uuids).size).toBe(uuids.length);
    for (const uuid of uuids.filter((u) => !guideUuids.has(u))) expect(v4.safeParse(uuid).success, uuid).toBe(true);
  });

  it.each([NOW, ...OTHER_NOWS])("books appointments that never conflict (now = %d)", (now) => {
    const practice = now === NOW ? demo : buildDemoPractice(now);
    expect(practice.appointments.length).toBeGreaterThan(300);
    expect(unbookableAppointments(practice)).toEqual([]);
    expect(overlapsWithin(practice.appointments, (a) => a.provider_uuid)).toBe(0);
    expect(overlapsWithin(practice.appointments, (a) => a.operatory_uuid)).toBe(0);
    expect(overlapsWithin(practice.appointments, (a) => a.patient_uuid)).toBe(0);
  });

  it("has statuses that fit their time: history completed or cancelled, the future scheduled or confirmed", () => {
    for (const a of demo.appointments) {
      if (a.end <= NOW) expect(["completed", "cancelled"]).toContain(a.status);
      else if (a.start > NOW) expect(["scheduled", "confirmed", "cancelled"]).toContain(a.status);
      expect(a.created_at).toBeLessThanOrEqual(Math.min(a.start, NOW));
      expect(a.updated_at).toBeGreaterThanOrEqual(a.created_at);
      expect(a.cancellation_reason !== null).toBe(a.status === "cancelled");
    }
    expect(demo.appointments.some((a) => a.end <= NOW)).toBe(true);
  });

  it("fills roughly half of the providers' working time over the next four weeks", () => {
    const future = demo.appointments.filter((a) => a.status !== "cancelled" && a.start >= NOW);
    const booked = future.reduce((sum, a) => sum + (a.end - a.start), 0);
    const schedule = prepareSnapshot(snapshotOf(demo));
    let working = 0;
    for (const location of demo.locations) {
      for (let d = 1; d < 28; d++) {
        for (const windows of schedule
          .dayPlan(location, addDays(localDate(NOW, location.timezone), d))
          .shifts.values()) {
          for (const w of windows) working += w.end - w.start - w.breaks.reduce((s, b) => s + b.end - b.start, 0);
        }
      }
    }
    expect(booked / working).toBeGreaterThan(0.35);
    expect(booked / working).toBeLessThan(0.65);
  });

  it.each([NOW, ...OTHER_NOWS])(
    "leaves Dr. Chen New Patient Exam slots at Main Street on most working days (now = %d)",
    (now) => {
      const practice = now === NOW ? demo : buildDemoPractice(now);
      const live = practice.appointments.filter((a) => a.status !== "cancelled");
      const schedule = prepareSnapshot(snapshotOf(practice, live));
      const today = localDate(now, "America/Los_Angeles");
      let workingDays = 0;
      let daysWithSlots = 0;
      for (let d = 1; d <= 14; d++) {
        const date = addDays(today, d);
        if (["saturday", "sunday"].includes(weekdayOf(date))) continue;
        workingDays++;
        const { slots } = findSlots(schedule, {
          duration_minutes: 60,
          provider_uuids: [GUIDE_UUIDS.michaelChen],
          location_uuids: [GUIDE_UUIDS.mainStreetDental],
          start_date: date,
          end_date: date,
          step_minutes: 15,
          limit: 1,
          now,
        });
        if (slots.length > 0) daysWithSlots++;
      }
      expect(daysWithSlots).toBeGreaterThanOrEqual(Math.ceil(workingDays * 0.8));
    },
  );
});

describe("buildScaledPractice", () => {
  it("builds exactly the requested number of non-conflicting appointments, deterministically", () => {
    const options = { providers: 20, days: 14, appointments: 5000 };
    const practice = buildScaledPractice(NOW, options);
    expect(practice.providers).toHaveLength(20);
    expect(practice.appointments).toHaveLength(5000);
    expect(practice.appointments.every((a) => a.start > NOW)).toBe(true);
    expect(overlapsWithin(practice.appointments, (a) => a.provider_uuid)).toBe(0);
    expect(overlapsWithin(practice.appointments, (a) => a.operatory_uuid)).toBe(0);
    expect(overlapsWithin(practice.appointments, (a) => a.patient_uuid)).toBe(0);
    expect(unbookableAppointments(practice)).toEqual([]);
    expect(buildScaledPractice(NOW, options)).toEqual(practice);
  });

  it("refuses more appointments than the providers' days can hold", () => {
    expect(() => buildScaledPractice(NOW, { providers: 1, days: 1, appointments: 100 })).toThrow(/do not fit/);
    expect(() => buildScaledPractice(NOW, { providers: 0, days: 1, appointments: 1 })).toThrow(RangeError);
  });
});
