/**
 * PostgreSQL (node-postgres, one Pool per instance) as a dialect of the storage core, for running several
 * sandbox API instances on one database.
 *
 * A transaction is BEGIN, then pg_advisory_xact_lock on each key of its scope in the order given (the core
 * sorts them so that two transactions never wait on each other in a cycle), then its statements, then
 * COMMIT. The exclusion constraints of the schema are the last line of defence: should a write slip past
 * the locks (an instance of another version, a hand-written INSERT), the database rejects the overlap with
 * 23P01 and a transaction whose scope allows it is run again, so that it sees the winner.
 *
 * Failover, restarts and overload: every connection has an 'error' listener (a terminated connection is an
 * event, not a crash) and is destroyed after a failure; lock_timeout and statement_timeout bound every
 * statement, a pool checkout waits at most CHECKOUT_TIMEOUT_MS, and transactions queue in memory by their
 * scope's lines (wait-lines.ts) rather than on pooled connections. A transaction that lost its connection
 * before COMMIT is run again on a new one; driver failures leave as StorageError (storage.ts).
 */
import pg from "pg";
import type { PoolClient, QueryArrayConfig, QueryConfig, QueryResult } from "pg";
import type { Logger } from "../../log.js";
import { runAsynchronously, type Dialect, type Request, type TransactionScope, type Work } from "./dialect.js";
import { POSTGRES_MIGRATIONS, migrate, migrationsPending } from "./migrations.js";
import { describeDatabaseUrl } from "./postgres-url.js";
import { storedColumns, type ColumnKind, type DdlDialect, type Exclusion, type Guard, type Table } from "./schema.js";
import { sqlStorage } from "./sql-storage.js";
import { join, raw, sql, type Sql } from "./sql.js";
import { StorageError, type Storage } from "./storage.js";
import { WaitLines } from "./wait-lines.js";

const INT8_OID = 20;
const JSON_OID = 114;
/**
 * BIGINT columns hold epoch milliseconds and counts: well inside Number's exact range. json comes back as
 * its text, as SQLite's does, and the core parses it.
 */
const TYPES = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === INT8_OID
      ? Number
      : oid === JSON_OID
        ? String
        : pg.types.getTypeParser(oid, format ?? "text")) as typeof pg.types.getTypeParser,
};

/** Lock key of migrating, held for the whole migration so that instances starting together migrate once. */
const MIGRATION_LOCK_KEY = "dental-pms:migrate";

/** SQLSTATEs after which the whole transaction is worth running again. */
const RETRYABLE = new Set([
  "23P01", // exclusion_violation: an overlapping booking committed first
  "40001", // serialization_failure
  "40P01", // deadlock_detected
]);
const MAX_TRANSACTION_ATTEMPTS = 3;

/**
 * Bounds that keep an instance answering when the database is slow, locked or gone: a request waits at
 * most about LOCK_TIMEOUT_MS for a lock, so a burst behind a lock held elsewhere is answered 503 within
 * 2 s instead of queueing until the pool starves (issue: every request got a 500 after 11 s).
 */
const LOCK_TIMEOUT_MS = 1_000;
const STATEMENT_TIMEOUT_MS = 1_500;
/** A connection left inside a transaction (its process stalled) gives up its locks after this. */
const IDLE_IN_TRANSACTION_TIMEOUT_MS = 10_000;
const CHECKOUT_TIMEOUT_MS = 1_000;
/** Backstop for a wait line that keeps moving but slowly; a held lock sheds its line long before. */
const MAX_QUEUE_WAIT_MS = 5_000;
/** For seeding and migrating at start-up, which may take longer and may wait for another instance. */
const UNBOUNDED = "SET LOCAL statement_timeout = 0; SET LOCAL lock_timeout = 0";

/** node-postgres' own words for a connection that broke, and for a pool that had none to give. */
const CONNECTION_LOST = /Connection terminated|not queryable|connection error|Connection ended/i;
const CHECKOUT_TIMEOUT = /timeout exceeded when trying to connect/i;
const NETWORK_ERRORS = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

