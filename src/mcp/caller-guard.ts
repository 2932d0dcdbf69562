/**
 * Caller mode's gatekeeper, one per process and shared by every McpServer (stateless HTTP builds one
 * per request): it issues and checks caller passes, and counts identity attempts per org and name.
 * Failures are audited on stderr without patient data: the org, a short hash of the attempt key, what
 * happened and the attempts left.
 */
import { createHash, createHmac, randomBytes } from "node:crypto";
import { foldName } from "../contract/index.js";
import type { Logger } from "../log.js";
import { createAttemptLimiter, type AttemptLimiter } from "./attempt-limiter.js";
import { DEFAULT_PASS_TTL_MINUTES, MIN_CALLER_SECRET_LENGTH, checkCallerPass, signCallerPass } from "./caller-pass.js";
import { CallerPassRefused, VerificationRefused } from "./tool-error.js";

/**
 * What one identity attempt came to. Only a verification gives its attempt back: a registration counts,
 * because "registered" and "already a patient" answer the same question as a verification does.
 */
export type AttemptOutcome = "verified" | "no_match" | "ambiguous" | "registered" | "duplicate_registration";

export interface CallerName {
  first_name: string;
  last_name: string;
}

export interface IssuedPass {
  caller_pass: string;
  /** ISO 8601 UTC. */
  expires_at: string;
}

export interface CallerGuardOptions {
  /** Undefined: a random one for this process, with a warning (passes then die with the process). */
  secret?: string;
  passTtlMinutes?: number;
  /** Count attempts in Redis, shared by the instances using the same url and prefix. */
  redis?: { url: string; keyPrefix: string };
  logger: Logger;
}

export class CallerGuard {
  private readonly secret: string;
  private readonly passTtlMinutes: number;
  private readonly attempts: AttemptLimiter;
  private readonly logger: Logger;

  constructor(options: CallerGuardOptions) {
    this.logger = options.logger;
    if (options.secret !== undefined && options.secret.length < MIN_CALLER_SECRET_LENGTH) {
      throw new Error(`the caller secret must be at least ${MIN_CALLER_SECRET_LENGTH} characters`);
    }
    if (options.secret === undefined) {
      this.logger.warn("caller_pass_secret_generated", {
        note:
          "MCP_CALLER_SECRET is not set: caller passes are signed with a random key of this process, so they do not " +
          "survive a restart and no other instance accepts them",
      });
    }
    this.secret = options.secret ?? randomBytes(32).toString("base64url");
    this.passTtlMinutes = options.passTtlMinutes ?? DEFAULT_PASS_TTL_MINUTES;
    this.attempts = createAttemptLimiter({ redis: options.redis, logger: options.logger });
  }

  issuePass(org: string, patientUuid: string, nowMs: number): IssuedPass {
    const exp = Math.floor(nowMs / 1000) + this.passTtlMinutes * 60;
    return {
      caller_pass: signCallerPass({ org, sub: patientUuid, exp }, this.secret),
      expires_at: new Date(exp * 1000).toISOString(),
    };
  }

  /** The uuid of the patient the pass was issued to, for this org and not expired; CallerPassRefused otherwise. */
  patientOf(pass: string, org: string, nowMs: number): string {
    const check = checkCallerPass(pass, this.secret, { org, nowMs });
    if (!check.ok) throw new CallerPassRefused(check.problem);
    return check.claims.sub;
  }

  /**
   * Runs one identity attempt for this name. With no attempts left it is refused as locked, even if the
   * details are right. The attempt is given back when it verified the caller, or when `attempt` threw
   * (the PMS failed, so the caller learnt nothing).
   */
  async attempt<T extends { outcome: AttemptOutcome }>(
    org: string,
    name: CallerName,
    attempt: () => Promise<T>,
  ): Promise<T> {
    const key = this.attemptKey(org, name);
    const subject = createHash("sha256").update(key).digest("hex").slice(0, 12);
    const left = await this.attempts.take(key);
    if (left === undefined) {
      this.logger.warn("caller_verification", { org, subject, outcome: "locked", attempts_left: 0 });
      throw new VerificationRefused("locked");
    }
    let result: T;
    try {
      result = await attempt();
    } catch (error) {
      await this.attempts.giveBack(key);
      throw error;
    }
    if (result.outcome === "verified") {
      await this.attempts.giveBack(key);
      this.logger.info("caller_verification", { org, subject, outcome: result.outcome, attempts_left: left + 1 });
    } else {
      const log = result.outcome === "registered" ? this.logger.info : this.logger.warn;
      log("caller_verification", { org, subject, outcome: result.outcome, attempts_left: left });
    }
    return result;
  }

  /** Loads the attempt store (and connects to Redis) ahead of the first verification. */
  warmUp(): void {
    this.attempts.warmUp();
  }

  close(): Promise<void> {
    return this.attempts.close();
  }

  /** Keyed with the secret, so that neither Redis keys nor log lines let anyone test names against them. */
  private attemptKey(org: string, name: CallerName): string {
    const subject = ["caller-attempts", org, foldName(name.first_name), foldName(name.last_name)].join("\u0000");
    return createHmac("sha256", this.secret).update(subject).digest("hex");
  }
}
