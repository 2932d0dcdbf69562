/**
 * PostgreSQL for tests: the local server (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test),
 * a fresh schema per sandbox so that test files running in parallel never see each other's rows, and
 * the backend switch: with TEST_SANDBOX_BACKEND=postgres (the api-postgres vitest project), sandboxes
 * started by the API tests run on PostgreSQL instead of SQLite.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { startSandbox, type RunningSandbox, type SandboxOptions } from "../../src/sandbox/index.js";

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
    drop: () => withAdminClient((client) => client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)).then(() => undefined),
  };
}

/** A sandbox on a fresh schema of its own, dropped when the sandbox closes. */
export async function startPostgresSandbox(options: SandboxOptions = {}): Promise<RunningSandbox & { schema: TestSchema }> {
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
  if (onPostgres() && options.dataDir === undefined && options.databaseUrl === undefined) return startPostgresSandbox(options);
  return startSandbox(options);
}
