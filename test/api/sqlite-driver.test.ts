/**
 * SQLite behaves the same on either driver: each that loads on this Node (better-sqlite3 where it is built,
 * node:sqlite on Node ≥ 22.13; .ci/run runs this on both) opens the file in WAL mode, keeps a booking across a
 * reopen, rolls back a transaction that throws, and reports a lock held past busy_timeout as a busy StorageError.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DATABASE_FILE, SqliteDriverMissingError, openSqliteStorage, toPracticeRows } from "../../src/sandbox/index.js";
import { StorageError } from "../../src/sandbox/storage/storage.js";
import { sqliteDriver, type SqliteDriverName } from "../../src/sandbox/storage/sqlite-driver.js";
import { tinyPractice } from "../support/sandbox.js";

const root = mkdtempSync(join(tmpdir(), "sqlite-driver-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const NAMES: SqliteDriverName[] = ["better-sqlite3", "node"];
const loads = await Promise.all(
  NAMES.map((name) =>
    sqliteDriver(name).then(
      () => true,
      (error: unknown) => {
        if (!(error instanceof SqliteDriverMissingError)) throw error;
        return false;
      },
    ),
  ),
);
const available = NAMES.filter((_, i) => loads[i]);

it("at least one driver loads on this Node", () => {
  expect(available.length).toBeGreaterThan(0);
});

describe.each(available)("SQLite on %s", (name) => {
  it("keeps the practice across a reopen, in WAL mode", async () => {
    const dir = join(root, `${name}-reopen`);
    const { data } = tinyPractice();
    const first = await openSqliteStorage(dir, name);
    await first.insertPractice(toPracticeRows(data));
    await first.close();
    const second = await openSqliteStorage(dir, name);
    expect(await second.listOrgIds()).toEqual([data.org.uuid]);
    await second.close();
    const db = (await sqliteDriver(name)).open(join(dir, DATABASE_FILE), { readOnly: true });
    try {
      expect(db.prepare("PRAGMA journal_mode").get()).toEqual({ journal_mode: "wal" });
    } finally {
      db.close();
    }
  });

  it("rolls back what a transaction wrote before it threw, and names a constraint violation's code", async () => {
    const driver = await sqliteDriver(name);
    const db = driver.open(":memory:");
    try {
      db.exec("CREATE TABLE t (k TEXT PRIMARY KEY)");
      expect(() =>
        db.immediate(() => {
          db.prepare("INSERT INTO t VALUES (?)").run("a");
          db.prepare("INSERT INTO t VALUES (?)").run("a");
        }),
      ).toThrow();
      expect(db.prepare("SELECT COUNT(*) AS n FROM t").get()).toEqual({ n: 0 });
      let violation: unknown;
      try {
        db.prepare("INSERT INTO t VALUES (?), (?)").run("b", "b");
      } catch (error) {
        violation = error;
      }
      expect(driver.resultCode(violation)).toMatch(/^SQLITE_CONSTRAINT/);
      expect(driver.resultCode(new Error("not SQLite's"))).toBeUndefined();
    } finally {
      db.close();
    }
  });

  it("reports a write lock held by another connection past busy_timeout as busy", async () => {
    const dir = join(root, `${name}-busy`);
    const storage = await openSqliteStorage(dir, name);
    const { data } = tinyPractice();
    await storage.insertPractice(toPracticeRows(data));
    const other = (await sqliteDriver(name)).open(join(dir, DATABASE_FILE));
    other.exec("BEGIN IMMEDIATE");
    try {
      const error = await storage.addToken(data.org.uuid, "hash").then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(StorageError);
      expect((error as StorageError).kind).toBe("busy");
      expect((error as StorageError).driverCode).toMatch(/^SQLITE_BUSY/);
    } finally {
      other.exec("ROLLBACK");
      other.close();
      await storage.close();
    }
  });
});
