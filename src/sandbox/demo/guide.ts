/**
 * The records of the workflow guide, exactly as it shows them, so the guide's requests work
 * against the demo practice as written.
 */
import type { AppointmentTypeRecord, PatientRecord } from "../domain/model.js";

export const DEMO_ORG_UUID = "5f0c1e2d-3b4a-4c6d-8e7f-90a1b2c3d4e5";

export const GUIDE_UUIDS = {
  janeSmith: "a1b2c3d4-e5f6-7890-abcd-ef1234567890",
  jonathanSmith: "f0e1d2c3-b4a5-6789-0123-456789abcdef",
  newPatientExam: "b2c3d4e5-f6a7-8901-bcde-f12345678901",
  hygiene: "c4d5e6f7-a8b9-0123-cdef-345678901234",
  emergency: "e6f7a8b9-c0d1-2345-efab-567890123456",
  mainStreetDental: "c3d4e5f6-a7b8-9012-cdef-123456789012",
  michaelChen: "d4e5f6a7-b8c9-0123-defa-234567890123",
} as const;

export const GUIDE_PATIENTS: readonly PatientRecord[] = [
  {
    uuid: GUIDE_UUIDS.janeSmith,
    first_name: "Jane",
    last_name: "Smith",
    date_of_birth: "1986-04-12",
    primary_phone: "+14155550148",
    email: "jane.smith@example.com",
    preferred_provider_uuid: GUIDE_UUIDS.michaelChen,
  },
  {
    uuid: GUIDE_UUIDS.jonathanSmith,
    first_name: "Jonathan",
    last_name: "Smith",
    date_of_birth: "1972-11-30",
    primary_phone: "+14155550223",
    email: "j.smith@example.com",
    preferred_provider_uuid: null,
  },
];

export const GUIDE_APPOINTMENT_TYPES: readonly AppointmentTypeRecord[] = [
  {
    uuid: GUIDE_UUIDS.newPatientExam,
    code: "NPE",
    name: "New Patient Exam",
    duration_minutes: 60,
    color: "#4f46e5",
    requires_exam: true,
    is_active: true,
    provider_roles: ["dentist"],
  },
  {
    uuid: GUIDE_UUIDS.hygiene,
    code: "HYG",
    name: "Hygiene / Cleaning",
    duration_minutes: 45,
    color: "#059669",
    requires_exam: false,
    is_active: true,
    provider_roles: ["hygienist", "dentist"],
  },
  {
    uuid: GUIDE_UUIDS.emergency,
    code: "EMG",
    name: "Emergency Visit",
    duration_minutes: 30,
    color: "#dc2626",
    requires_exam: true,
    is_active: true,
    provider_roles: ["dentist"],
  },
];
