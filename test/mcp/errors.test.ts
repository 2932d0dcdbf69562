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
