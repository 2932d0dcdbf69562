/**
 * The caller guard's attempt limit, in process and in the machine's real Redis (127.0.0.1:6379, a random
 * key prefix per run): 5 counted attempts per org and name in the window, then locked even for correct
 * details; parallel bursts cannot overshoot; shared across guards on one Redis; audited without names.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/log.js";
import { CallerGuard, type AttemptOutcome } from "../../src/mcp/caller-guard.js";
import { CallerPassRefused, VerificationRefused } from "../../src/mcp/tool-error.js";
import { REDIS_URL, assertRedisUp, deleteKeys } from "../support/redis.js";

const SECRET = "guard-test-secret-0123456789abcdef0123";
const ORG = randomUUID();
const PREFIX = `caller-guard-test-${randomUUID()}`;
const guards: CallerGuard[] = [];
beforeAll(assertRedisUp);
afterAll(async () => {
  await Promise.all(guards.map((g) => g.close()));
  await deleteKeys(PREFIX);
});

function guardWith(options: { redisPrefix?: string; redisUrl?: string; secret?: string } = {}) {
  const lines: string[] = [];
  const guard = new CallerGuard({
    secret: "secret" in options ? options.secret : SECRET,
    redis: options.redisPrefix ? { url: options.redisUrl ?? REDIS_URL, keyPrefix: options.redisPrefix } : undefined,
    logger: createLogger({ write: (line) => lines.push(line) }),
  });
  guards.push(guard);
  return { guard, lines, events: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

/** One attempt that comes to `outcome`; "locked" when the guard refused to run it. */
async function tryAs(
  guard: CallerGuard,
  name: { first_name: string; last_name: string },
  outcome: AttemptOutcome,
  org = ORG,
) {
  try {
    return (await guard.attempt(org, name, async () => ({ outcome }))).outcome;
  } catch (error) {
    if (error instanceof VerificationRefused) return error.reason;
    throw error;
  }
}

const name = () => ({ first_name: "Jane", last_name: `Smith-${randomUUID().slice(0, 8)}` });

describe("attempt limit in process", () => {
  it("allows 5 failures, then refuses even a verification as locked; audits without the name", async () => {
    const { guard, lines, events } = guardWith();
    const jane = name();
    const outcomes = [];
    for (let i = 0; i < 5; i++) outcomes.push(await tryAs(guard, jane, "no_match"));
    outcomes.push(await tryAs(guard, jane, "verified"));
    expect(outcomes).toEqual(["no_match", "no_match", "no_match", "no_match", "no_match", "locked"]);
    const audit = events().filter((e) => e.event === "caller_verification");
    expect(audit.map((e) => [e.outcome, e.attempts_left])).toEqual([
      ["no_match", 4],
      ["no_match", 3],
      ["no_match", 2],
      ["no_match", 1],
      ["no_match", 0],
      ["locked", 0],
    ]);
    expect(audit.every((e) => e.org === ORG && /^[0-9a-f]{12}$/.test(String(e.subject)))).toBe(true);
    expect(new Set(audit.map((e) => e.subject)).size).toBe(1);
    expect(lines.join("")).not.toMatch(/jane|smith/i);
  });

  it("gives back the attempt of a verification, and of an attempt that failed for another reason; counts registrations", async () => {
    const { guard } = guardWith();
    const jane = name();
    for (let i = 0; i < 4; i++) await tryAs(guard, jane, "ambiguous");
    for (let i = 0; i < 3; i++) expect(await tryAs(guard, jane, "verified")).toBe("verified");
    await expect(guard.attempt(ORG, jane, () => Promise.reject(new Error("PMS down")))).rejects.toThrow("PMS down");
    expect(await tryAs(guard, jane, "registered")).toBe("registered");
    expect(await tryAs(guard, jane, "verified")).toBe("locked");
  });

  it("lets through exactly 5 of 30 parallel guesses", async () => {
    const { guard } = guardWith();
    const jane = name();
    let ran = 0;
    const results = await Promise.all(
      Array.from({ length: 30 }, () =>
        guard
          .attempt(ORG, jane, async () => {
            ran++;
            await new Promise((resolve) => setTimeout(resolve, 5));
            return { outcome: "no_match" as const };
          })
          .then(
            (r) => r.outcome,
            (e: VerificationRefused) => e.reason,
          ),
      ),
    );
    expect(ran).toBe(5);
    expect(results.filter((r) => r === "locked")).toHaveLength(25);
  });

  it("counts one name however it is written, and each org and name apart", async () => {
    const { guard } = guardWith();
    const last = `García-${randomUUID().slice(0, 8)}`;
    for (const first_name of ["José", "JOSE", "jose", " José ", "Jose\u0301"])
      await tryAs(guard, { first_name, last_name: last }, "no_match");
    expect(await tryAs(guard, { first_name: "josé", last_name: last.toUpperCase() }, "verified")).toBe("locked");
    expect(await tryAs(guard, { first_name: "Josefa", last_name: last }, "verified")).toBe("verified");
    expect(await tryAs(guard, { first_name: "José", last_name: last }, "verified", randomUUID())).toBe("verified");
  });
});

