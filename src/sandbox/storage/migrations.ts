/**
 * The schema's history on each database, as numbered migrations recorded in schema_migrations. An empty
 * database gets the current schema (schema.ts) in one go and every version recorded; a database created
 * earlier gets the changes of the versions it lacks, each rendered from the same description, so an
 * upgraded database ends with the schema of a fresh one. Never edit a released migration; append one (and
 * change schema.ts to match: the parity test compares an upgraded database with a fresh one).
 *
 * The two histories are numbered apart because they were: SQLite added the booking horizon as version 2,
 * PostgreSQL added the patient exclusion first. Version 1 of each is the schema both started with; it has
 * no changes because no database that lacks it can exist (it is where every database begins).
 */
import { row, rows, run, script, type Dialect, type Work } from "./dialect.js";
import { SCHEMA_MIGRATIONS, createSchema, createTable, renderChange, type Change } from "./schema.js";
import { raw, sql } from "./sql.js";

export interface Migration {
  version: number;
  name: string;
  changes?: readonly Change[];
}

const BOOKING_HORIZON: Change = { add: "column", table: "orgs", column: "booking_horizon_months" };
/** The holds table with its constraints, indexes and guards (on PostgreSQL; SQLite gets the table and indexes). */
const HOLDS: Change = { add: "table", table: "holds" };

export const SQLITE_MIGRATIONS: readonly Migration[] = [
  { version: 1, name: "initial schema" },
  { version: 2, name: "per-org booking horizon", changes: [BOOKING_HORIZON] },
  {
    version: 3,
    name: "one patient per folded name and birth date",
    // As on PostgreSQL since its version 1. The unique index also serves the name searches the old one did.
    changes: [
      { add: "index", table: "patients", index: "patients_identity" },
      { drop: "index", index: "patients_by_name" },
    ],
  },
  { version: 4, name: "slot holds", changes: [HOLDS] },
];

export const POSTGRES_MIGRATIONS: readonly Migration[] = [
  { version: 1, name: "initial schema" },
  {
    version: 2,
    name: "a patient is in one appointment at a time",
    changes: [{ add: "exclusion", table: "appointments", exclusion: "appointments_no_patient_overlap" }],
  },
  { version: 3, name: "per-org booking horizon", changes: [BOOKING_HORIZON] },
  { version: 4, name: "slot holds", changes: [HOLDS] },
];

type MigrationDialect = Pick<Dialect, "ddl" | "tableExists">;

function* appliedVersions(): Work<Set<number>> {
  const applied = yield* rows<{ version: number }>(sql`SELECT version FROM schema_migrations`);
  return new Set(applied.map((m) => m.version));
}

/** Whether the database lacks a migration: a read, so that a database opened read-only is left alone. */
export function* migrationsPending(dialect: MigrationDialect, history: readonly Migration[]): Work<boolean> {
  if ((yield* row(dialect.tableExists(SCHEMA_MIGRATIONS.name))) === undefined) return true;
  const applied = yield* appliedVersions();
  return history.some((m) => !applied.has(m.version));
}

/**
 * Applies what the database lacks, in one write transaction the caller holds (under a lock that makes
 * instances starting together migrate one after the other); looks again first, since another instance may
 * have migrated between `migrationsPending` and the lock. A migration that cannot apply (data that breaks a
 * new constraint, which a person must resolve) fails naming its version; nothing of the run is kept.
 */
export function* migrate(dialect: MigrationDialect, history: readonly Migration[]): Work<void> {
  yield* script(createTable(SCHEMA_MIGRATIONS, dialect.ddl, { ifNotExists: true }));
  const applied = yield* appliedVersions();
  const fresh = applied.size === 0;
  if (fresh) yield* script(createSchema(dialect.ddl));
  for (const migration of history) {
    if (applied.has(migration.version)) continue;
    if (!fresh) {
      if (migration.changes === undefined) {
        throw new Error(`schema_migrations lacks version ${migration.version}: not a database this program created`);
      }
      try {
        yield* script(migration.changes.map((change) => renderChange(change, dialect.ddl)).join("\n"));
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new Error(`migration ${migration.version} (${migration.name}) cannot apply: ${reason}`, { cause: error });
      }
    }
    yield* run(
      sql`INSERT INTO ${raw(SCHEMA_MIGRATIONS.name)} (version, name, applied_at)
          VALUES (${migration.version}, ${migration.name}, ${Date.now()})`,
    );
  }
}
