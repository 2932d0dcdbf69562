/**
 * Idempotency-Key support for POST /appointments. A key is scoped to the org and to the request
 * (the hash of what its body means: resolved instants, defaults applied), never to the slot: a cancelled booking's key cannot block a rebooking.
 * Keys live 24 hours. Only successes are stored, in the same transaction as the booking: a request
 * that failed validation or hit a conflict can be corrected and retried under the same key.
 */
import { createHash } from "node:crypto";
import type { EpochMs } from "../domain/model.js";
import type { IdempotencyRecord } from "../storage/storage.js";
import { ApiError } from "./errors.js";

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

/** Header syntax: 1 to 255 visible ASCII characters. */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/** JSON with object keys sorted, so that equal bodies hash equally whatever their key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

export function requestHash(body: unknown): string {
  return createHash("sha256").update(canonicalJson(body)).digest("hex");
}

export function oldestValid(now: EpochMs): EpochMs {
  return now - IDEMPOTENCY_TTL_MS;
}

export interface Replay {
  status: number;
  body: unknown;
}

/** The stored outcome when the same request is repeated; 422 when the key was used for another body. */
export function replayOrFail(record: IdempotencyRecord, hash: string): Replay {
  if (record.request_hash !== hash) {
    throw new ApiError(
      "idempotency_key_reused",
      "This Idempotency-Key was already used for a different request. Use a new key for each new booking; " +
        "reuse a key only to retry the very same request.",
      [{ field: "header.idempotency-key", message: "already used with a different body" }],
    );
  }
  return { status: record.status, body: record.body };
}