/**
 * A driver failure as a storage fault, or undefined for everything else (a constraint violation, a bug).
 * SQLSTATE classes: 08 connection exception; 57P01-57P03 the server shutting down or not ready; 53
 * insufficient resources (53100 disk full); 55P03 lock_timeout; 57014 statement_timeout; 25006 a
 * read-only (standby) server; 25P03 the idle-in-transaction timeout.
 */
export function postgresFault(where: string, error: unknown): StorageError | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : "";
  const fault = (kind: StorageError["kind"]) =>
    new StorageError(kind, where, typeof code === "string" ? code : undefined, error);
  if (typeof code === "string") {
    if (code === "53100") return fault("full");
    if (code === "25006") return fault("read_only");
    if (["55P03", "57014", "40001", "40P01"].includes(code) || code.startsWith("53")) return fault("busy");
    if (code.startsWith("08") || ["57P01", "57P02", "57P03", "25P03"].includes(code) || NETWORK_ERRORS.has(code)) {
      return fault("unavailable");
    }
  }
  if (CHECKOUT_TIMEOUT.test(message)) return fault("busy");
  if (CONNECTION_LOST.test(message)) return fault("unavailable");
  return undefined;
}

function isRetryable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && RETRYABLE.has(code);
}

/** The array type a column's values are bound as, for a bulk insert through unnest. */
const ARRAY_TYPES: Record<ColumnKind, string> = {
  key: "text[]",
  text: "text[]",
  integer: "int[]",
  instant: "bigint[]",
  json: "text[]",
  ordinal: "bigint[]",
  serial: "bigint[]",
};

/**
 * A guard (schema.ts) as a trigger function and its trigger: it takes the advisory locks of the new row's
 * provider and location (keyed as sql-storage.ts lockKey keys them, so a transaction of ours already holds
 * them and a foreign writer waits for ours), then refuses an overlap with 23P01, as an exclusion constraint
 * would, so that `transact` runs again and sees the winner.
 */
function guardDdl({ name, table, against, equal, when, where }: Guard): string {
  const lock = (kind: string, column: string) =>
    `PERFORM pg_advisory_xact_lock(hashtextextended(NEW.org_id || '|${kind}|' || NEW.${column}, 0));`;
  const sameResource = equal.map((c) => `o.${c} = NEW.${c}`).join(" OR ");
  return `CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF ${when} THEN
    ${lock("provider", "provider_uuid")}
    ${lock("location", "location_uuid")}
    IF EXISTS (SELECT 1 FROM ${against} o WHERE o.org_id = NEW.org_id AND (${sameResource})
        AND o.start_ms < NEW.end_ms AND o.end_ms > NEW.start_ms AND (${where})) THEN
      RAISE EXCEPTION '${table} row overlaps a row of ${against}' USING ERRCODE = 'exclusion_violation', CONSTRAINT = '${name}';
    END IF;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER ${name} BEFORE INSERT OR UPDATE ON ${table} FOR EACH ROW EXECUTE FUNCTION ${name}();`;
}

const DDL: DdlDialect = {
  types: {
    key: 'TEXT COLLATE "C"',
    text: "TEXT",
    integer: "INTEGER",
    instant: "BIGINT",
    // json, not jsonb: keeps each document's text, key order included, as written.
    json: "JSON",
    ordinal: "BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE",
    serial: "BIGINT GENERATED ALWAYS AS IDENTITY",
  },
  serialKey: "",
  exclusion: ({ name, equal, range: [start, end], where }: Exclusion) =>
    `CONSTRAINT ${name} EXCLUDE USING gist (${equal.map((c) => `${c} WITH =`).join(", ")}, ` +
    `int8range(${start}, ${end}) WITH &&)${where === undefined ? "" : ` WHERE (${where})`}`,
  guard: guardDdl,
  prelude: "CREATE EXTENSION IF NOT EXISTS btree_gist;",
};

export interface PostgresOptions {
  /** Connections in the pool; default 10. */
  maxConnections?: number;
  logger?: Logger;
}

