/**
 * The caller pass: proof, carried by the model from one stateless tool call to the next, that this
 * conversation verified a caller as one patient of one practice. It is signed rather than stored, so
 * any instance holding the shared secret can check it without a session:
 *
 *   v1.<base64url(JSON {org, sub, exp})>.<base64url(HMAC-SHA256 of "v1.<payload>")>
 *
 * `org` is the PMS org it was issued for, `sub` the patient's uuid, `exp` its expiry in epoch seconds.
 * Not encrypted: it holds nothing the caller does not already know (their own patient uuid).
 */
import { createHmac, timingSafeEqual } from "node:crypto";

const VERSION = "v1";
export const DEFAULT_PASS_TTL_MINUTES = 30;
/** 32 characters of `openssl rand -hex 32` carry 128 bits: enough that the key cannot be guessed. */
export const MIN_CALLER_SECRET_LENGTH = 32;

export interface CallerPassClaims {
  org: string;
  /** The verified patient's uuid. */
  sub: string;
  /** Expiry, epoch seconds. */
  exp: number;
}

/** Why a pass was refused: the MCP boundary words each for the model (errors.ts). */
export type CallerPassProblem = "malformed" | "forged" | "expired" | "other_org";

export type CallerPassCheck = { ok: true; claims: CallerPassClaims } | { ok: false; problem: CallerPassProblem };

export function signCallerPass(claims: CallerPassClaims, secret: string): string {
  const json = JSON.stringify({ org: claims.org, sub: claims.sub, exp: claims.exp });
  const payload = Buffer.from(json).toString("base64url");
  return `${VERSION}.${payload}.${signature(`${VERSION}.${payload}`, secret).toString("base64url")}`;
}

/** Checks the signature first (constant-time), then what the signed claims say about now and the org. */
export function checkCallerPass(
  pass: string,
  secret: string,
  expected: { org: string; nowMs: number },
): CallerPassCheck {
  const parts = pass.split(".");
  if (parts.length !== 3 || parts[0] !== VERSION || !parts[1] || !parts[2]) return { ok: false, problem: "malformed" };
  const [version, payload, mac] = parts as [string, string, string];
  const given = Buffer.from(mac, "base64url");
  const wanted = signature(`${version}.${payload}`, secret);
  if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) return { ok: false, problem: "forged" };
  const claims = parseClaims(payload);
  // Signed by us yet unreadable: only a secret shared with another program could do that.
  if (claims === undefined) return { ok: false, problem: "malformed" };
  if (claims.org !== expected.org) return { ok: false, problem: "other_org" };
  if (claims.exp * 1000 <= expected.nowMs) return { ok: false, problem: "expired" };
  return { ok: true, claims };
}

function signature(data: string, secret: string): Buffer {
  return createHmac("sha256", secret).update(data).digest();
}

function parseClaims(payload: string): CallerPassClaims | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
    if (value === null || typeof value !== "object") return undefined;
    const { org, sub, exp } = value as Record<string, unknown>;
    if (typeof org !== "string" || typeof sub !== "string" || typeof exp !== "number" || !Number.isFinite(exp)) {
      return undefined;
    }
    return { org, sub, exp };
  } catch {
    return undefined;
  }
}
