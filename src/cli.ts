#!/usr/bin/env node
/**
 * The `dental-pms-mcp` command: MCP over stdio (default) or Streamable HTTP, or the reference PMS alone.
 * Start-up is kept fast for clients with an initialize timeout: the transport is connected first, and
 * the PMS client (and, without PMS_BASE_URL, the embedded sandbox) is loaded and started afterwards.
 * stdout carries JSON-RPC only; everything else goes to stderr.
 */
// First, so that V8 keeps its young generation small from the start (loading the configuration's schemas grows
// it), and a proxy optimizes nothing until its server has loaded.
import "./heap-footprint.js";
import { leaveLoadingPhase } from "./loading-phase.js";
import { ConfigError, USAGE, loadConfig, type Config } from "./config.js";
import { createLogger, type Logger } from "./log.js";
// The MCP server and the stdio transport are imported statically although `sandbox` needs neither: stdio, the
// common case, needs both before it can answer initialize, and esbuild then puts them in the entry's chunks
// rather than in several more files to load one after another (8 ms of a 115 ms cold start).
import { createMcpServer, preloadTools } from "./mcp/server.js";
import { serveStdio } from "./mcp/transports/stdio.js";
import type { PmsApi } from "./pms/api.js";
import { PACKAGE_VERSION } from "./version.js";

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.argv.slice(2), process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`dental-pms-mcp: ${error.message}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  const logger = createLogger({ level: config.logLevel, base: { service: "dental-pms-mcp" } });
  switch (config.command) {
    case "help":
      process.stdout.write(USAGE);
      return;
    case "version":
      process.stdout.write(`${PACKAGE_VERSION}\n`);
      return;
    case "sandbox":
      return runSandbox(config, logger);
    case "stdio":
    case "http":
      return runMcp(config, logger);
  }
}

/** Resources to release on shutdown, newest first. */
const cleanups: (() => Promise<void>)[] = [];
let shuttingDown = false;

/** Exit status when the stdio transport failed (sysexits.h EX_IOERR): not a clean end of the session. */
const EXIT_TRANSPORT_FAILED = 74;

async function shutdown(logger: Logger, reason: string, exitCode = 0): Promise<void> {
  if (shuttingDown) return;
  shuttingDown = true;
  logger.info("shutdown", { reason, exit_code: exitCode });
  // Whatever hangs must not keep the process alive.
  setTimeout(() => process.exit(exitCode), 3000).unref();
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  process.exit(exitCode);
}

function onSignals(logger: Logger): void {
  process.once("SIGINT", () => void shutdown(logger, "SIGINT"));
  process.once("SIGTERM", () => void shutdown(logger, "SIGTERM"));
}

/** The PMS the tools talk to: the configured one, or the embedded demo practice on a random loopback port. */
async function startPms(config: Config, logger: Logger): Promise<PmsApi> {
  const { PmsClient } = await import("./pms/client.js");
  const clientOptions = { timeoutMs: config.pmsTimeoutMs, logger: logger.child({ component: "pms-client" }) };
  if (config.pms) {
    const client = new PmsClient({ ...config.pms, ...clientOptions });
    cleanups.push(() => client.close());
    return client;
  }
  const [{ startSandbox, SqliteDriverMissingError }, { PmsError }] = await Promise.all([
    import("./sandbox/index.js"),
    import("./pms/errors.js"),
  ]);
  const sandbox = await startSandbox({
    host: "127.0.0.1",
    port: 0,
    dataDir: config.sandbox.dataDir,
    databaseUrl: config.sandbox.databaseUrl,
    sqliteDriver: config.sandbox.sqliteDriver,
    logger: logger.child({ component: "sandbox" }),
  }).catch((error: unknown) => {
    if (!(error instanceof SqliteDriverMissingError)) throw error;
    // Why each driver failed to load (module paths and versions only), then the fact the tools word.
    logger.error("embedded_sandbox_needs_sqlite", { node: process.version, reason: error.message });
    throw new PmsError("unavailable", { call: "orgId", transport: "not_started", startFailure: error.code });
  });
  cleanups.push(() => sandbox.close());
  logger.info("embedded_sandbox_started", {
    url: sandbox.url,
    persistent: config.sandbox.dataDir !== undefined || config.sandbox.databaseUrl !== undefined,
    note: "PMS_BASE_URL is not set: using the embedded demo practice",
  });
  const client = new PmsClient({ baseUrl: sandbox.url, orgId: sandbox.orgId, token: sandbox.token, ...clientOptions });
  cleanups.push(() => client.close());
  return client;
}

async function runMcp(config: Config, logger: Logger): Promise<void> {
  onSignals(logger);
  // The PMS client's module and the contract's route table load after the handshake (or on the first tool
  // call): building the contract's schemas would delay the initialize answer, which needs none of them.
  let backend: Promise<{ pms: PmsApi; warmUp: () => Promise<void> }> | undefined;
  const loadBackend = () =>
    (backend ??= import("./mcp/deferred-pms.js").then(({ deferredPms }) =>
      deferredPms(() => startPms(config, logger), logger),
    ));
  const warmUp = () => loadBackend().then((loaded) => loaded.warmUp());
  // The tools and the PMS, loaded once the handshake is done (at once over HTTP), or at the first tool call of a
  // client that never sends `initialized`; then the loading phase ends.
  let loading: Promise<void> | undefined;
  const loadAll = () => (loading ??= Promise.all([preloadTools(), warmUp()]).then(leaveLoadingPhase));
  const pms = async () => {
    void loadAll();
    return (await loadBackend()).pms;
  };
  const guard = config.privacy === "caller" ? await callerGuard(config, logger) : undefined;
  const mcpLogger = logger.child({ component: "mcp" });
  const serverFor = () => createMcpServer({ pms, privacy: config.privacy, logger: mcpLogger, guard });

  if (config.command === "http" && config.http) {
    void loadAll();
    guard?.warmUp();
    const { startHttpServer } = await import("./mcp/transports/http.js");
    const http = await startHttpServer({ ...config.http, createServer: serverFor, logger });
    cleanups.push(() => http.close());
    logger.info("mcp_http_ready", { url: http.url, port: http.port, privacy: config.privacy });
    return;
  }

  const server = serverFor();
  // Load the tools and start the PMS once the handshake is done, so initialize is answered without them.
  server.server.oninitialized = () => {
    void loadAll();
    guard?.warmUp();
  };
  const { closed } = await serveStdio(server);
  cleanups.push(() => server.close());
  logger.info("mcp_stdio_ready", { privacy: config.privacy, embedded_pms: config.pms === undefined });
  const end = await closed;
  if (end.reason === "stdin_closed") return shutdown(logger, "stdin closed");
  if (end.lineBytes > end.limitBytes) {
    logger.error("stdio_message_too_large", { line_bytes: end.lineBytes, limit_bytes: end.limitBytes });
  } else {
    logger.error("stdio_transport_failed", {});
  }
  await shutdown(logger, "stdio transport failed", EXIT_TRANSPORT_FAILED);
}

/** Caller mode's pass signer and attempt counter, one for the process (every HTTP request has its own server). */
async function callerGuard(config: Config, logger: Logger) {
  const { CallerGuard } = await import("./mcp/caller-guard.js");
  const guard = new CallerGuard({ ...config.caller, logger: logger.child({ component: "caller-guard" }) });
  cleanups.push(() => guard.close());
  return guard;
}

async function runSandbox(config: Config, logger: Logger): Promise<void> {
  onSignals(logger);
  leaveLoadingPhase(); // the sandbox's start is hot work (loading-phase.ts)
  const { startSandbox, describeDatabaseUrl } = await import("./sandbox/index.js");
  const sandbox = await startSandbox({
    host: "127.0.0.1",
    port: config.sandbox.port,
    dataDir: config.sandbox.dataDir,
    databaseUrl: config.sandbox.databaseUrl,
    sqliteDriver: config.sandbox.sqliteDriver,
    token: config.sandbox.token,
    logger,
  });
  cleanups.push(() => sandbox.close());
  process.stderr.write(
    [
      `Dental PMS sandbox listening on ${sandbox.url} (demo practice, ${storageLabel(config, describeDatabaseUrl)})`,
      `  PMS_BASE_URL=${sandbox.url}`,
      `  PMS_ORG_ID=${sandbox.orgId}`,
      `  PMS_API_TOKEN=${sandbox.token}`,
      "Try:",
      `  curl -H "Authorization: Bearer ${sandbox.token}" "${sandbox.baseUrl}/patients?query=Smith&page=1&page_size=5"`,
      "Press Ctrl+C to stop.",
      "",
    ].join("\n"),
  );
}

function storageLabel(config: Config, describeDatabaseUrl: (url: string) => string): string {
  if (config.sandbox.databaseUrl) return `data in PostgreSQL at ${describeDatabaseUrl(config.sandbox.databaseUrl)}`;
  return config.sandbox.dataDir ? `data in ${config.sandbox.dataDir}` : "in memory";
}

main().catch((error: unknown) => {
  process.stderr.write(`dental-pms-mcp: failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
