/** Configuration from env and flags: defaults, overrides, and every problem reported at once. */
import { describe, expect, it } from "vitest";
import { ConfigError, DEFAULT_HTTP_PORT, USAGE, isLoopbackHost, loadConfig } from "../../src/config.js";
import packageJson from "../../package.json" with { type: "json" };

function problemsOf(argv: string[], env: Record<string, string>): readonly string[] {
  try {
    loadConfig(argv, env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("loadConfig", () => {
  it("defaults to stdio, staff mode and the embedded sandbox", () => {
    expect(loadConfig([], {})).toMatchObject({
      command: "stdio",
      privacy: "staff",
      logLevel: "info",
      pms: undefined,
      http: undefined,
    });
  });

  it("reads a configured PMS and HTTP settings, flags overriding env", () => {
    const config = loadConfig(["--http", "--port", "9000", "--privacy", "caller"], {
      PMS_BASE_URL: "https://pms.example.com",
      PMS_ORG_ID: "org-1",
      PMS_API_TOKEN: "secret",
      MCP_PRIVACY_MODE: "staff",
      MCP_HTTP_PORT: "7000",
      MCP_HTTP_TOKEN: "0123456789abcdef0123",
      MCP_ALLOWED_HOSTS: "mcp.example.com, other.example.com",
      PMS_TIMEOUT_MS: "2500",
    });
    expect(config).toMatchObject({
      command: "http",
      privacy: "caller",
      pms: { baseUrl: "https://pms.example.com", orgId: "org-1", token: "secret" },
      pmsTimeoutMs: 2500,
      http: { port: 9000, allowedHosts: ["mcp.example.com", "other.example.com"], allowedOrigins: [] },
    });
    expect(loadConfig(["--http"], { MCP_HTTP_TOKEN: "0123456789abcdef0123" }).http?.port).toBe(DEFAULT_HTTP_PORT);
  });

  it("reads caller mode's pass secret, pass lifetime and Redis, with defaults", () => {
    expect(loadConfig([], {}).caller).toEqual({ secret: undefined, passTtlMinutes: 30, redis: undefined });
    const secret = "0123456789abcdef0123456789abcdef";
    expect(
      loadConfig(["--privacy", "caller"], {
        MCP_CALLER_SECRET: secret,
        MCP_CALLER_PASS_TTL_MINUTES: "10",
        REDIS_URL: "redis://127.0.0.1:6379",
        REDIS_KEY_PREFIX: "practice-a",
      }).caller,
    ).toEqual({ secret, passTtlMinutes: 10, redis: { url: "redis://127.0.0.1:6379", keyPrefix: "practice-a" } });
    expect(
      loadConfig([], { MCP_CALLER_SECRET: secret, REDIS_URL: "rediss://cache.example.com:6380" }).caller.redis,
    ).toEqual({
      url: "rediss://cache.example.com:6380",
      keyPrefix: "dental-pms-mcp",
    });
  });

  it("refuses a short caller secret, a bad pass lifetime or Redis URL, and Redis in caller mode without a shared secret", () => {
    const problems = problemsOf([], {
      MCP_CALLER_SECRET: "short",
      MCP_CALLER_PASS_TTL_MINUTES: "0",
      REDIS_URL: "http://127.0.0.1:6379",
      REDIS_KEY_PREFIX: "no spaces",
    }).join("\n");
    for (const expected of [
      "MCP_CALLER_SECRET must be at least 32 characters",
      "MCP_CALLER_PASS_TTL_MINUTES must be at least 1",
      "REDIS_URL must be a Redis URL such as redis://127.0.0.1:6379",
      "REDIS_KEY_PREFIX must be 1 to 64 letters",
    ]) {
      expect(problems).toContain(expected);
    }
    expect(problemsOf(["--privacy", "caller"], { REDIS_URL: "redis://127.0.0.1:6379" }).join("\n")).toContain(
      "MCP_CALLER_SECRET is required with REDIS_URL in caller mode",
    );
    expect(loadConfig([], { REDIS_URL: "redis://127.0.0.1:6379" }).caller.redis?.url).toBe("redis://127.0.0.1:6379");
  });

  it("reads the HTTP limits, default when unset", () => {
    const token = { MCP_HTTP_TOKEN: "0123456789abcdef0123" };
    expect(
      loadConfig(["--http"], { ...token, MCP_HTTP_MAX_CONNECTIONS: "20000", MCP_HTTP_RATE_LIMIT: "0" }).http,
    ).toMatchObject({
      maxConnections: 20000,
      rateLimit: 0,
    });
    expect(loadConfig(["--http"], token).http).toMatchObject({ maxConnections: undefined, rateLimit: undefined });
    const problems = problemsOf(["--http"], {
      ...token,
      MCP_HTTP_MAX_CONNECTIONS: "lots",
      MCP_HTTP_RATE_LIMIT: "-1",
    }).join("\n");
    expect(problems).toContain("MCP_HTTP_MAX_CONNECTIONS must be a whole number from 1 to 1000000");
    expect(problems).toContain("MCP_HTTP_RATE_LIMIT must be at least 0");
    expect(USAGE).toContain("MCP_HTTP_MAX_CONNECTIONS");
    expect(USAGE).toContain("MCP_HTTP_RATE_LIMIT");
  });

  it("parses the sandbox command and help", () => {
    expect(
      loadConfig(["sandbox", "--port", "4999", "--data-dir", "/tmp/x", "--token", "sandbox-token"], {}),
    ).toMatchObject({
      command: "sandbox",
      sandbox: { port: 4999, dataDir: "/tmp/x", token: "sandbox-token" },
    });
    expect(loadConfig(["--help"], {}).command).toBe("help");
    expect(loadConfig(["-h"], {}).command).toBe("help");
    expect(loadConfig(["--version"], {}).command).toBe("version");
    expect(loadConfig(["-v"], {}).command).toBe("version");
    expect(USAGE).toContain(`dental-pms-mcp ${packageJson.version}:`);
  });

  it("binds HTTP to loopback by default, elsewhere by --host or MCP_HTTP_HOST (flag first)", () => {
    const token = { MCP_HTTP_TOKEN: "0123456789abcdef0123" };
    expect(loadConfig(["--http"], token).http?.host).toBe("127.0.0.1");
    expect(loadConfig(["--http", "--host", "::1"], token).http?.host).toBe("::1");
    expect(
      loadConfig(["--http", "--host", "0.0.0.0"], { ...token, MCP_HTTP_HOST: "localhost", MCP_ALLOWED_HOSTS: "a.b" })
        .http,
    ).toMatchObject({ host: "0.0.0.0", allowedHosts: ["a.b"] });
    expect(loadConfig(["--http"], { ...token, MCP_HTTP_HOST: "localhost" }).http?.host).toBe("localhost");
  });

  it("refuses a non-loopback bind without explicit allowed hosts or without the token, and a malformed address", () => {
    const token = { MCP_HTTP_TOKEN: "0123456789abcdef0123" };
    expect(problemsOf(["--http", "--host", "0.0.0.0"], token)).toEqual([
      expect.stringContaining("MCP_ALLOWED_HOSTS is required to listen on 0.0.0.0"),
    ]);
    expect(problemsOf(["--http"], { MCP_HTTP_HOST: "10.0.0.5", MCP_ALLOWED_HOSTS: "mcp.example.com" })).toEqual([
      expect.stringContaining("MCP_HTTP_TOKEN is required with --http"),
    ]);
    expect(problemsOf(["--http", "--host", "http://0.0.0.0:80"], token).join("\n")).toContain(
      "--host must be an IP address or host name to listen on",
    );
    expect(problemsOf(["--http"], { ...token, MCP_HTTP_HOST: "a b" }).join("\n")).toContain(
      "MCP_HTTP_HOST must be an IP address or host name",
    );
  });

  it("knows loopback addresses", () => {
    for (const address of ["127.0.0.1", "127.1.2.3", "::1", "localhost"]) expect(isLoopbackHost(address)).toBe(true);
    for (const address of ["0.0.0.0", "::", "10.0.0.5", "mcp.example.com", "127.0.0.1.example.com"])
      expect(isLoopbackHost(address)).toBe(false);
  });

  it("treats empty variables as unset", () => {
    expect(loadConfig([], { PMS_BASE_URL: "", LOG_LEVEL: "" }).pms).toBeUndefined();
    expect(loadConfig([], { SQLITE_DRIVER: "" }).sandbox.sqliteDriver).toBeUndefined();
  });

  it("names the embedded sandbox's SQLite driver when SQLITE_DRIVER is set", () => {
    expect(loadConfig([], { SQLITE_DRIVER: "node" }).sandbox.sqliteDriver).toBe("node");
    expect(loadConfig(["sandbox"], { SQLITE_DRIVER: "better-sqlite3" }).sandbox.sqliteDriver).toBe("better-sqlite3");
  });

  it("reports each invalid or missing setting with the expected form", () => {
    const problems = problemsOf(["--http", "--port", "http"], {
      PMS_BASE_URL: "not a url",
      PMS_TIMEOUT_MS: "soon",
      LOG_LEVEL: "loud",
      MCP_HTTP_TOKEN: "short",
      SQLITE_DRIVER: "sqlite3",
    }).join("\n");
    for (const expected of [
      "PMS_BASE_URL must be an http(s) URL",
      "PMS_TIMEOUT_MS must be milliseconds",
      "LOG_LEVEL must be debug, info, warn or error",
      "MCP_HTTP_TOKEN must be at least 16 characters",
      "SQLITE_DRIVER must be node or better-sqlite3",
      "--port must be a port number",
    ]) {
      expect(problems).toContain(expected);
    }
    expect(problemsOf([], { PMS_API_TOKEN: "t" }).join("\n")).toContain("PMS_BASE_URL, PMS_ORG_ID must be set too");
    expect(problemsOf(["--bogus"], {}).join("\n")).toMatch(/bogus/);
    expect(problemsOf(["serve"], {}).join("\n")).toContain('unknown command "serve"');
  });
});
