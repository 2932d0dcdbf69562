/**
 * One date-time grammar: the same inputs through the tool's parameter (src/mcp/tools/params.ts), the
 * contract's DateTimeInput (what the API and the PMS client validate with) and the sandbox's domain,
 * which must agree on what is accepted, on the reason for a refusal, and on the instant meant. The only
 * difference allowed is the tools' leniency: a space for the T, and spaces around the value.
 */
import { describe, expect, it } from "vitest";
import { DATE_TIME_PATTERN, DateTimeInput, type DateTimeValue } from "../../src/contract/index.js";
import { instantAt } from "../../src/mcp/time.js";
import { dateTime } from "../../src/mcp/tools/params.js";
import { buildRequest } from "../../src/pms/request.js";
import { resolveDateTime } from "../../src/sandbox/domain/time.js";

const TIMEZONE = "America/Los_Angeles";
const toolParam = dateTime("Start");

interface Probe {
  input: string;
  /** The canonical text, or the reason for the refusal. */
  contract: string | RegExp;
  /** What the tool yields when it differs from the contract (its leniency). */
  tool?: string;
}

const PROBES: Probe[] = [
  // The eight of issue 10.
  { input: "2026-11-24T11:00:00", contract: "2026-11-24T11:00:00" },
  { input: "2026-11-24T11:00", contract: "2026-11-24T11:00:00" },
  { input: "2026-11-24 11:00", contract: /^must be an ISO 8601 date-time/, tool: "2026-11-24T11:00:00" },
  { input: "2026-11-24T11:00:00.000", contract: "2026-11-24T11:00:00" },
  { input: "2026-11-24T11:00:00Z", contract: "2026-11-24T11:00:00Z" },
  { input: "2026-11-24T11:00:00+01:00", contract: "2026-11-24T11:00:00+01:00" },
  { input: "2026-11-24T11:00:00+0100", contract: /offset as ±HH:MM or Z, e\.g\. \+01:00 instead of \+0100/ },
  { input: "2026-11-24T24:00:00", contract: /use 00:00 of the next day, 2026-11-25T00:00:00/ },
  // And around them.
  { input: "2026-11-24T11:00:00.250", contract: /must be on a whole second/ },
  { input: "2026-11-24T11:00Z", contract: "2026-11-24T11:00:00Z" },
  { input: "2026-11-24T11:00-08:00", contract: "2026-11-24T11:00:00-08:00" },
  { input: "2026-11-24T11:00+01", contract: /e\.g\. \+01:00 instead of \+01/ },
  { input: "2026-11-24T11:00:00+24:00", contract: /offset from -23:59 to \+23:59/ },
  { input: "2026-02-29T10:00", contract: /2026-02-29 is not a day of the calendar/ },
  { input: "2028-02-29T10:00", contract: "2028-02-29T10:00:00" },
  { input: "2026-11-24T23:60", contract: /23:60:00 is not a time of day/ },
  { input: "2026-12-31T24:00", contract: /use 00:00 of the next day, 2027-01-01T00:00:00/ },
  { input: "2026-11-24T24:30", contract: /24:30:00 is not a time of day/ },
  { input: "0001-01-01T00:00:00Z", contract: "0001-01-01T00:00:00Z" },
  { input: " 2026-11-24T11:00 ", contract: /^must be an ISO 8601 date-time/, tool: "2026-11-24T11:00:00" },
  { input: "2026-11-24", contract: /^must be an ISO 8601 date-time/ },
  { input: "tomorrow at 10", contract: /^must be an ISO 8601 date-time/ },
];

function throughTool(input: string): { ok: true; text: string } | { ok: false; message: string } {
  const result = toolParam.safeParse(input);
  return result.success ? { ok: true, text: result.data } : { ok: false, message: result.error.issues[0]!.message };
}

function throughContract(input: string): { ok: true; value: DateTimeValue } | { ok: false; message: string } {
  const result = DateTimeInput.safeParse(input);
  return result.success ? { ok: true, value: result.data } : { ok: false, message: result.error.issues[0]!.message };
}

describe.each(PROBES)("$input", ({ input, contract, tool }) => {
  it("the contract accepts it in canonical form or refuses it, saying why", () => {
    const parsed = throughContract(input);
    // The pattern the OpenAPI document shows admits everything the API accepts (values are checked beyond it).
    if (parsed.ok) expect(input).toMatch(new RegExp(DATE_TIME_PATTERN));
    if (typeof contract === "string") {
      expect(parsed.ok && parsed.value.text).toBe(contract);
    } else {
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.message).toMatch(contract);
    }
  });

  it("the tool agrees with the contract, but for its leniency", () => {
    const viaTool = throughTool(input);
    const expected = tool ?? (typeof contract === "string" ? contract : undefined);
    if (expected !== undefined) {
      expect(viaTool).toEqual({ ok: true, text: expected });
    } else {
      // A refusal for the same reason, except that the tool names its own (wider) form.
      expect(viaTool.ok).toBe(false);
      const notADateTime = contract instanceof RegExp && contract.source.startsWith("^must be an ISO 8601");
      if (!viaTool.ok) expect(viaTool.message).toMatch(notADateTime ? /^must be a local date-time/ : contract);
    }
  });

  it("what the tool yields is what the client sends, and the domain and the MCP server read the same instant from it", () => {
    const viaTool = throughTool(input);
    if (!viaTool.ok) return;
    const sent = buildRequest("updateAppointment", {
      params: { appointment_uuid: "a1b2c3d4-e5f6-7890-abcd-ef1234567890" },
      body: { scheduled_start: viaTool.text },
    });
    expect(JSON.parse(sent.body!)).toEqual({ scheduled_start: viaTool.text });

    const received = throughContract(viaTool.text);
    expect(received.ok).toBe(true);
    if (!received.ok) return;
    expect(received.value.text).toBe(viaTool.text);
    const resolved = resolveDateTime(received.value, TIMEZONE);
    expect(resolved.ok).toBe(true);
    if (resolved.ok) expect(instantAt(viaTool.text, TIMEZONE)).toBe(resolved.instant);
  });
});

it("agrees with what the API read before the grammar was one: the same instants for the forms all three accepted", () => {
  // 11:00 in Los Angeles in November is 19:00Z; an offset names its own instant whatever the location.
  const instant = (text: string) => {
    const parsed = throughContract(text);
    const resolved = parsed.ok ? resolveDateTime(parsed.value, TIMEZONE) : undefined;
    return resolved?.ok ? new Date(resolved.instant).toISOString() : undefined;
  };
  expect(instant("2026-11-24T11:00")).toBe("2026-11-24T19:00:00.000Z");
  expect(instant("2026-11-24T11:00:00.000")).toBe("2026-11-24T19:00:00.000Z");
  expect(instant("2026-11-24T11:00:00+01:00")).toBe("2026-11-24T10:00:00.000Z");
  expect(instant("2026-11-24T11:00:00Z")).toBe("2026-11-24T11:00:00.000Z");
});
