/**
 * SQLite as a dialect of the storage core, on either driver (sqlite-driver.ts: better-sqlite3 or node:sqlite).
 * Both are synchronous, so a transaction runs to completion without yielding: one BEGIN IMMEDIATE … COMMIT that no other request of this process
 * can interleave with, while BEGIN IMMEDIATE plus busy_timeout serialises writers of other processes sharing
 * the file. That write lock covers the whole database, so a transaction's scope (lock keys, wait lines) has
 * nothing to add, and the no-overlap rules PostgreSQL also enforces with exclusion constraints are enforced
 * here by the check inside `transact` alone.
 *
 * Group commit: the transactions asked for in one turn of the event loop and the next run in one BEGIN IMMEDIATE … COMMIT, one
 * after another, each inside a savepoint of its own. Each runs to completion before the next starts and sees
 * what the ones before it wrote, exactly as if each had committed alone; one that throws is rolled back to its
 * savepoint and fails alone. Every promise settles only after the COMMIT that holds its writes has returned
 * (synchronous=FULL: fsynced), so a 201 is still sent only for what is on disk; the group's transactions share
 * that one fsync instead of paying one each.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { runSynchronously, type Dialect, type Request, type TransactionScope, type Work } from "./dialect.js";
import { SQLITE_MIGRATIONS, migrate, migrationsPending } from "./migrations.js";
import { insertRow, type DdlDialect, type Table } from "./schema.js";
import { sqlStorage } from "./sql-storage.js";
import {
  sqliteDriver,
  type SqliteDatabase,
  type SqliteDriver,
  type SqliteDriverName,
  type SqliteStatement,
} from "./sqlite-driver.js";
import { raw, sql, type Sql } from "./sql.js";
import { StorageError, type Storage } from "./storage.js";

export const DATABASE_FILE = "dental-pms.sqlite";

const DDL: DdlDialect = {
  types: {
    key: "TEXT",
    text: "TEXT",
    integer: "INTEGER",
    instant: "INTEGER",
    json: "TEXT",
    // Numbered by the INSERT itself (nextOrdinal), under the write lock.
    ordinal: "INTEGER",
    serial: "INTEGER",
  },
  serialKey: " AUTOINCREMENT",
  exclusion: () => undefined,
  guard: () => undefined,
  prelude: "",
};

/**
 * Opens (creating if needed) the database in `dataDir`, or an in-memory one, and migrates it, with the driver
 * named or else the first that loads. Fails with SqliteDriverMissingError when none can load.
 */
