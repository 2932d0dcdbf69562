/**
 * Configuration from the environment and command-line flags, validated in one pass so that every
 * missing or invalid setting is reported at once, each with the expected form.
 */
import { parseArgs } from "node:util";
import { z } from "zod";
import type { LogLevel } from "./log.js";
import { MAX_VERIFICATION_ATTEMPTS, VERIFICATION_WINDOW_MINUTES } from "./mcp/attempt-limiter.js";
import { DEFAULT_PASS_TTL_MINUTES, MIN_CALLER_SECRET_LENGTH } from "./mcp/caller-pass.js";
import { PRIVACY_MODES, type PrivacyMode } from "./mcp/privacy.js";
import { PACKAGE_VERSION } from "./version.js";

export const DEFAULT_HTTP_PORT = 8765;
export const DEFAULT_SANDBOX_PORT = 4010;
export const DEFAULT_REDIS_KEY_PREFIX = "dental-pms-mcp";
export const DEFAULT_HTTP_HOST = "127.0.0.1";

export const USAGE = `dental-pms-mcp ${PACKAGE_VERSION}: MCP server for dental appointment booking

Usage:
  dental-pms-mcp                      MCP over stdio (for Claude Desktop and other local clients)
  dental-pms-mcp --http [--host H] [--port N]
                                      MCP over Streamable HTTP on H:N/mcp (default ${DEFAULT_HTTP_HOST}:${DEFAULT_HTTP_PORT})
  dental-pms-mcp sandbox [--port N] [--data-dir D] [--token T]
                                      only the reference Dental PMS API on 127.0.0.1 (default port ${DEFAULT_SANDBOX_PORT})
  dental-pms-mcp --help | --version

Options:
  --privacy staff|caller   staff (default): full records; caller: public-facing bots, identity checks, no contact details

Environment:
  PMS_BASE_URL, PMS_ORG_ID, PMS_API_TOKEN   the PMS to use (all three, or none for the embedded demo practice)
  PMS_TIMEOUT_MS           deadline of one PMS request in ms (default 5000)
  MCP_PRIVACY_MODE         staff | caller (overridden by --privacy)
  MCP_HTTP_PORT            port for --http (overridden by --port)
  MCP_HTTP_HOST            address --http listens on (overridden by --host; default ${DEFAULT_HTTP_HOST}); any other than
                           loopback (e.g. 0.0.0.0 behind a reverse proxy) requires MCP_ALLOWED_HOSTS
  MCP_HTTP_TOKEN           bearer token clients must send; required with --http (at least 16 characters)
  MCP_ALLOWED_HOSTS        extra Host values to accept over HTTP, comma-separated (e.g. mcp.example.com)
  MCP_ALLOWED_ORIGINS      extra Origin values to accept over HTTP, comma-separated (e.g. https://app.example.com)
  MCP_CALLER_SECRET        caller mode: at least 32 characters that sign caller passes; give every instance the same
                           one (default: random per process, so passes die with it and no other instance takes them)
  MCP_CALLER_PASS_TTL_MINUTES
                           caller mode: how long a caller pass stays valid (default ${DEFAULT_PASS_TTL_MINUTES}, 1 to 1440)
  REDIS_URL                caller mode: redis://host:6379 to count failed verifications (${MAX_VERIFICATION_ATTEMPTS} per name per ${VERIFICATION_WINDOW_MINUTES} minutes)
                           across instances; requires MCP_CALLER_SECRET (default: counted in process)
  REDIS_KEY_PREFIX         prefix of the Redis keys (default ${DEFAULT_REDIS_KEY_PREFIX})
  MCP_HTTP_MAX_CONNECTIONS most connections open at once over HTTP (default 10000; keep it below the fd limit)
  MCP_HTTP_RATE_LIMIT      requests per second per client address over HTTP, with bursts of ten seconds' worth
                           (default 200; 0 turns the limit off, e.g. behind a proxy that limits per client itself)
  SANDBOX_DATA_DIR         where the embedded sandbox keeps its SQLite database (default: in memory)
  SQLITE_DRIVER            node | better-sqlite3: the sandbox's SQLite driver (default: better-sqlite3 if it is
                           installed and built, else node:sqlite, which needs Node 22.13 or later)
  DATABASE_URL             postgres://user@host:5432/db: keep the sandbox's data in PostgreSQL instead (several
                           sandbox instances may share one database; not together with SANDBOX_DATA_DIR)
  LOG_LEVEL                debug | info | warn | error (default info); logs go to stderr as JSON lines
`;

