/**
 * Helpers for tests against a real sandbox on 127.0.0.1: a small JSON-over-fetch caller, and a
 * compact practice builder for orgs added with addOrg (DST, cross-org, ...).
 */
import { randomUUID } from "node:crypto";
import { expect } from "vitest";
import type { PracticeData, ShiftRecord } from "../../src/sandbox/domain/model.js";
import {
  PROBLEM_CONTENT_TYPE,
  Problem,
  type ErrorCode,
  type OpeningHours,
  type Weekday,
} from "../../src/contract/index.js";
import type { RunningSandbox, SandboxOptions } from "../../src/sandbox/index.js";
import { startSandboxOnBackend } from "./postgres.js";

export interface ApiResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON, or the raw text when the body is not JSON. */
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface CallOptions {
  body?: unknown;
  /** Sent as is (not JSON-encoded) when a string or Buffer. */
  rawBody?: string | Buffer;
  headers?: Record<string, string>;
  /** Overrides the token; null sends no Authorization header. */
  token?: string | null;
}

/** Calls `${baseUrl}${path}` with the bearer token; JSON in, JSON out. */
export function apiCaller(baseUrl: string, token: string) {
  return async (method: string, path: string, options: CallOptions = {}): Promise<ApiResponse> => {
    const headers: Record<string, string> = { Accept: "application/json", ...options.headers };
    const bearer = options.token === undefined ? token : options.token;
    if (bearer !== null) headers.Authorization = `Bearer ${bearer}`;
    let body: string | Buffer | undefined;
    if (options.rawBody !== undefined) body = options.rawBody;
    else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers["Content-Type"] ??= "application/json";
    }
    const response = await fetch(`${baseUrl}${path}`, { method, headers, body });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text === "" ? undefined : JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, headers: response.headers, body: parsed };
  };
}

export type Caller = ReturnType<typeof apiCaller>;

export interface TinyPractice {
  data: PracticeData;
  locationUuid: string;
  operatoryUuids: [string, string];
  dentistUuid: string;
  hygienistUuid: string;
  examTypeUuid: string;
  cleaningTypeUuid: string;
  archivedTypeUuid: string;
  patientUuid: string;
  /** A second patient, for a booking that must conflict on the provider or operatory and not on the patient. */
  otherPatientUuid: string;
}

const WEEKDAYS: Weekday[] = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

/**
 * One location with two operatories, a dentist and a hygienist working 08:00-17:00 every day
 * (lunch 12:00-13:00), plus a night shift 00:00-06:00 on Sundays so DST changeovers (at 02:00 on
 * Sundays in the US) fall inside working hours. Fresh uuids each call.
 */
