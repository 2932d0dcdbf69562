/**
 * The reference Dental PMS API, embedded: real HTTP on node:http, real SQLite (or PostgreSQL, for
 * several instances on one database), the real scheduling rules. `startSandbox()` gives a running
 * server seeded with the demo practice and a token for it.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { API_PREFIX } from "../contract/index.js";
import { silentLogger, type Logger } from "../log.js";
import type { EpochMs, PracticeData } from "./domain/model.js";
import { createRequestHandler, hashToken } from "./http/server.js";
import type { ServiceContext } from "./services/context.js";
import { toPracticeRows } from "./services/practice.js";
import { openSqliteStorage } from "./storage/sqlite-dialect.js";
import type { SqliteDriverName } from "./storage/sqlite-driver.js";
import type { Storage } from "./storage/storage.js";

export { createRequestHandler, hashToken, MAX_BODY_BYTES, type RequestHandler } from "./http/server.js";
export { buildOpenApiDocument } from "./http/openapi.js";
export { openSqliteStorage, DATABASE_FILE } from "./storage/sqlite-dialect.js";
export { SqliteDriverMissingError } from "./storage/sqlite-driver.js";
export { describeDatabaseUrl } from "./storage/postgres-url.js";
export type { Storage } from "./storage/storage.js";
export type { ServiceContext, Caller } from "./services/context.js";
export { toPracticeRows } from "./services/practice.js";

export interface SandboxOptions {
  /** Default "127.0.0.1". */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  /** Directory holding the SQLite file (created if missing); omitted: in-memory. */
  dataDir?: string;
  /** The SQLite driver to use; default: the first that loads (sqlite-driver.ts). */
  sqliteDriver?: SqliteDriverName;
  /** postgres://… : keep everything in this PostgreSQL database instead of SQLite (dataDir must then be unset). */
  databaseUrl?: string;
  /** API token for the primary org; default: a random one, returned in RunningSandbox. */
  token?: string;
  /** Default "demo": seed the demo practice when the database is empty. */
  seed?: "demo" | PracticeData | false;
  /** Clock; default Date.now. */
  now?: () => EpochMs;
  /** Default: silent. */
  logger?: Logger;
}

export interface RunningSandbox {
  /** "http://127.0.0.1:PORT" */
  url: string;
  /** `${url}/api/v1/${orgId}` */
  baseUrl: string;
  orgId: string;
  token: string;
  /** Adds another org (its own data and token), e.g. for cross-org tests. */
  addOrg(data: PracticeData): Promise<{ orgId: string; token: string; baseUrl: string }>;
  close(): Promise<void>;
}

/** A connection must start a request within this. */
const IDLE_SOCKET_MS = 10_000;

export function generateToken(): string {
  return `sk_sandbox_${randomBytes(24).toString("base64url")}`;
}

/** An org with no configuration, for `seed: false` on an empty database. */
function emptyPractice(): PracticeData {
  return {
    org: { uuid: randomUUID(), name: "Practice" },
    locations: [],
    providers: [],
    appointmentTypes: [],
    shifts: [],
    timeOff: [],
    closures: [],
    patients: [],
    appointments: [],
  };
}

/** Loaded on demand: only an empty database needs the demo seed. */
async function demoPractice(now: EpochMs): Promise<PracticeData> {
  const { buildDemoPractice } = await import("./demo/index.js");
  return buildDemoPractice(now);
}

/** The storage the options ask for. */
async function openStorage(
  options: Pick<SandboxOptions, "dataDir" | "databaseUrl" | "sqliteDriver" | "logger">,
): Promise<Storage> {
  if (options.databaseUrl === undefined) return openSqliteStorage(options.dataDir, options.sqliteDriver);
  if (options.dataDir !== undefined)
    throw new Error("give either dataDir (SQLite) or databaseUrl (PostgreSQL), not both");
  const { openPostgresStorage } = await import("./storage/postgres-dialect.js");
  return openPostgresStorage(options.databaseUrl, { logger: options.logger });
}

/**
 * Opens the storage and makes sure it holds at least one org (seeding an empty database), and
 * returns the primary org: the first one created. Restarting on the same dataDir or database keeps
 * everything; instances starting together on one database (PostgreSQL, or one SQLite file) seed it
 * once and share its org.
 */
export async function prepareStorage(
  options: Pick<SandboxOptions, "dataDir" | "databaseUrl" | "sqliteDriver" | "seed" | "logger">,
  now: () => EpochMs,
): Promise<{ storage: Storage; orgId: string }> {
  const storage = await openStorage(options);
  try {
    if ((await storage.listOrgIds()).length === 0) {
      const seed = options.seed ?? "demo";
      const data = seed === "demo" ? await demoPractice(now()) : seed === false ? emptyPractice() : seed;
      // Another instance may have seeded meanwhile: this inserts only if it still finds no org.
      await storage.insertFirstPractice(toPracticeRows(data));
    }
    const [orgId] = await storage.listOrgIds();
    if (orgId === undefined) throw new Error("the sandbox database holds no org");
    return { storage, orgId };
  } catch (error) {
    await storage.close();
    throw error;
  }
}

export async function startSandbox(options: SandboxOptions = {}): Promise<RunningSandbox> {
  const now = options.now ?? Date.now;
  const logger = options.logger ?? silentLogger;
  const { storage, orgId } = await prepareStorage({ ...options, logger }, now);
  const token = options.token ?? generateToken();
  let server: Server | undefined;
  try {
    await storage.addToken(orgId, hashToken(token));
    const ctx: ServiceContext = { storage, now };
    server = createServer(
      // A client that is slow to send its request is not worth a socket: headers within 10 s, the whole request
      // within 30 s (node answers 408 and closes), and a connection that sends nothing is closed after 10 s.
      { headersTimeout: 10_000, requestTimeout: 30_000, keepAliveTimeout: 5_000, connectionsCheckingInterval: 1_000 },
      createRequestHandler(ctx, { logger }),
    );
    server.on("connection", (socket: Socket) => socket.setTimeout(IDLE_SOCKET_MS));
    server.on("request", (req: IncomingMessage) => req.socket.setTimeout(0));
    await listen(server, options.port ?? 0, options.host ?? "127.0.0.1");
  } catch (error) {
    await storage.close();
    throw error;
  }
  const running = server;
  const address = running.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  const baseUrlOf = (id: string) => `${url}${API_PREFIX}/${id}`;
  logger.info("sandbox.started", {
    url,
    storage: options.databaseUrl === undefined ? "sqlite" : "postgres",
    persistent: options.dataDir !== undefined || options.databaseUrl !== undefined,
  });

  let closed = false;
  return {
    url,
    baseUrl: baseUrlOf(orgId),
    orgId,
    token,
    async addOrg(data) {
      await storage.insertPractice(toPracticeRows(data));
      const orgToken = generateToken();
      await storage.addToken(data.org.uuid, hashToken(orgToken));
      return { orgId: data.org.uuid, token: orgToken, baseUrl: baseUrlOf(data.org.uuid) };
    },
    async close() {
      if (closed) return;
      closed = true;
      await new Promise<void>((resolve) => {
        running.close(() => resolve());
        running.closeAllConnections();
      });
      await storage.close();
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
}
