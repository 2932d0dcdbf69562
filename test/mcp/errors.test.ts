/** How PMS failures read to the model: what happened, and a next step that can actually tell. */
import { describe, expect, it } from "vitest";
import { silentLogger } from "../../src/log.js";
import { toErrorResult } from "../../src/mcp/errors.js";
import { PmsError } from "../../src/pms/errors.js";

function textFor(tool: string, error: unknown): string {
  const result = toErrorResult(tool, error, {}, silentLogger);
  expect(result.isError).toBe(true);
  expect(result.structuredContent).toBeUndefined();
  const [content] = result.content;
  return content?.type === "text" ? content.text : "";
}

describe("a write whose outcome is unknown", () => {
  const after503 = new PmsError("unavailable", "The PMS is temporarily unavailable (HTTP 503).", { status: 503, outcomeUnknown: true });

  it("does not claim a timeout when the PMS answered 5xx", () => {
    const text = textFor("book_appointment", after503);
    expect(text).toMatch(/unknown whether book_appointment took effect/);
    expect(text).not.toContain("in time");
  });

  it("sends create_patient to search_patients, the tool that can tell whether the patient exists", () => {
    const text = textFor("create_patient", after503);
    expect(text).toContain("search_patients");
    expect(text).not.toContain("find_appointments");
  });

  it("sends appointment changes to find_appointments", () => {
    for (const tool of ["book_appointment", "reschedule_appointment", "cancel_appointment", "confirm_appointment"]) {
      expect(textFor(tool, after503)).toContain("check with find_appointments");
    }
  });
});

describe("a write the PMS refused because of its database", () => {
  const refused = (status: number, code: "storage_full" | "storage_read_only") =>
    new PmsError("unavailable", "The PMS database refused the write.", {
      status,
      problem: { type: "about:blank", title: "Database", status, code, detail: "nothing was saved" },
    });

  it.each([
    [507, "storage_full", "is out of disk space"],
    [503, "storage_read_only", "is read-only right now"],
  ] as const)("%s %s: nothing was saved, why, and that staff must fix it; never an unknown outcome", (status, code, why) => {
    const text = textFor("reschedule_appointment", refused(status, code));
    expect(text).toBe(
      `Nothing was saved: reschedule_appointment did not take effect because the practice system ${why}. Practice staff must ` +
        "fix this; retrying will not help until they do. Looking things up still works. Tell the person their request could " +
        "not be saved and offer to have the practice call back.",
    );
  });
});

describe("a patient already booked then", () => {
  it("names the patient's other appointment in local time, and offers no other slots", () => {
    const error = new PmsError("conflict", "409", {
      status: 409,
      problem: {
        type: "about:blank",
        title: "Patient busy",
        status: 409,
        code: "patient_busy",
        detail: "The patient already has an appointment from 10:00 to 11:00 on 2026-05-20 (America/New_York).",
        conflict: { resource: "patient", resource_uuid: "a1b2c3d4-e5f6-7890-abcd-ef1234567890", start: "2026-05-20T10:00:00", end: "2026-05-20T11:00:00", timezone: "America/New_York" },
      },
    });
    const text = textFor("book_appointment", error);
    expect(text).toMatch(/^The patient already has an appointment then: Wednesday 20 May 2026, 10:00–11:00 AM EDT \(America\/New_York\)/);
    expect(text).not.toMatch(/alternatives|check_availability/);
  });
});