export function tinyPractice(timezone = "America/Los_Angeles", name = "Tiny Dental"): TinyPractice {
  const id = () => randomUUID();
  const orgUuid = id();
  const locationUuid = id();
  const operatoryUuids: [string, string] = [id(), id()];
  const dentistUuid = id();
  const hygienistUuid = id();
  const examTypeUuid = id();
  const cleaningTypeUuid = id();
  const archivedTypeUuid = id();
  const patientUuid = id();
  const otherPatientUuid = id();
  const shifts: ShiftRecord[] = [];
  for (const provider of [dentistUuid, hygienistUuid]) {
    for (const day of WEEKDAYS) {
      shifts.push({
        provider_uuid: provider,
        location_uuid: locationUuid,
        day,
        start: "08:00",
        end: "17:00",
        breaks: [{ start: "12:00", end: "13:00" }],
      });
    }
    shifts.push({
      provider_uuid: provider,
      location_uuid: locationUuid,
      day: "sunday",
      start: "00:00",
      end: "06:00",
      breaks: [],
    });
  }
  const data: PracticeData = {
    org: { uuid: orgUuid, name },
    locations: [
      {
        uuid: locationUuid,
        name: `${name} Clinic`,
        address: { line1: "1 Test St", city: "Testville", region: "CA", postal_code: "94000", country: "US" },
        phone: null,
        timezone,
        operatories: [
          { uuid: operatoryUuids[0], name: "Op 1" },
          { uuid: operatoryUuids[1], name: "Op 2" },
        ],
        opening_hours: WEEKDAYS.flatMap((day): OpeningHours[] =>
          day === "sunday"
            ? [
                { day, open: "00:00", close: "06:00" },
                { day, open: "08:00", close: "17:00" },
              ]
            : [{ day, open: "08:00", close: "17:00" }],
        ),
      },
    ],
    providers: [
      {
        uuid: dentistUuid,
        first_name: "Dana",
        last_name: "Molar",
        title: "DDS",
        role: "dentist",
        location_uuids: [locationUuid],
        is_active: true,
      },
      {
        uuid: hygienistUuid,
        first_name: "Hal",
        last_name: "Floss",
        title: "RDH",
        role: "hygienist",
        location_uuids: [locationUuid],
        is_active: true,
      },
    ],
    appointmentTypes: [
      {
        uuid: examTypeUuid,
        code: "EXM",
        name: "Exam",
        duration_minutes: 60,
        color: "#111111",
        requires_exam: true,
        is_active: true,
        provider_roles: ["dentist"],
      },
      {
        uuid: cleaningTypeUuid,
        code: "CLN",
        name: "Cleaning",
        duration_minutes: 30,
        color: "#222222",
        requires_exam: false,
        is_active: true,
        provider_roles: ["hygienist", "dentist"],
      },
      {
        uuid: archivedTypeUuid,
        code: "OLD",
        name: "Old Type",
        duration_minutes: 30,
        color: "#333333",
        requires_exam: false,
        is_active: false,
        provider_roles: ["dentist"],
      },
    ],
    shifts,
    timeOff: [],
    closures: [],
    patients: [
      {
        uuid: patientUuid,
        first_name: "Tess",
        last_name: "Tooth",
        date_of_birth: "1990-01-02",
        primary_phone: "+14155550100",
        email: null,
        preferred_provider_uuid: null,
      },
      {
        uuid: otherPatientUuid,
        first_name: "Otto",
        last_name: "Other",
        date_of_birth: "1985-06-07",
        primary_phone: null,
        email: null,
        preferred_provider_uuid: null,
      },
    ],
    appointments: [],
  };
  return {
    data,
    locationUuid,
    operatoryUuids,
    dentistUuid,
    hygienistUuid,
    examTypeUuid,
    cleaningTypeUuid,
    archivedTypeUuid,
    patientUuid,
    otherPatientUuid,
  };
}

/** Monday 2026-03-02 04:00 in Los Angeles: before the 2026-03-08 spring-forward Sunday. */
export const PINNED_NOW = Date.parse("2026-03-02T12:00:00Z");

export interface TinySandbox {
  sandbox: RunningSandbox;
  tiny: TinyPractice;
  call: Caller;
}

/**
 * A sandbox seeded with a fresh tinyPractice, clock pinned to PINNED_NOW unless overridden; on
 * PostgreSQL (a fresh schema) when TEST_SANDBOX_BACKEND=postgres.
 */
export async function startTinySandbox(options: SandboxOptions = {}, timezone?: string): Promise<TinySandbox> {
  const tiny = tinyPractice(timezone);
  const sandbox = await startSandboxOnBackend({ now: () => PINNED_NOW, ...options, seed: tiny.data });
  return { sandbox, tiny, call: apiCaller(sandbox.baseUrl, sandbox.token) };
}

/** A valid booking body for the tiny practice (exam with its dentist, 2026-03-03 09:00), with overrides. */
export function tinyBooking(tiny: TinyPractice, overrides: Record<string, unknown> = {}) {
  return {
    patient_uuid: tiny.patientUuid,
    appointment_type_uuid: tiny.examTypeUuid,
    location_uuid: tiny.locationUuid,
    provider_uuid: tiny.dentistUuid,
    scheduled_start: "2026-03-03T09:00:00",
    ...overrides,
  };
}

/** Asserts a problem+json response with this status and code, valid per the contract; returns it. */
export function expectProblem(response: ApiResponse, status: number, code: ErrorCode): Problem {
  expect({ status: response.status, code: response.body?.code }).toEqual({ status, code });
  expect(response.headers.get("content-type")).toContain(PROBLEM_CONTENT_TYPE);
  const problem = Problem.parse(response.body);
  expect(problem.detail.length).toBeGreaterThan(10);
  return problem;
}