export type Command = "stdio" | "http" | "sandbox" | "help" | "version";

export interface Config {
  command: Command;
  privacy: PrivacyMode;
  logLevel: LogLevel;
  /** Undefined: start the embedded sandbox. */
  pms: { baseUrl: string; orgId: string; token: string } | undefined;
  pmsTimeoutMs: number | undefined;
  http:
    | {
        host: string;
        port: number;
        token: string;
        allowedHosts: string[];
        allowedOrigins: string[];
        maxConnections: number | undefined;
        rateLimit: number | undefined;
      }
    | undefined;
  /** Caller mode's pass signing and attempt counting. */
  caller: { secret: string | undefined; passTtlMinutes: number; redis: { url: string; keyPrefix: string } | undefined };
  sandbox: {
    port: number;
    dataDir: string | undefined;
    databaseUrl: string | undefined;
    token: string | undefined;
    /** Undefined: the first that loads. */
    sqliteDriver: "node" | "better-sqlite3" | undefined;
  };
}

export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
}

const port = (name: string) =>
  z.coerce
    .number({ error: `${name} must be a port number from 0 to 65535, e.g. ${DEFAULT_HTTP_PORT}` })
    .int({ error: `${name} must be a whole port number from 0 to 65535` })
    .min(0, { error: `${name} must be a port number from 0 to 65535` })
    .max(65535, { error: `${name} must be a port number from 0 to 65535` });

/** An address to listen on: an IP address or a host name (no scheme, no port). */
const host = (name: string) =>
  z.union([z.ipv4(), z.ipv6(), z.hostname()], {
    error: `${name} must be an IP address or host name to listen on, e.g. 127.0.0.1 or 0.0.0.0`,
  });

/** Whether a listening address is reachable from this machine only. */
export function isLoopbackHost(address: string): boolean {
  return address === "localhost" || address === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(address);
}

const list = z.string().transform((value) =>
  value
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean),
);

const Env = z.object({
  PMS_BASE_URL: z
    .url({ protocol: /^https?$/, error: "PMS_BASE_URL must be an http(s) URL such as https://pms.example.com" })
    .optional(),
  PMS_ORG_ID: z.string().min(1).optional(),
  PMS_API_TOKEN: z.string().min(1).optional(),
  PMS_TIMEOUT_MS: z.coerce
    .number({ error: "PMS_TIMEOUT_MS must be milliseconds from 100 to 120000, e.g. 5000" })
    .int({ error: "PMS_TIMEOUT_MS must be whole milliseconds, e.g. 5000" })
    .min(100, { error: "PMS_TIMEOUT_MS must be at least 100 (ms)" })
    .max(120_000, { error: "PMS_TIMEOUT_MS must be at most 120000 (ms)" })
    .optional(),
  MCP_PRIVACY_MODE: z.enum(PRIVACY_MODES, { error: "MCP_PRIVACY_MODE must be staff or caller" }).optional(),
  MCP_HTTP_PORT: port("MCP_HTTP_PORT").optional(),
  MCP_HTTP_HOST: host("MCP_HTTP_HOST").optional(),
  MCP_HTTP_TOKEN: z
    .string()
    .min(16, { error: "MCP_HTTP_TOKEN must be at least 16 characters (e.g. from: openssl rand -hex 32)" })
    .optional(),
  MCP_ALLOWED_HOSTS: list.optional(),
  MCP_ALLOWED_ORIGINS: list.optional(),
  MCP_CALLER_SECRET: z
    .string()
    .min(MIN_CALLER_SECRET_LENGTH, {
      error: `MCP_CALLER_SECRET must be at least ${MIN_CALLER_SECRET_LENGTH} characters (e.g. from: openssl rand -hex 32)`,
    })
    .optional(),
  MCP_CALLER_PASS_TTL_MINUTES: z.coerce
    .number({ error: "MCP_CALLER_PASS_TTL_MINUTES must be whole minutes from 1 to 1440, e.g. 30" })
    .int({ error: "MCP_CALLER_PASS_TTL_MINUTES must be whole minutes from 1 to 1440, e.g. 30" })
    .min(1, { error: "MCP_CALLER_PASS_TTL_MINUTES must be at least 1 (minute)" })
    .max(1440, { error: "MCP_CALLER_PASS_TTL_MINUTES must be at most 1440 (a day)" })
    .optional(),
  REDIS_URL: z
    .url({ protocol: /^rediss?$/, error: "REDIS_URL must be a Redis URL such as redis://127.0.0.1:6379" })
    .optional(),
  REDIS_KEY_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:._-]{1,64}$/, {
      error: "REDIS_KEY_PREFIX must be 1 to 64 letters, digits or : . _ -, e.g. dental-pms-mcp",
    })
    .optional(),
  MCP_HTTP_MAX_CONNECTIONS: z.coerce
    .number({ error: "MCP_HTTP_MAX_CONNECTIONS must be a whole number from 1 to 1000000, e.g. 10000" })
    .int({ error: "MCP_HTTP_MAX_CONNECTIONS must be a whole number from 1 to 1000000, e.g. 10000" })
    .min(1, { error: "MCP_HTTP_MAX_CONNECTIONS must be at least 1" })
    .max(1_000_000, { error: "MCP_HTTP_MAX_CONNECTIONS must be at most 1000000" })
    .optional(),
  MCP_HTTP_RATE_LIMIT: z.coerce
    .number({ error: "MCP_HTTP_RATE_LIMIT must be requests per second from 0 to 100000, e.g. 200 (0: no limit)" })
    .min(0, { error: "MCP_HTTP_RATE_LIMIT must be at least 0 (0: no limit)" })
    .max(100_000, { error: "MCP_HTTP_RATE_LIMIT must be at most 100000" })
    .optional(),
  SANDBOX_DATA_DIR: z.string().min(1).optional(),
  SQLITE_DRIVER: z
    .enum(["node", "better-sqlite3"], { error: "SQLITE_DRIVER must be node or better-sqlite3" })
    .optional(),
  DATABASE_URL: z
    .url({
      protocol: /^postgres(ql)?$/,
      error: "DATABASE_URL must be a PostgreSQL URL such as postgres://postgres@127.0.0.1:5432/dental",
    })
    .optional(),
  LOG_LEVEL: z
    .enum(["debug", "info", "warn", "error"], { error: "LOG_LEVEL must be debug, info, warn or error" })
    .optional(),
});

