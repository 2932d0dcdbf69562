import { describe, expect, it } from "vitest";
import { PmsError } from "../../src/pms/errors.js";
import { buildRequest } from "../../src/pms/request.js";

const JANE = "a1b2c3d4-e5f6-7890-abcd-ef1234567890";
const NPE = "b2c3d4e5-f6a7-8901-bcde-f12345678901";

function validationError(run: () => unknown): PmsError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(PmsError);
    return error as PmsError;
  }
  throw new Error("expected a validation error");
}

describe("buildRequest", () => {
  it("fills the path template with encoded parameters", () => {
    expect(buildRequest("getPatient", { params: { patient_uuid: JANE } })).toEqual({
      method: "GET",
      path: `/patients/${JANE}`,
    });
  });

  it("serialises the parsed query: defaults applied, booleans and numbers as text, undefined dropped", () => {
    const built = buildRequest("searchPatients", { query: { query: "  Smith ", page_size: 5, phone: undefined } });
    expect(built.path).toBe("/patients?query=Smith&page=1&page_size=5");
    expect(buildRequest("listAppointmentTypes", { query: { is_active: true } }).path).toBe(
      "/appointment-types?is_active=true",
    );
    expect(buildRequest("listAppointmentTypes", { query: {} }).path).toBe("/appointment-types");
  });

  it("encodes query values", () => {
    const built = buildRequest("searchPatients", { query: { query: "José & Co" } });
    expect(new URL(built.path, "http://x").searchParams.get("query")).toBe("José & Co");
  });

  it("sends the validated body as JSON", () => {
    const built = buildRequest("addAppointmentNote", {
      params: { appointment_uuid: JANE },
      body: { text: "  Sensitive tooth  " },
    });
    expect(built).toEqual({ method: "POST", path: `/appointments/${JANE}/notes`, body: '{"text":"Sensitive tooth"}' });
  });

  it("names the offending path parameter", () => {
    const error = validationError(() => buildRequest("getAppointment", { params: { appointment_uuid: "123" } }));
    expect(error.kind).toBe("validation");
    expect(error.problem?.code).toBe("validation_failed");
    expect(error.problem?.errors).toEqual([{ field: "appointment_uuid", message: expect.stringContaining("uuid") }]);
    expect(error.problem?.detail).toContain("appointment_uuid");
    expect(error.facts.notSent).toBe(true);
  });

  it("names query fields with the query. prefix and the expected form", () => {
    const error = validationError(() =>
      buildRequest("checkAvailability", { query: { appointment_type_uuid: NPE, limit: 0 } }),
    );
    expect(error.problem?.errors).toEqual([
      { field: "query.limit", message: "must be a whole number from 1 to 500, e.g. 50" },
    ]);
  });

  it("names every bad body field, unknown keys included", () => {
    const error = validationError(() =>
      buildRequest("createAppointment", {
        body: { patient_uuid: JANE, appointment_type_uuid: NPE, scheduled_start: "tomorrow at 10", colour: "red" },
      }),
    );
    const fields = error.problem?.errors?.map((e) => e.field).sort();
    expect(fields).toEqual(["colour", "location_uuid", "provider_uuid", "scheduled_start"]);
    const start = error.problem?.errors?.find((e) => e.field === "scheduled_start");
    expect(start?.message).toContain("ISO 8601");
  });

  it("reports a missing or empty body", () => {
    expect(validationError(() => buildRequest("createPatient", {})).problem?.errors?.[0]?.field).toBe("body");
    const empty = validationError(() =>
      buildRequest("updateAppointment", { params: { appointment_uuid: JANE }, body: {} }),
    );
    expect(empty.problem?.errors?.[0]?.message).toContain("at least one of");
  });
});
