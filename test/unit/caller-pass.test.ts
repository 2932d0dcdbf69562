/** The caller pass: signed, bound to one org and one patient, expiring; anything else is refused with the reason. */
import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { checkCallerPass, signCallerPass } from "../../src/mcp/caller-pass.js";

const SECRET = "unit-test-caller-secret-0123456789abcdef";
const ORG = "5f0c1e2d-3b4a-4c6d-8e7f-90a1b2c3d4e5";
const JANE = "a1b2c3d4-e5f6-7890-abcd-ef1234567890";
const NOW = Date.parse("2026-11-24T10:00:00Z");
const claims = { org: ORG, sub: JANE, exp: NOW / 1000 + 1800 };
const pass = signCallerPass(claims, SECRET);
const check = (value: string, options: { secret?: string; org?: string; nowMs?: number } = {}) =>
  checkCallerPass(value, options.secret ?? SECRET, { org: options.org ?? ORG, nowMs: options.nowMs ?? NOW });

/** The pass with its payload replaced, keeping the original signature. */
function withClaims(value: string, replaced: unknown): string {
  const [version, , mac] = value.split(".");
  return `${version}.${Buffer.from(JSON.stringify(replaced)).toString("base64url")}.${mac}`;
}

describe("caller pass", () => {
  it("is v1.<payload>.<signature> in base64url, and checks out as the patient and org it was issued for", () => {
    expect(pass).toMatch(/^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(JSON.parse(Buffer.from(pass.split(".")[1]!, "base64url").toString())).toEqual(claims);
    expect(check(pass)).toEqual({ ok: true, claims });
  });

  it("is refused as forged when the payload or the signature was changed, or another secret signed it", () => {
    const otherPatient = withClaims(pass, { ...claims, sub: "f0e1d2c3-b4a5-6789-0123-456789abcdef" });
    expect(check(otherPatient)).toEqual({ ok: false, problem: "forged" });
    const longer = withClaims(pass, { ...claims, exp: claims.exp + 86_400 });
    expect(check(longer)).toEqual({ ok: false, problem: "forged" });
    const mac = pass.split(".")[2]!;
    const flipped = `${pass.slice(0, -mac.length)}${mac[0] === "A" ? "B" : "A"}${mac.slice(1)}`;
    expect(check(flipped)).toEqual({ ok: false, problem: "forged" });
    expect(check(pass.slice(0, -4))).toEqual({ ok: false, problem: "forged" });
    expect(check(signCallerPass(claims, "another-secret-of-at-least-32-characters!"))).toEqual({
      ok: false,
      problem: "forged",
    });
    expect(check(pass, { secret: `${SECRET}x` })).toEqual({ ok: false, problem: "forged" });
  });

  it.each(["", "v1", "v1..", "v2.abc.def", `v0.${pass.slice(3)}`, `${pass}.extra`, "not a pass at all", JANE])(
    "is refused as malformed: %j",
    (value) => {
      expect(check(value)).toEqual({ ok: false, problem: "malformed" });
    },
  );

  it("is refused as malformed when correctly signed claims are not the expected shape", () => {
    for (const odd of [
      { org: ORG, sub: JANE },
      { org: ORG, sub: 1, exp: claims.exp },
      { ...claims, exp: "never" },
      [ORG, JANE],
      "text",
      null,
    ]) {
      const payload = Buffer.from(JSON.stringify(odd)).toString("base64url");
      // Signed the way signCallerPass signs, so that it gets past the signature check.
      const mac = createHmac("sha256", SECRET).update(`v1.${payload}`).digest("base64url");
      expect(check(`v1.${payload}.${mac}`), JSON.stringify(odd)).toEqual({ ok: false, problem: "malformed" });
    }
    const notJson = Buffer.from("{org:").toString("base64url");
    expect(check(`v1.${notJson}.${createHmac("sha256", SECRET).update(`v1.${notJson}`).digest("base64url")}`)).toEqual({
      ok: false,
      problem: "malformed",
    });
  });

  it("expires: valid up to the second before exp, refused from exp on", () => {
    expect(check(pass, { nowMs: claims.exp * 1000 - 1000 }).ok).toBe(true);
    expect(check(pass, { nowMs: claims.exp * 1000 })).toEqual({ ok: false, problem: "expired" });
    expect(check(pass, { nowMs: claims.exp * 1000 + 3_600_000 })).toEqual({ ok: false, problem: "expired" });
  });

  it("is bound to the org: another practice's server refuses it even with the same secret", () => {
    expect(check(pass, { org: "0b7e2c1a-9d8f-4e6a-b5c4-3d2e1f0a9b8c" })).toEqual({ ok: false, problem: "other_org" });
  });
});
