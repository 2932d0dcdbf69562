/**
 * Applies the PostgreSQL migrations that a database lacks. Safe to run again and from several instances
 * at once: the whole run holds a session advisory lock (the next instance waits, then finds nothing left
 * to do), and each migration commits together with its row in schema_migrations.
 */
import type pg from "pg";
import { POSTGRES_MIGRATIONS } from "./postgres-migrations.js";
import type { Migration } from "./migrations.js";

const MIGRATION_LOCK_KEY = "dental-pms:migrate";

/** Versions applied, in order. */
export async function appliedVersions(db: pg.Pool | pg.ClientBase): Promise<number[]> {
  const { rows } = await db.query<{ version: number }>("SELECT version FROM schema_migrations ORDER BY version");
  return rows.map((r) => r.version);
}

export async function migratePostgres(
  pool: pg.Pool,
  migrations: readonly Migration[] = POSTGRES_MIGRATIONS,
): Promise<void> {
  const client = await pool.connect();
  try {
    // Another instance may be migrating: wait for it however long it takes, and let no statement of a
    // migration time out. The connection is closed afterwards rather than pooled with these settings.
    await client.query("SET lock_timeout = 0; SET statement_timeout = 0");
    await client.query("SELECT pg_advisory_lock(hashtextextended($1, 0))", [MIGRATION_LOCK_KEY]);
    try {
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`);
      const applied = new Set(await appliedVersions(client));
      for (const migration of migrations) {
        if (applied.has(migration.version)) continue;
        await client.query("BEGIN");
        try {
          await client.query(migration.sql);
          await client.query("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)", [
            migration.version,
            migration.name,
            Date.now(),
          ]);
          await client.query("COMMIT");
        } catch (error) {
          await client.query("ROLLBACK").catch(() => {});
          throw error;
        }
      }
    } finally {
      await client.query("SELECT pg_advisory_unlock(hashtextextended($1, 0))", [MIGRATION_LOCK_KEY]).catch(() => {});
    }
  } finally {
    // Closing the connection also releases the lock, should the unlock have failed.
    client.release(true);
  }
}
