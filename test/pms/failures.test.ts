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
  it("keeps the server's field list, and writes no advice", () => {
    const body = problem({
      code: "validation_failed",
      status: 400,
      detail: "scheduled_start is not a date-time",
      errors: [{ field: "scheduled_start", message: "must be an ISO 8601 date-time" }],
    });
    const error = errorFromStatus({ route: "createAppointment", status: 400, bodyText: body });
    expect(error.kind).toBe("validation");
    expect(error.fieldErrors).toEqual([{ field: "scheduled_start", message: "must be an ISO 8601 date-time" }]);
    expect(error.message).toBe("createAppointment: validation (HTTP 400 validation_failed)");
  });

  it("carries the facts of each kind of conflict", () => {
    const slot = errorFromStatus({
      route: "createAppointment",
      status: 409,
      bodyText: problem({ code: "slot_unavailable", status: 409, detail: "Dr Chen is booked then." }),
    });
    expect(slot.kind).toBe("conflict");
    expect(slot.code).toBe("slot_unavailable");
    expect(slot.problem?.detail).toBe("Dr Chen is booked then.");

    const existing = "f0e1d2c3-b4a5-6789-0123-456789abcdef";
    const duplicate = errorFromStatus({
      route: "createPatient",
      status: 409,
      bodyText: problem({ code: "duplicate_patient", status: 409, detail: "Exists.", existing_uuid: existing }),
    });
    expect(duplicate.problem?.existing_uuid).toBe(existing);

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
    expect(transition.problem?.current_status).toBe("scheduled");
    expect(transition.problem?.allowed_statuses).toEqual(["confirmed", "arrived", "cancelled"]);
  });

  it("is lenient with a body that is not a Problem: right kind, no problem", () => {
    const error = errorFromStatus({ route: "getPatient", status: 404, bodyText: "<html>Not Found</html>" });
    expect(error.kind).toBe("not_found");
    expect(error.problem).toBeUndefined();
    expect(error.message).toBe("getPatient: not_found (HTTP 404)");
    const teapot = errorFromStatus({ route: "getPatient", status: 409, bodyText: '{"code":"nope"}' });
    expect(teapot.kind).toBe("conflict");
    expect(teapot.problem).toBeUndefined();
  });

  it("carries Retry-After, and whether a write may have happened", () => {
    const limited = errorFromStatus({ route: "listProviders", status: 429, bodyText: "", retryAfterSeconds: 30 });
    expect(limited.retryAfterSeconds).toBe(30);
    expect(limited.mayHaveWritten).toBe(false);

    const fromProblem = errorFromStatus({
      route: "listProviders",
      status: 503,
      bodyText: problem({ code: "storage_unavailable", status: 503, detail: "Busy.", retry_after_seconds: 1 }),
    });
    expect(fromProblem.retryAfterSeconds).toBe(1);

    const lost = errorFromStatus({ route: "createPatient", status: 502, bodyText: "", outcomeUnknown: true });
    expect(lost.kind).toBe("unavailable");
    expect(lost.mayHaveWritten).toBe(true);
    expect(lost.message).toBe("createPatient: unavailable (HTTP 502; may have been written)");
  });

  it("knows the PMS wrote nothing when it says its storage is full or read-only", () => {
    const full = errorFromStatus({
      route: "createAppointment",
      status: 507,
      bodyText: problem({ code: "storage_full", status: 507, detail: "Disk full." }),
      outcomeUnknown: true,
    });
    expect({ kind: full.kind, code: full.code, mayHaveWritten: full.mayHaveWritten }).toEqual({
      kind: "unavailable",
      code: "storage_full",
      mayHaveWritten: false,
    });
  });

  it("classifies refused credentials as unauthorized", () => {
    const error = errorFromStatus({ route: "listProviders", status: 401, bodyText: "" });
    expect(error.kind).toBe("unauthorized");
    expect(error.status).toBe(401);
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
  it("names the reason and the deadline, and marks a possible write only when asked", () => {
    const timeout = errorFromTransport("checkAvailability", { reason: "timeout", afterMs: 2500 }, false);
    expect(timeout.kind).toBe("unavailable");
    expect({ transport: timeout.transport, timeoutMs: timeout.facts.timeoutMs }).toEqual({
      transport: "timeout",
      timeoutMs: 2500,
    });
    expect(timeout.message).toBe("checkAvailability: unavailable (timeout after 2500 ms)");
    expect(timeout.mayHaveWritten).toBe(false);
    const lost = errorFromTransport("createPatient", { reason: "connection_lost" }, true);
    expect(lost.mayHaveWritten).toBe(true);
    expect(errorFromTransport("getPatient", { reason: "cancelled" }, false).transport).toBe("cancelled");
  });
});
