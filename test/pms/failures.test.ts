import { describe, expect, it } from "vitest";
import { problemTypeUri, type Problem } from "../../src/contract/index.js";
import { errorFromStatus, errorFromTransport, kindOfStatus, parseProblem } from "../../src/pms/failures.js";

const problem = (fields: Partial<Problem> & Pick<Problem, "code" | "status" | "detail">): string =>
  JSON.stringify({ type: problemTypeUri(fields.code), title: "t", ...fields });

describe("kindOfStatus", () => {
  it.each([
    [400, "validation"],
    [413, "validation"],
    [415, "validation"],
    [422, "validation"],
    [401, "unauthorized"],
    [403, "unauthorized"],
    [404, "not_found"],
    [409, "conflict"],
    [429, "rate_limited"],
    [500, "unavailable"],
    [502, "unavailable"],
    [503, "unavailable"],
    [504, "unavailable"],
    [302, "invalid_response"],
  ] as const)("HTTP %i is %s", (status, kind) => {
    expect(kindOfStatus(status)).toBe(kind);
  });
});

describe("errorFromStatus", () => {
  it("keeps the server's field list and says to correct the request", () => {
    const body = problem({
      code: "validation_failed",
      status: 400,
      detail: "scheduled_start is not a date-time",
      errors: [{ field: "scheduled_start", message: "must be an ISO 8601 date-time" }],
    });
    const error = errorFromStatus({ route: "createAppointment", status: 400, bodyText: body });
    expect(error.kind).toBe("validation");
    expect(error.problem?.errors?.[0]?.field).toBe("scheduled_start");
    expect(error.message).toContain("scheduled_start must be an ISO 8601 date-time");
    expect(error.message).toContain("Correct the request");
  });

  it("tells the model what to do on each kind of conflict", () => {
    const slot = errorFromStatus({
      route: "createAppointment",
      status: 409,
      bodyText: problem({ code: "slot_unavailable", status: 409, detail: "Dr Chen is booked then." }),
    });
    expect(slot.kind).toBe("conflict");
    expect(slot.message).toMatch(/Dr Chen is booked then\..*check availability/);

    const existing = "f0e1d2c3-b4a5-6789-0123-456789abcdef";
    const duplicate = errorFromStatus({
      route: "createPatient",
      status: 409,
      bodyText: problem({ code: "duplicate_patient", status: 409, detail: "Exists.", existing_uuid: existing }),
    });
    expect(duplicate.message).toContain(`Use the existing patient ${existing}`);

    const transition = errorFromStatus({
      route: "changeAppointmentStatus",
      status: 409,
      bodyText: problem({
        code: "invalid_transition",
        status: 409,
        detail: "Cannot complete.",
        current_status: "scheduled",
        allowed_statuses: ["confirmed", "arrived", "cancelled"],
      }),
    });
    expect(transition.message).toContain("allowed next statuses: confirmed, arrived, cancelled");
    expect(transition.problem?.allowed_statuses).toEqual(["confirmed", "arrived", "cancelled"]);
  });

  it("is lenient with a body that is not a Problem: right kind, generic message", () => {
    const error = errorFromStatus({ route: "getPatient", status: 404, bodyText: "<html>Not Found</html>" });
    expect(error.kind).toBe("not_found");
    expect(error.problem).toBeUndefined();
    expect(error.message).toContain("no such record");
    const teapot = errorFromStatus({ route: "getPatient", status: 409, bodyText: '{"code":"nope"}' });
    expect(teapot.kind).toBe("conflict");
    expect(teapot.problem).toBeUndefined();
  });

  it("carries Retry-After and the outcome-unknown warning", () => {
    const limited = errorFromStatus({ route: "listProviders", status: 429, bodyText: "", retryAfterSeconds: 30 });
    expect(limited.details.retryAfterSeconds).toBe(30);
    expect(limited.message).toContain("Wait 30 seconds");

    const lost = errorFromStatus({ route: "createPatient", status: 502, bodyText: "", outcomeUnknown: true });
    expect(lost.kind).toBe("unavailable");
    expect(lost.details.outcomeUnknown).toBe(true);
    expect(lost.message).toContain("may or may not have taken effect");
  });

  it("says retrying will not help when the credentials are refused", () => {
    const error = errorFromStatus({ route: "listProviders", status: 401, bodyText: "" });
    expect(error.kind).toBe("unauthorized");
    expect(error.message).toContain("Retrying will not help");
  });
});

describe("parseProblem", () => {
  it("accepts a contract Problem and rejects anything else", () => {
    expect(parseProblem(problem({ code: "not_found", status: 404, detail: "x" }))?.code).toBe("not_found");
    expect(parseProblem("not json")).toBeUndefined();
    expect(parseProblem('{"status":404}')).toBeUndefined();
  });
});

describe("errorFromTransport", () => {
  it("names the deadline and marks an unknown outcome only when asked", () => {
    const timeout = errorFromTransport("checkAvailability", { reason: "timeout", afterMs: 2500 }, false);
    expect(timeout.kind).toBe("unavailable");
    expect(timeout.message).toContain("2500 ms");
    expect(timeout.details.outcomeUnknown).toBeUndefined();
    const lost = errorFromTransport("createPatient", { reason: "connection_lost" }, true);
    expect(lost.details.outcomeUnknown).toBe(true);
    expect(errorFromTransport("getPatient", { reason: "cancelled" }, false).message).toContain("cancelled");
  });
});
