/** The sandbox's SQLite file, opened read-only through the driver the sandbox itself uses (better-sqlite3 or node:sqlite). */
import { join } from "node:path";
import { DATABASE_FILE } from "../../src/sandbox/index.js";
import { sqliteDriver, type SqliteDatabase } from "../../src/sandbox/storage/sqlite-driver.js";

export async function readSqliteFile<T>(dataDir: string, read: (db: SqliteDatabase) => T): Promise<T> {
  const db = (await sqliteDriver()).open(join(dataDir, DATABASE_FILE), { readOnly: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

/** The rows of PRAGMA integrity_check: ["ok"] for a sound file. */
export function integrityCheck(db: SqliteDatabase): string[] {
  return (db.prepare("PRAGMA integrity_check").all() as { integrity_check: string }[]).map((r) => r.integrity_check);
}