describe("attempt limit in Redis", () => {
  it("holds across two guards sharing one Redis and secret", async () => {
    const prefix = `${PREFIX}:${randomUUID()}`;
    const a = guardWith({ redisPrefix: prefix });
    const b = guardWith({ redisPrefix: prefix });
    const jane = name();
    for (let i = 0; i < 3; i++) expect(await tryAs(a.guard, jane, "no_match")).toBe("no_match");
    for (let i = 0; i < 2; i++) expect(await tryAs(b.guard, jane, "no_match")).toBe("no_match");
    expect(await tryAs(a.guard, jane, "verified")).toBe("locked");
    expect(await tryAs(b.guard, jane, "verified")).toBe("locked");
    expect(
      b
        .events()
        .filter((e) => e.outcome === "no_match")
        .map((e) => e.attempts_left),
    ).toEqual([1, 0]);
    // The Redis store is what B saw: a guard on another prefix starts from zero.
    const elsewhere = guardWith({ redisPrefix: `${PREFIX}:${randomUUID()}` });
    expect(await tryAs(elsewhere.guard, jane, "verified")).toBe("verified");
  });

  it("counts in process, and says so once, while Redis is unreachable", async () => {
    const down = guardWith({ redisPrefix: `${PREFIX}:${randomUUID()}`, redisUrl: "redis://127.0.0.1:1" });
    const jane = name();
    for (let i = 0; i < 5; i++) expect(await tryAs(down.guard, jane, "no_match")).toBe("no_match");
    expect(await tryAs(down.guard, jane, "verified")).toBe("locked");
    expect(down.events().filter((e) => e.event === "attempt_store_unavailable")).toHaveLength(1);
  });
});

describe("caller passes", () => {
  it("issues a pass that names the patient until it expires, for this org only", () => {
    const { guard } = guardWith();
    const now = Date.parse("2026-11-24T10:00:00Z");
    const patient = randomUUID();
    const issued = guard.issuePass(ORG, patient, now);
    expect(issued.expires_at).toBe("2026-11-24T10:30:00.000Z");
    expect(guard.patientOf(issued.caller_pass, ORG, now + 29 * 60_000)).toBe(patient);
    const refusal = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        return error instanceof CallerPassRefused ? error.problem : error;
      }
      return "accepted";
    };
    expect(refusal(() => guard.patientOf(issued.caller_pass, ORG, now + 30 * 60_000))).toBe("expired");
    expect(refusal(() => guard.patientOf(issued.caller_pass, randomUUID(), now))).toBe("other_org");
    expect(refusal(() => guardWith({ secret: `${SECRET}-other` }).guard.patientOf(issued.caller_pass, ORG, now))).toBe(
      "forged",
    );
  });

  it("warns that passes die with the process when no secret is configured, and refuses a short one", () => {
    const { guard, events } = guardWith({ secret: undefined });
    expect(events().map((e) => e.event)).toEqual(["caller_pass_secret_generated"]);
    const pass = guard.issuePass(ORG, randomUUID(), Date.now()).caller_pass;
    expect(() => guardWith({ secret: undefined }).guard.patientOf(pass, ORG, Date.now())).toThrow(CallerPassRefused);
    expect(() => new CallerGuard({ secret: "too-short", logger: createLogger({ write: () => {} }) })).toThrow(
      /at least 32/,
    );
  });
});
