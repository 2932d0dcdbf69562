/**
 * The bearer tokens a sandbox found in its storage, remembered for a second: a client sending many requests
 * costs one lookup a second instead of one per request (a query, and on PostgreSQL a round trip).
 *
 * Revocation: nothing in the API adds, changes or removes a token (they are registered at start-up, by hash);
 * a token is revoked by deleting its row from the database, by an operator or another instance. Such a token
 * stops working here at most TOKEN_TTL_MS after its last successful lookup. A token not found is never
 * remembered: one registered meanwhile works at once, and every guess still costs a lookup, as before.
 */
import { performance } from "node:perf_hooks";

export const TOKEN_TTL_MS = 1_000;
/** More distinct valid tokens than this within a second and the cache starts over: a bound, not a working size. */
const MAX_ENTRIES = 1_000;

export interface TokenOwner {
  token_id: string;
  org_id: string;
}

export class TokenCache {
  private readonly found = new Map<string, { owner: TokenOwner; until: number }>();

  constructor(
    /** The storage's lookup by token hash. */
    private readonly lookUp: (tokenHash: string) => Promise<TokenOwner | null>,
    /** A monotonic clock: the sandbox's own clock may be fixed (tests, benchmarks) or jump. */
    private readonly now: () => number = () => performance.now(),
  ) {}

  async find(tokenHash: string): Promise<TokenOwner | null> {
    const now = this.now();
    const remembered = this.found.get(tokenHash);
    if (remembered && now < remembered.until) return remembered.owner;
    const owner = await this.lookUp(tokenHash);
    if (!owner) {
      this.found.delete(tokenHash);
      return null;
    }
    if (this.found.size >= MAX_ENTRIES) this.found.clear();
    this.found.set(tokenHash, { owner, until: now + TOKEN_TTL_MS });
    return owner;
  }
}