export async function openSqliteStorage(dataDir?: string, driverName?: SqliteDriverName): Promise<Storage> {
  const driver = await sqliteDriver(driverName);
  let file = ":memory:";
  if (dataDir !== undefined) {
    mkdirSync(dataDir, { recursive: true });
    file = join(dataDir, DATABASE_FILE);
  }
  // Another process starting on the same file at the same moment (switching it to WAL, recovering or migrating
  // it) can answer "busy" even within busy_timeout, as node:sqlite does; every step looks before it writes, so
  // starting over after a pause is safe.
  for (let attempt = 1; ; attempt++) {
    const db = driver.open(file);
    try {
      return openOn(driver, db, dataDir ?? "(in memory)");
    } catch (error) {
      db.close();
      const busy =
        error instanceof StorageError
          ? error.kind === "busy"
          : (driver.resultCode(error)?.startsWith("SQLITE_BUSY") ?? false);
      if (!busy || attempt === START_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
    }
  }
}

const START_ATTEMPTS = 8;

function openOn(driver: SqliteDriver, db: SqliteDatabase, where: string): Storage {
  // First: every later statement, switching to WAL included, may meet another process starting on the same file.
  db.exec("PRAGMA busy_timeout = 5000");
  db.exec("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA foreign_keys = ON");
  // A 201 is a promise to the practice: every commit reaches the disk before it is acknowledged, so an
  // acknowledged booking survives a power cut, not just a crash of this process.
  db.exec("PRAGMA synchronous = FULL");
  const dialect = new SqliteDialect(driver, db, where);
  // Another process starting on the same file may migrate between the look and the write lock: `migrate` looks again.
  if (dialect.runNow(migrationsPending(dialect, SQLITE_MIGRATIONS))) {
    dialect.inTransactionNow(() => migrate(dialect, SQLITE_MIGRATIONS));
  }
  return sqlStorage(dialect);
}

/**
 * SQLite's result codes as storage faults: a full disk, a read-only file or file system, an I/O error
 * (the disk went away), a lock held by another process beyond busy_timeout.
 */
function sqliteFault(driver: SqliteDriver, where: string, error: unknown): StorageError | undefined {
  const code = driver.resultCode(error);
  if (code === undefined) return undefined;
  const kind =
    code === "SQLITE_FULL"
      ? "full"
      : code.startsWith("SQLITE_READONLY")
        ? "read_only"
        : code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")
          ? "busy"
          : code.startsWith("SQLITE_IOERR") || code.startsWith("SQLITE_CANTOPEN")
            ? "unavailable"
            : undefined;
  return kind === undefined ? undefined : new StorageError(kind, where, code, error);
}

/** A group member's savepoint, prepared once like any statement (exec would compile its text every time). */
const SAVEPOINT = raw("SAVEPOINT member");
const RELEASE = raw("RELEASE member");

/** A transaction waiting for its group's commit, and, once run, how it ended. */
interface Pending {
  work: () => Work<unknown>;
  outcome: { ok: true; value: unknown } | { ok: false; error: unknown } | undefined;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

class SqliteDialect implements Dialect {
  readonly ddl = DDL;
  readonly forUpdate = raw("");
  /** Prepared once per statement text: the texts are our own and few (each filter combination is one). */
  private readonly statements = new Map<string, SqliteStatement>();
  /** The same, by the identity of a statement's texts (sql.ts), which saves rendering and hashing the text. */
  private readonly statementsByTexts = new WeakMap<readonly string[], SqliteStatement>();
  /** The transactions waiting for the end of this turn of the event loop. */
  private pending: Pending[] = [];
  private closed = false;

  constructor(
    private readonly driver: SqliteDriver,
    private readonly db: SqliteDatabase,
    readonly where: string,
  ) {}

  anyOf(column: string, values: readonly string[]): Sql {
    // One value, the common case (a booking's provider, patient, location): an equality SQLite seeks in the
    // index directly, where IN (json_each) first builds an ephemeral table of the list.
    if (values.length === 1) return sql`${raw(column)} = ${values[0]}`;
    return sql`${raw(column)} IN (SELECT value FROM json_each(${JSON.stringify(values)}))`;
  }

  jsonArray(column: string, orderBy: string): string {
    // The documents are JSON text already (the core wrote them): joined as they are, not parsed again here.
    return `'[' || COALESCE(group_concat(${column}, ',' ORDER BY ${orderBy}), '') || ']'`;
  }

  nextOrdinal(table: string, column: string): Sql {
    return raw(`(SELECT COALESCE(MAX(${column}), 0) + 1 FROM ${table})`);
  }

  insertRows(table: Table, values: readonly (readonly unknown[])[]): Sql[] {
    // No round trips to save in process: the one prepared statement runs once per row.
    return values.map((row) => insertRow(table, row));
  }

  tableExists(name: string): Sql {
    return sql`SELECT 1 AS found FROM sqlite_master WHERE type = 'table' AND name = ${name}`;
  }

  async autocommit<T>(work: Work<T>): Promise<T> {
    return this.runNow(work);
  }

  transaction<T>(_scope: TransactionScope, work: () => Work<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      // The first transaction of a group schedules its commit for the end of the next turn; later ones join it.
      // One more turn lets the requests that arrived while this turn ran (the answers of the last commit
      // bring the next requests) reach their transactions too: under load groups grow from ~4.7 to ~6 per
      // fsync. Idle, the extra turn costs a poll that finds nothing.
      if (this.pending.length === 0) setImmediate(() => setImmediate(() => this.commitPending()));
      this.pending.push({ work, outcome: undefined, resolve: resolve as (value: unknown) => void, reject });
    });
  }

  /** Runs the waiting transactions in one write transaction, commits, and only then settles each. */
  private commitPending(): void {
    const group = this.pending;
    this.pending = [];
    if (group.length === 0) return;
    try {
      this.db.immediate(() => this.runGroup(group));
    } catch (error) {
      for (const transaction of group) transaction.reject(error);
      return;
    }
    for (const { outcome, resolve, reject } of group) {
      if (outcome?.ok) resolve(outcome.value);
      else reject(outcome?.error);
    }
  }

  /** Each waiting transaction in its savepoint, inside the one write transaction. */
  private runGroup(group: readonly Pending[]): void {
    for (const transaction of group) {
      this.prepared(SAVEPOINT).run();
      try {
        transaction.outcome = { ok: true, value: this.runNow(transaction.work()) };
        this.prepared(RELEASE).run();
      } catch (error) {
        transaction.outcome = { ok: false, error };
        try {
          this.db.exec("ROLLBACK TO member; RELEASE member");
        } catch {
          // A savepoint cannot always be rolled back alone: an I/O error or a full disk may have ended the whole
          // transaction. Then nothing of the group is written, and every member fails with that error.
          throw error;
        }
      }
    }
  }

  /** Runs `work` to completion, synchronously. */
  runNow<T>(work: Work<T>): T {
    return runSynchronously(work, (request) => this.execute(request));
  }

  /** `work` in a write transaction, run to completion. */
  inTransactionNow<T>(work: () => Work<T>): T {
    return this.db.immediate(() => this.runNow(work()));
  }

  private execute(request: Request): unknown {
    if (request.kind === "script") {
      this.db.exec(request.text);
      return undefined;
    }
    if (request.kind === "tuples") return this.tuples(request.sql, request.columns);
    const statement = this.prepared(request.sql);
    const values = request.sql.values;
    switch (request.kind) {
      case "rows":
        return statement.all(...values);
      case "row":
        return statement.get(...values);
      case "run":
        return Number(statement.run(...values).changes);
    }
  }

  /**
   * The rows of `query` aggregated by SQLite into one JSON text of arrays and parsed by JSON.parse: for hundreds
   * of rows several times cheaper than either driver's taking them column by column into objects (and JSON
   * arrays are half the work of JSON objects, for SQLite to write and for JSON.parse to read).
   */
  private tuples(query: Sql, columns: readonly string[]): unknown[][] {
    const tuple = `json_array(${columns.map((column) => `"${column}"`).join(", ")})`;
    const aggregate = sql`SELECT '[' || COALESCE(group_concat(${raw(tuple)}, ','), '') || ']' AS tuples
      FROM (${query}) AS listed`;
    const found = this.prepared(aggregate).get(...aggregate.values) as { tuples: string };
    return JSON.parse(found.tuples) as unknown[][];
  }

  private prepared(query: Sql): SqliteStatement {
    let statement = this.statementsByTexts.get(query.texts);
    if (statement) return statement;
    const text = query.texts.join("?");
    statement = this.statements.get(text);
    if (!statement) {
      statement = this.db.prepare(text);
      this.statements.set(text, statement);
    }
    this.statementsByTexts.set(query.texts, statement);
    return statement;
  }

  classify(error: unknown): StorageError | undefined {
    return sqliteFault(this.driver, this.where, error);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    // Transactions already asked for are committed (or fail) first, not dropped.
    this.commitPending();
    this.closed = true;
    this.db.close();
  }
}
