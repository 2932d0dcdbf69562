/** What the migrations recorded in a PostgreSQL database. */
import type pg from "pg";

/** Versions recorded in schema_migrations, in order. */
export async function appliedVersions(client: pg.ClientBase): Promise<number[]> {
  const { rows } = await client.query<{ version: number }>("SELECT version FROM schema_migrations ORDER BY version");
  return rows.map((r) => r.version);
}
