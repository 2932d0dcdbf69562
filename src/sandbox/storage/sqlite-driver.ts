/**
 * The SQLite driver under the SQLite dialect: better-sqlite3 where it is installed and built (its install
 * script compiles it, or downloads a prebuilt binary), else node:sqlite (Node ≥ 22.13, nothing to build).
 * Both are synchronous and run SQLite itself; the dialect sees only this interface, so the pragmas, BEGIN
 * IMMEDIATE and the error kinds are the same on either. Chosen once per process by importing each on
 * demand (the bundle keeps both external and lazy), unless one is named (SQLITE_DRIVER in src/config.ts).
 */
import type BetterSqlite3 from "better-sqlite3";

export interface SqliteStatement {
  all(...values: unknown[]): unknown[];
  /** The first row, or undefined. */
  get(...values: unknown[]): unknown;
  run(...values: unknown[]): { changes: number | bigint };
}

export interface SqliteDatabase {
  /** Runs statements without parameters (DDL, pragmas). */
  exec(text: string): void;
  prepare(text: string): SqliteStatement;
  /** BEGIN IMMEDIATE; `work`, run to completion; COMMIT, or ROLLBACK if either throws. */
  immediate<T>(work: () => T): T;
  close(): void;
}

export type SqliteDriverName = "better-sqlite3" | "node";

export interface SqliteDriver {
  readonly name: SqliteDriverName;
  /** Opens `file` (":memory:" for none), creating it unless `readOnly`. */
  open(file: string, options?: { readOnly?: boolean }): SqliteDatabase;
  /** A driver error's SQLite result code by name (SQLITE_FULL, SQLITE_READONLY…), or undefined for any other error. */
  resultCode(error: unknown): string | undefined;
}

/** Neither driver could load: the embedded PMS cannot open its database. The reasons name modules, not data. */
export class SqliteDriverMissingError extends Error {
  override readonly name = "SqliteDriverMissingError";
  readonly code = "sqlite_driver_missing";
  constructor(readonly reasons: Readonly<Record<string, string>>) {
    super(
      `no SQLite driver could be loaded (${Object.entries(reasons)
        .map(([driver, reason]) => `${driver}: ${reason}`)
        .join("; ")})`,
    );
  }
}

const LOADERS: Record<SqliteDriverName, () => Promise<SqliteDriver>> = {
  "better-sqlite3": loadBetterSqlite3,
  node: loadNodeSqlite,
};

/** Per name asked for ("" for the first that loads): each driver is loaded once per process. */
const loaded = new Map<SqliteDriverName | "", Promise<SqliteDriver>>();

/** The driver named, or the first of better-sqlite3 and node:sqlite that loads; SqliteDriverMissingError if none. */
export function sqliteDriver(name?: SqliteDriverName): Promise<SqliteDriver> {
  const key = name ?? "";
  let driver = loaded.get(key);
  if (!driver) {
    driver = firstThatLoads(name ? [name] : (Object.keys(LOADERS) as SqliteDriverName[]));
    loaded.set(key, driver);
  }
  return driver;
}

async function firstThatLoads(names: readonly SqliteDriverName[]): Promise<SqliteDriver> {
  const reasons: Record<string, string> = {};
  for (const name of names) {
    try {
      return await LOADERS[name]();
    } catch (error) {
      reasons[name] = error instanceof Error ? (error.message.split("\n")[0] ?? "") : String(error);
    }
  }
  throw new SqliteDriverMissingError(reasons);
}

async function loadBetterSqlite3(): Promise<SqliteDriver> {
  const { default: Database } = await import("better-sqlite3");
  // The package installs without its install script, but only a built binding opens a database.
  new Database(":memory:").close();
  return {
    name: "better-sqlite3",
    open(file, options) {
      return betterSqlite3Database(new Database(file, { readonly: options?.readOnly ?? false }));
    },
    resultCode(error) {
      const code = (error as { code?: unknown } | null)?.code;
      return typeof code === "string" && code.startsWith("SQLITE_") ? code : undefined;
    },
  };
}

function betterSqlite3Database(db: BetterSqlite3.Database): SqliteDatabase {
  // Built once: better-sqlite3 rolls back (or, on a failed COMMIT, keeps nothing) itself.
  const transaction = db.transaction((work: () => unknown) => work());
  return {
    exec: (text) => void db.exec(text),
    prepare: (text) => db.prepare(text),
    immediate: <T>(work: () => T) => transaction.immediate(work) as T,
    close: () => {
      if (db.open) db.close();
    },
  };
}

/** What this module uses of node:sqlite (typed here: @types/node is Node 20's, which has no node:sqlite). */
interface NodeSqliteModule {
  DatabaseSync: new (
    file: string,
    options?: { readOnly?: boolean },
  ) => {
    exec(text: string): void;
    prepare(text: string): SqliteStatement;
    close(): void;
  };
}

/**
 * Runs `load` without the ExperimentalWarning Node prints when node:sqlite first loads: stderr carries JSON log
 * lines only, and that the module is experimental (stable in use since 22.13) is known here, not news to an operator.
 */
async function withoutExperimentalWarning<T>(load: () => Promise<T>): Promise<T> {
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const type = typeof rest[0] === "string" ? rest[0] : (rest[0] as { type?: unknown } | undefined)?.type;
    const text = typeof warning === "string" ? warning : warning.message;
    if (type === "ExperimentalWarning" && text.startsWith("SQLite")) return;
    (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    return await load();
  } finally {
    process.emitWarning = emitWarning;
  }
}

/** SQLite's primary result codes that name a storage fault or a rule (errcode & 0xff), by name. */
const RESULT_CODES: Readonly<Record<number, string>> = {
  5: "SQLITE_BUSY",
  6: "SQLITE_LOCKED",
  8: "SQLITE_READONLY",
  10: "SQLITE_IOERR",
  13: "SQLITE_FULL",
  14: "SQLITE_CANTOPEN",
  19: "SQLITE_CONSTRAINT",
};

async function loadNodeSqlite(): Promise<SqliteDriver> {
  // A specifier TypeScript does not resolve (see NodeSqliteModule); on Node 20 the import itself fails.
  const specifier = "node:sqlite";
  const { DatabaseSync } = (await withoutExperimentalWarning(() => import(specifier))) as NodeSqliteModule;
  return {
    name: "node",
    open(file, options) {
      const db = new DatabaseSync(file, { readOnly: options?.readOnly ?? false });
      let open = true;
      return {
        exec: (text) => db.exec(text),
        prepare: (text) => db.prepare(text),
        immediate<T>(work: () => T): T {
          db.exec("BEGIN IMMEDIATE");
          try {
            const result = work();
            db.exec("COMMIT");
            return result;
          } catch (error) {
            // After a failed COMMIT SQLite may have ended the transaction itself: then there is nothing to undo.
            try {
              db.exec("ROLLBACK");
            } catch {
              // "no transaction is active": the error that matters is the one thrown below.
            }
            throw error;
          }
        },
        close() {
          if (open) db.close();
          open = false;
        },
      };
    },
    resultCode(error) {
      const { code, errcode } = (error ?? {}) as { code?: unknown; errcode?: unknown };
      if (code !== "ERR_SQLITE_ERROR" || typeof errcode !== "number") return undefined;
      return RESULT_CODES[errcode & 0xff] ?? `SQLITE_ERROR_${errcode}`;
    },
  };
}
