/**
 * PostgreSQL for tests: the local server (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test),
 * a fresh schema per sandbox so that test files running in parallel never see each other's rows, and
 * the backend switch: with TEST_SANDBOX_BACKEND=postgres (the api-postgres vitest project), sandboxes
 * started by the API tests run on PostgreSQL instead of SQLite.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { vi } from "vitest";
import { startSandbox, type RunningSandbox, type SandboxOptions } from "../../src/sandbox/index.js";
import { cleanEnv, spawnCli, type SpawnedCli } from "./mcp-process.js";
import { apiCaller, type Caller } from "./sandbox.js";

export const TEST_DATABASE_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

export const onPostgres = (): boolean => process.env.TEST_SANDBOX_BACKEND === "postgres";

/** Same key as the migrations' lock: creating the extension must not race a migration doing the same. */
const MIGRATION_LOCK_KEY = "dental-pms:migrate";

export async function withAdminClient<T>(work: (client: pg.Client) => Promise<T>, url = TEST_DATABASE_URL): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export interface TestSchema {
  schema: string;
  /** TEST_DATABASE_URL with search_path set to the schema (then public, where btree_gist lives). */
  url: string;
  drop(): Promise<void>;
}

/**
 * A new empty schema. btree_gist is installed in public first: created by a migration it would land in
 * the test schema and vanish, with every other schema's exclusion constraints, when that schema is dropped.
 */
export async function createTestSchema(): Promise<TestSchema> {
  const schema = `test_${randomBytes(6).toString("hex")}`;
  await withAdminClient(async (client) => {
    await client.query("SELECT pg_advisory_lock(hashtextextended($1, 0))", [MIGRATION_LOCK_KEY]);
    try {
      await client.query("CREATE EXTENSION IF NOT EXISTS btree_gist SCHEMA public");
    } finally {
      await client.query("SELECT pg_advisory_unlock(hashtextextended($1, 0))", [MIGRATION_LOCK_KEY]);
    }
    await client.query(`CREATE SCHEMA ${schema}`);
  });
  const url = new URL(TEST_DATABASE_URL);
  url.searchParams.set("options", `-c search_path=${schema},public`);
  return {
    schema,
    url: url.toString(),
    drop: () =>
      withAdminClient((client) => client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)).then(() => undefined),
  };
}

/** A sandbox on a fresh schema of its own, dropped when the sandbox closes. */
export async function startPostgresSandbox(
  options: SandboxOptions = {},
): Promise<RunningSandbox & { schema: TestSchema }> {
  const schema = await createTestSchema();
  let sandbox: RunningSandbox;
  try {
    sandbox = await startSandbox({ ...options, databaseUrl: schema.url });
  } catch (error) {
    await schema.drop();
    throw error;
  }
  return {
    ...sandbox,
    schema,
    async close() {
      await sandbox.close();
      await schema.drop();
    },
  };
}

/**
 * `startSandbox` on the backend the test run asks for. A dataDir asks for SQLite explicitly (its tests
 * read the SQLite file), so it stays there.
 */
export function startSandboxOnBackend(options: SandboxOptions = {}): Promise<RunningSandbox> {
  if (onPostgres() && options.dataDir === undefined && options.databaseUrl === undefined)
    return startPostgresSandbox(options);
  return startSandbox(options);
}

/**
 * `url` with its own application_name, so that a test can find (and terminate) exactly the sessions of the
 * processes it started, never those of the test files running beside it on the same server.
 */
export function withApplicationName(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set("application_name", name);
  return parsed.toString();
}

/** pg_terminate_backend on every session of `applicationName`, as a failover or restart would; how many there were. */
export async function terminateSessions(applicationName: string): Promise<number> {
  return withAdminClient(async (client) => {
    const { rows } = await client.query<{ pid: number }>(
      "SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()",
      [applicationName],
    );
    for (const { pid } of rows) await client.query("SELECT pg_terminate_backend($1)", [pid]);
    return rows.length;
  });
}

export interface SandboxInstance {
  cli: SpawnedCli;
  orgId: string;
  /** `${url}/api/v1/${orgId}` */
  baseUrl: string;
  call: Caller;
}

/** The sandbox bin on `databaseUrl` with `token`, once it printed its banner (it exited: rejects with its stderr). */
export async function spawnSandboxInstance(databaseUrl: string, token: string): Promise<SandboxInstance> {
  const cli = spawnCli(
    ["sandbox", "--port", "0", "--token", token],
    cleanEnv({ DATABASE_URL: databaseUrl, LOG_LEVEL: "warn" }),
  );
  const exited = new Promise<never>((_, reject) =>
    cli.child.once("exit", (code) => reject(new Error(`instance exited (${code}):\n${cli.stderrLines.join("\n")}`))),
  );
  const bannerValue = (name: string) =>
    cli.stderrLines.find((line) => line.startsWith(`  ${name}=`))?.slice(name.length + 3);
  const ready = vi.waitFor(
    () => {
      const orgId = bannerValue("PMS_ORG_ID");
      const url = bannerValue("PMS_BASE_URL");
      if (orgId === undefined || url === undefined) throw new Error("not started yet");
      return { orgId, baseUrl: `${url}/api/v1/${orgId}` };
    },
    { timeout: 60_000, interval: 50 },
  );
  const { orgId, baseUrl } = await Promise.race([ready, exited]);
  exited.catch(() => {}); // from now on, tests check exitCode themselves
  return { cli, orgId, baseUrl, call: apiCaller(baseUrl, token) };
}

/** Overlapping pairs of non-cancelled appointments sharing `column`: 0 means no double booking of that resource. */
export async function overlappingPairs(
  url: string,
  column: "provider_uuid" | "operatory_uuid" | "patient_uuid",
): Promise<number> {
  return withAdminClient(async (client) => {
    const { rows } = await client.query<{ pairs: string }>(
      `SELECT COUNT(*) AS pairs FROM appointments a JOIN appointments b
         ON a.org_id = b.org_id AND a.${column} = b.${column} AND a.uuid < b.uuid
        AND a.start_ms < b.end_ms AND b.start_ms < a.end_ms
       WHERE a.status <> 'cancelled' AND b.status <> 'cancelled'`,
    );
    return Number(rows[0]?.pairs);
  }, url);
}
