/**
 * Idempotency keys derived from a request's content, so that a retried tool call (voice platforms
 * retry on their own timeouts) replays the first booking instead of creating a second one.
 */
import { createHash } from "node:crypto";

/** JSON with object keys sorted, so that argument order does not change the key. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

export function deriveIdempotencyKey(scope: string, value: unknown): string {
  return `${scope}-${createHash("sha256").update(canonical(value)).digest("hex")}`;
}