/** Connects a pool to `url` and migrates the database; fails with the host (never the password) if it cannot. */
export async function openPostgresStorage(url: string, options: PostgresOptions = {}): Promise<Storage> {
  const where = describeDatabaseUrl(url);
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? 10,
    types: TYPES,
    application_name: "dental-pms-sandbox",
    connectionTimeoutMillis: CHECKOUT_TIMEOUT_MS,
    keepAlive: true,
    lock_timeout: LOCK_TIMEOUT_MS,
    statement_timeout: STATEMENT_TIMEOUT_MS,
    idle_in_transaction_session_timeout: IDLE_IN_TRANSACTION_TIMEOUT_MS,
  });
  // A connection terminated by the server (failover, restart, pg_terminate_backend) emits 'error'; the
  // pool listens only while the connection is idle, and an unheard 'error' would end the process.
  pool.on("connect", (client) => {
    client.on("error", (error: Error & { code?: string }) => {
      options.logger?.warn("postgres.connection_lost", { code: error.code ?? null, database: where });
    });
  });
  pool.on("error", () => {
    // An idle connection broke: already logged by its own listener above; the pool replaces it.
  });
  const dialect = new PostgresDialect(pool, where);
  try {
    if (await dialect.autocommit(migrationsPending(dialect, POSTGRES_MIGRATIONS))) {
      await dialect.transaction({ locks: [MIGRATION_LOCK_KEY], lines: [], retry: false, unbounded: true }, () =>
        migrate(dialect, POSTGRES_MIGRATIONS),
      );
    }
  } catch (error) {
    await pool.end();
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`cannot open the PostgreSQL database at ${where}: ${reason}`, { cause: error });
  }
  return sqlStorage(dialect);
}

/** What a request runs on: a pooled client inside a transaction, or the pool outside one. */
interface Queryable {
  query(query: QueryConfig | QueryArrayConfig): Promise<QueryResult>;
}

/** More distinct texts than this read outside transactions, and the rest run unprepared: a bound, not a working size. */
const MAX_PREPARED_READS = 500;

const placeholder = (n: number) => `$${n}`;

class PostgresDialect implements Dialect {
  readonly ddl = DDL;
  readonly forUpdate = raw(" FOR UPDATE");
  private readonly waitLines: WaitLines;
  /** Statements outside a transaction, each sent once more if the connection broke under it (failover). */
  private readonly pooled: Queryable = {
    query: async (query) => {
      try {
        return await this.pool.query(query);
      } catch (error) {
        if (postgresFault(this.where, error)?.kind !== "unavailable") throw error;
        return this.pool.query(query);
      }
    },
  };
  /**
   * Names of the statements run outside a transaction (the reads), by text: prepared under its name, a
   * statement is parsed and planned once per connection instead of once per request (for the bookings an
   * availability search reads, planning cost more than executing). The core's texts are few: one per place
   * in the code and combination of filters.
   */
  private readonly readNames = new Map<string, string>();

  constructor(
    private readonly pool: pg.Pool,
    /** Host, port and database, for the operator's log: never credentials. */
    readonly where: string,
  ) {
    this.waitLines = new WaitLines({
      maxWaitMs: MAX_QUEUE_WAIT_MS,
      tooLong: () => new StorageError("busy", where, undefined),
      shedsQueue: (error) => postgresFault(where, error)?.kind === "busy",
    });
  }

  anyOf(column: string, values: readonly string[]): Sql {
    return sql`${raw(column)} = ANY(${values}::text[])`;
  }

  jsonArray(column: string, orderBy: string): string {
    return `COALESCE(json_agg(${column} ORDER BY ${orderBy}), '[]'::json)`;
  }

  nextOrdinal(): Sql {
    return raw("DEFAULT");
  }

  insertRows(table: Table, values: readonly (readonly unknown[])[]): Sql[] {
    if (values.length === 0) return [];
    // Whole columns as arrays: one statement per table whatever the number of rows.
    const columns = storedColumns(table);
    const arrays = columns.map((c, i) => sql`${values.map((row) => row[i])}${raw(`::${ARRAY_TYPES[c.kind]}`)}`);
    const names = columns.map((c) => c.name).join(", ");
    const aliases = columns.map((_, i) => `c${i}`).join(", ");
    const selected = columns.map((c, i) => `c${i}${c.kind === "json" ? "::json" : ""}`).join(", ");
    return [
      sql`INSERT INTO ${raw(table.name)} (${raw(names)})
        SELECT ${raw(selected)} FROM unnest(${join(arrays, ", ")}) AS x(${raw(aliases)})`,
    ];
  }