const Flags = z.object({
  http: z.boolean().optional(),
  help: z.boolean().optional(),
  version: z.boolean().optional(),
  host: host("--host").optional(),
  port: port("--port").optional(),
  privacy: z.enum(PRIVACY_MODES, { error: "--privacy must be staff or caller" }).optional(),
  "data-dir": z.string().min(1, { error: "--data-dir must be a directory path" }).optional(),
  token: z.string().min(8, { error: "--token must be at least 8 characters" }).optional(),
});

export function loadConfig(argv: readonly string[], rawEnv: Readonly<Record<string, string | undefined>>): Config {
  const problems: string[] = [];
  let parsedArgs: ReturnType<typeof parseCommandLine> | undefined;
  try {
    parsedArgs = parseCommandLine(argv);
  } catch (error) {
    problems.push(error instanceof Error ? error.message : String(error));
  }
  // An empty variable counts as unset, as most shells and .env loaders intend.
  const env = Object.fromEntries(Object.entries(rawEnv).filter(([, value]) => value !== undefined && value !== ""));
  const envResult = Env.safeParse(env);
  const flagResult = Flags.safeParse(parsedArgs?.values ?? {});
  for (const result of [envResult, flagResult]) {
    if (!result.success) problems.push(...result.error.issues.map(describeIssue));
  }

  const positionals = parsedArgs?.positionals ?? [];
  if (positionals.length > 0 && positionals[0] !== "sandbox")
    problems.push(`unknown command "${positionals[0]}"; expected sandbox or none`);
  if (positionals.length > 1) problems.push(`unexpected argument "${positionals[1]}"`);
  const pmsNames = ["PMS_BASE_URL", "PMS_ORG_ID", "PMS_API_TOKEN"] as const;
  const missing = pmsNames.filter((name) => env[name] === undefined);
  if (missing.length > 0 && missing.length < pmsNames.length) {
    problems.push(
      `${missing.join(", ")} must be set too: set all of PMS_BASE_URL, PMS_ORG_ID and PMS_API_TOKEN, or none to use the embedded demo practice`,
    );
  }
  const wantsHttp = parsedArgs?.values.http === true && positionals[0] !== "sandbox";
  if (wantsHttp && env.MCP_HTTP_TOKEN === undefined) {
    problems.push(
      "MCP_HTTP_TOKEN is required with --http: clients must send it as Authorization: Bearer <token> (e.g. from: openssl rand -hex 32)",
    );
  }
  const httpHost = flagResult.data?.host ?? envResult.data?.MCP_HTTP_HOST ?? DEFAULT_HTTP_HOST;
  if (wantsHttp && !isLoopbackHost(httpHost) && env.MCP_ALLOWED_HOSTS === undefined) {
    problems.push(
      `MCP_ALLOWED_HOSTS is required to listen on ${httpHost}, beyond this machine: the Host names clients reach the server by, comma-separated (e.g. mcp.example.com), against DNS rebinding`,
    );
  }
  const callerMode = (parsedArgs?.values.privacy ?? env.MCP_PRIVACY_MODE) === "caller";
  if (callerMode && env.REDIS_URL !== undefined && env.MCP_CALLER_SECRET === undefined) {
    problems.push(
      "MCP_CALLER_SECRET is required with REDIS_URL in caller mode: instances that share attempt counts must share the secret that signs caller passes (e.g. from: openssl rand -hex 32)",
    );
  }
  if (
    env.DATABASE_URL !== undefined &&
    (env.SANDBOX_DATA_DIR !== undefined || parsedArgs?.values["data-dir"] !== undefined)
  ) {
    problems.push("DATABASE_URL (PostgreSQL) and SANDBOX_DATA_DIR/--data-dir (SQLite) are both set: keep only one");
  }
  if (problems.length > 0 || !envResult.success || !flagResult.success) throw new ConfigError(problems);

  const e = envResult.data;
  const flags = flagResult.data;
  const command: Command = flags.help
    ? "help"
    : flags.version
      ? "version"
      : positionals[0] === "sandbox"
        ? "sandbox"
        : wantsHttp
          ? "http"
          : "stdio";
  return {
    command,
    privacy: flags.privacy ?? e.MCP_PRIVACY_MODE ?? "staff",
    logLevel: e.LOG_LEVEL ?? "info",
    pms:
      e.PMS_BASE_URL && e.PMS_ORG_ID && e.PMS_API_TOKEN
        ? { baseUrl: e.PMS_BASE_URL, orgId: e.PMS_ORG_ID, token: e.PMS_API_TOKEN }
        : undefined,
    pmsTimeoutMs: e.PMS_TIMEOUT_MS,
    http:
      command === "http" && e.MCP_HTTP_TOKEN
        ? {
            host: httpHost,
            port: flags.port ?? e.MCP_HTTP_PORT ?? DEFAULT_HTTP_PORT,
            token: e.MCP_HTTP_TOKEN,
            allowedHosts: e.MCP_ALLOWED_HOSTS ?? [],
            allowedOrigins: e.MCP_ALLOWED_ORIGINS ?? [],
            maxConnections: e.MCP_HTTP_MAX_CONNECTIONS,
            rateLimit: e.MCP_HTTP_RATE_LIMIT,
          }
        : undefined,
    caller: {
      secret: e.MCP_CALLER_SECRET,
      passTtlMinutes: e.MCP_CALLER_PASS_TTL_MINUTES ?? DEFAULT_PASS_TTL_MINUTES,
      redis: e.REDIS_URL ? { url: e.REDIS_URL, keyPrefix: e.REDIS_KEY_PREFIX ?? DEFAULT_REDIS_KEY_PREFIX } : undefined,
    },
    sandbox: {
      port: command === "sandbox" ? (flags.port ?? DEFAULT_SANDBOX_PORT) : 0,
      dataDir: flags["data-dir"] ?? e.SANDBOX_DATA_DIR,
      databaseUrl: e.DATABASE_URL,
      token: flags.token,
      sqliteDriver: e.SQLITE_DRIVER,
    },
  };
}

function parseCommandLine(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      http: { type: "boolean" },
      help: { type: "boolean", short: "h" },
      version: { type: "boolean", short: "v" },
      host: { type: "string" },
      port: { type: "string" },
      privacy: { type: "string" },
      "data-dir": { type: "string" },
      token: { type: "string" },
    },
  });
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const name = issue.path.map(String).join(".");
  // Messages above already start with the setting's name; zod's defaults do not.
  return issue.message.startsWith(name.replace(/^(?=[a-z])/, "--")) || issue.message.startsWith(name)
    ? issue.message
    : `${name}: ${issue.message}`;
}
