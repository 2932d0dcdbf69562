/**
 * PostgreSQL for the benchmarks: DATABASE_URL or the local server, a schema of the run's own (dropped at
 * the end), and why it cannot be used when it is unreachable, so the bench skips that part with one line.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";

export const DATABASE_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/** Why PostgreSQL cannot be used, or null when it can. */
export async function unreachable(url: string): Promise<string | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    return null;
  } catch (error) {
    return (error as { code?: string }).code ?? (error instanceof Error ? error.message : String(error));
  } finally {
    await client.end().catch(() => {});
  }
}

/** A fresh schema (btree_gist installed in public first, so dropping the schema cannot take it along). */
export async function benchSchema(url: string): Promise<{ url: string; drop(): Promise<void> }> {
  const schema = `bench_${randomBytes(6).toString("hex")}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE EXTENSION IF NOT EXISTS btree_gist SCHEMA public; CREATE SCHEMA ${schema}`);
  const scoped = new URL(url);
  scoped.searchParams.set("options", `-c search_path=${schema},public`);
  return { url: scoped.toString(), drop: () => admin(`DROP SCHEMA IF EXISTS ${schema} CASCADE`) };
}