  tableExists(name: string): Sql {
    return sql`SELECT 1 AS found FROM information_schema.tables
      WHERE table_schema = current_schema() AND table_name = ${name}`;
  }

  async autocommit<T>(work: Work<T>): Promise<T> {
    return runAsynchronously(work, (request) => this.execute(this.pooled, request, true));
  }

  async transaction<T>(scope: TransactionScope, work: () => Work<T>): Promise<T> {
    const once = (phase: { committing: boolean }) =>
      this.inTransaction(async (client) => {
        if (scope.unbounded) await client.query(UNBOUNDED);
        if (scope.locks.length > 0) {
          // unnest yields the keys in array order, so the locks are taken in that order.
          await client.query("SELECT pg_advisory_xact_lock(hashtextextended(k, 0)) FROM unnest($1::text[]) AS k", [
            scope.locks,
          ]);
        }
        return runAsynchronously(work(), (request) => this.execute(client, request));
      }, phase);
    const attempts = scope.retry ? MAX_TRANSACTION_ATTEMPTS : 1;
    const withRetries = async () => {
      for (let attempt = 1; ; attempt++) {
        const phase = { committing: false };
        try {
          return await once(phase);
        } catch (error) {
          // A connection lost before COMMIT took nothing with it: run again on a new one (failover).
          const lostBeforeCommit = !phase.committing && postgresFault(this.where, error)?.kind === "unavailable";
          if (attempt >= attempts || !(isRetryable(error) || lostBeforeCommit)) throw error;
        }
      }
    };
    return scope.lines.length > 0 ? this.waitLines.run(scope.lines, withRetries) : withRetries();
  }

  /**
   * BEGIN … COMMIT on one pooled connection; ROLLBACK if `work` throws. `phase.committing` tells the
   * caller whether a failure came after COMMIT was sent, when the outcome is unknown.
   */
  private async inTransaction<T>(work: (client: PoolClient) => Promise<T>, phase: { committing: boolean }): Promise<T> {
    const client = await this.pool.connect();
    let broken = false;
    try {
      await client.query("BEGIN");
      try {
        const result = await work(client);
        phase.committing = true;
        await client.query("COMMIT");
        return result;
      } catch (error) {
        if (!phase.committing) {
          await client.query("ROLLBACK").catch(() => {
            broken = true;
          });
        }
        broken ||= postgresFault(this.where, error)?.kind === "unavailable";
        throw error;
      }
    } catch (error) {
      broken ||= postgresFault(this.where, error)?.kind === "unavailable";
      throw error;
    } finally {
      // A connection that failed is closed rather than handed to the next request.
      client.release(broken);
    }
  }

  private async execute(db: Queryable, request: Request, prepare = false): Promise<unknown> {
    if (request.kind === "script") {
      await db.query({ text: request.text });
      return undefined;
    }
    const text = request.sql.render(placeholder);
    const values = request.sql.values as unknown[];
    const name = prepare ? this.readName(text) : undefined;
    // Tuples as node-postgres' arrays: it takes rows apart as fast as anything PostgreSQL could aggregate them
    // into (json_agg of json_build_array costs the server more than the rows cost the client).
    const result = await db.query(
      request.kind === "tuples" ? { name, text, values, rowMode: "array" } : { name, text, values },
    );
    switch (request.kind) {
      case "tuples":
      case "rows":
        return result.rows;
      case "row":
        return result.rows[0];
      case "run":
        return result.rowCount ?? 0;
    }
  }

  /** The name `text` is prepared under, or undefined past MAX_PREPARED_READS texts. */
  private readName(text: string): string | undefined {
    let name = this.readNames.get(text);
    if (name === undefined && this.readNames.size < MAX_PREPARED_READS) {
      name = `read_${this.readNames.size + 1}`;
      this.readNames.set(text, name);
    }
    return name;
  }

  classify(error: unknown): StorageError | undefined {
    return postgresFault(this.where, error);
  }

  async close(): Promise<void> {
    if (!this.pool.ended) await this.pool.end();
  }
}
