/**
 * The seam between the one storage core (sql-storage.ts) and a database: what really differs between
 * SQLite and PostgreSQL, and nothing else.
 *
 * The core writes each operation once as a generator (`Work`) that yields the statements it needs and gets
 * their results back; the dialect runs them. SQLite's drivers answer synchronously, so the SQLite dialect
 * drives a transaction's work to completion without ever yielding to the event loop (no other request can
 * interleave with it); the PostgreSQL dialect awaits each statement on its pooled connection. The core
 * never sees a placeholder, a driver or a connection.
 */
import type { DdlDialect, Table } from "./schema.js";
import type { Sql } from "./sql.js";
import type { StorageError } from "./storage.js";

/**
 * A statement for the dialect to run: all rows, the first row (or undefined), the count of rows changed, DDL, or
 * many rows as tuples (see `tuples`).
 */
export type Request =
  | { readonly kind: "rows" | "row" | "run"; readonly sql: Sql }
  | { readonly kind: "tuples"; readonly sql: Sql; readonly columns: readonly string[] }
  | { readonly kind: "script"; readonly text: string };

/** An operation written once for both databases: it yields statements and receives their results. */
export type Work<T> = Generator<Request, T, unknown>;

export function* rows<R>(query: Sql): Work<R[]> {
  return (yield { kind: "rows", sql: query }) as R[];
}

/**
 * All rows of `query` as arrays of their values, in the order of `columns` (the names of its columns): for a
 * query of many rows (hundreds per request), taken the way each database hands many small rows over fastest.
 */
export function* tuples<T extends readonly unknown[]>(query: Sql, columns: readonly string[]): Work<T[]> {
  return (yield { kind: "tuples", sql: query, columns }) as T[];
}

export function* row<R>(query: Sql): Work<R | undefined> {
  return (yield { kind: "row", sql: query }) as R | undefined;
}

/** Runs a write; returns how many rows it changed. */
export function* run(query: Sql): Work<number> {
  return (yield { kind: "run", sql: query }) as number;
}

/** Runs DDL: several statements, no parameters. */
export function* script(text: string): Work<void> {
  yield { kind: "script", text };
}

/** Drives `work` synchronously: each statement's result is handed back at once, and a failure is thrown into it. */
export function runSynchronously<T>(work: Work<T>, execute: (request: Request) => unknown): T {
  let step = work.next();
  while (!step.done) {
    let result: unknown;
    try {
      result = execute(step.value);
    } catch (error) {
      step = work.throw(error);
      continue;
    }
    step = work.next(result);
  }
  return step.value;
}

/** Drives `work`, awaiting each statement. */
export async function runAsynchronously<T>(work: Work<T>, execute: (request: Request) => Promise<unknown>): Promise<T> {
  let step = work.next();
  while (!step.done) {
    let result: unknown;
    try {
      result = await execute(step.value);
    } catch (error) {
      step = work.throw(error);
      continue;
    }
    step = work.next(result);
  }
  return step.value;
}

/**
 * What a transaction touches, for a database that locks finer than the whole file. SQLite ignores it:
 * BEGIN IMMEDIATE takes the one write lock. PostgreSQL queues in `lines` in memory, then takes an advisory
 * lock on each of `locks`, in the order given.
 */
export interface TransactionScope {
  /** Lock keys, in the one order every transaction takes them (so that none waits on another in a cycle). */
  locks: readonly string[];
  /** Keys to queue by in this process before taking a connection (each is among `locks`). */
  lines: readonly string[];
  /**
   * Run again after losing a race that left nothing written (an exclusion violation, a deadlock, a
   * connection lost before COMMIT).
   */
  retry: boolean;
  /** Seeding and migrating at start-up: no statement or lock timeout, since they may wait for another instance. */
  unbounded: boolean;
}

export interface Dialect {
  /** The data directory or database host, for the operator's log; never credentials. */
  readonly where: string;
  readonly ddl: DdlDialect;

  /** `column` equal to one of `values`, the list bound as one parameter. */
  anyOf(column: string, values: readonly string[]): Sql;
  /** An aggregate: the JSON documents of `column` as one JSON array text, in `orderBy` order ('[]' for none). */
  jsonArray(column: string, orderBy: string): string;
  /** Ends a SELECT of rows the transaction is about to change (row locks where the database has them). */
  readonly forUpdate: Sql;
  /** The value of an `ordinal` column in a new row. */
  nextOrdinal(table: string, column: string): Sql;
  /** Statements inserting `values` (each row in the order of storedColumns(table)). */
  insertRows(table: Table, values: readonly (readonly unknown[])[]): Sql[];
  /** A query giving a row if the table `name` exists where unqualified names resolve, none otherwise. */
  tableExists(name: string): Sql;

  /** Runs `work` outside a transaction, each statement committing on its own. Only for reads and idempotent writes. */
  autocommit<T>(work: Work<T>): Promise<T>;
  /** Runs `work` in one write transaction: committed if it returns, rolled back if it throws. */
  transaction<T>(scope: TransactionScope, work: () => Work<T>): Promise<T>;
  /** A driver error as the storage fault it is, or undefined for any other error. */
  classify(error: unknown): StorageError | undefined;
  close(): Promise<void>;
}
