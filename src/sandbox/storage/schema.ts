/**
 * The database schema, described once: tables, columns, keys, indexes and constraints. Each dialect renders it
 * to its own DDL (`DdlDialect`: column types, how an auto-numbered key is declared, whether an exclusion
 * constraint exists), so both backends create the same tables from the same description; migrations.ts
 * names the objects each later version added, and test/postgres/schema-parity.test.ts compares the two live
 * schemas.
 *
 * Every table carries org_id and every key starts with it: two orgs may even share entity uuids. Reference
 * data (locations, providers, types, shifts) is stored as JSON documents: it is read whole and never queried
 * by its inner fields. Instants are epoch milliseconds.
 */
import { Sql } from "./sql.js";

/**
 * `key`: an identifier or code compared byte by byte (ORDER BY and equality as in SQLite, whatever the
 * PostgreSQL locale); `text`: free text; `integer`; `instant`: epoch milliseconds (64-bit); `json`: a JSON
 * document; `ordinal`: numbered by the database in insertion order; `serial`: an auto-numbered primary key.
 */
export type ColumnKind = "key" | "text" | "integer" | "instant" | "json" | "ordinal" | "serial";

export interface Column {
  name: string;
  kind: ColumnKind;
  nullable?: boolean;
  unique?: boolean;
  /** SQL literal. */
  default?: string;
  /** "table (column)" */
  references?: string;
}

export interface Index {
  name: string;
  columns: readonly string[];
  unique?: boolean;
}

/**
 * No two rows (where `where` holds) that agree on `equal` may have overlapping [start, end) ranges. PostgreSQL
 * enforces it in the database; SQLite has no such constraint, and the services' check inside `transact`
 * (serialised by BEGIN IMMEDIATE) is what enforces it there.
 */
export interface Exclusion {
  name: string;
  equal: readonly string[];
  range: readonly [start: string, end: string];
  /** Only rows where this holds; every row when absent. */
  where?: string;
}

/**
 * A row of `table` (where `when` holds of it, `NEW.` naming its columns) may not overlap a row of `against` that
 * agrees with it on org_id and on any one of `equal` (where `where` holds of that row, `o.` naming its columns):
 * [start_ms, end_ms) ranges.
 * An exclusion constraint cannot span two tables, so PostgreSQL enforces it with a trigger that first takes the
 * advisory locks of the row's provider and location (the keys `transact` takes, sql-storage.ts lockKey), so that
 * its look and the write are atomic against every other writer; SQLite has no such trigger (see Exclusion).
 */
export interface Guard {
  name: string;
  table: string;
  against: string;
  equal: readonly string[];
  when: string;
  where: string;
}

export interface Table {
  name: string;
  columns: readonly Column[];
  primaryKey: readonly string[];
  foreignKeys?: readonly { columns: readonly string[]; references: string }[];
  /** SQL conditions every row satisfies. */
  checks?: readonly string[];
  exclusions?: readonly Exclusion[];
  indexes?: readonly Index[];
  /** Cross-table no-overlap rules, created with this table (after every table they name). */
  guards?: readonly Guard[];
}

const column = (name: string, kind: ColumnKind, options: Omit<Column, "name" | "kind"> = {}): Column => ({
  name,
  kind,
  ...options,
});
const orgId = column("org_id", "key", { references: "orgs (uuid)" });

/** A table of reference documents of one kind, in the order the practice lists them. */
function documents(name: string, identifiedBy: "uuid" | "seq"): Table {
  const columns = [orgId, column("uuid", "key"), column("seq", "integer"), column("doc", "json")];
  return {
    name,
    columns: identifiedBy === "uuid" ? columns : columns.filter((c) => c.name !== "uuid"),
    primaryKey: ["org_id", identifiedBy],
  };
}

/** One non-cancelled appointment at a time per `who` (provider, operatory or patient). */
const oneAtATime = (who: string, name: string): Exclusion => ({
  name,
  equal: ["org_id", who],
  range: ["start_ms", "end_ms"],
  where: "status <> 'cancelled'",
});

/** The migrations' own record: created before anything else, the same way on every version. */
export const SCHEMA_MIGRATIONS: Table = {
  name: "schema_migrations",
  columns: [column("version", "integer"), column("name", "text"), column("applied_at", "instant")],
  primaryKey: ["version"],
};

/** The current schema, in creation order (a table after those it references). */
export const TABLES: readonly Table[] = [
  {
    name: "orgs",
    columns: [
      column("uuid", "key"),
      column("name", "text"),
      column("seq", "ordinal"),
      column("booking_horizon_months", "integer", { default: "18" }),
    ],
    primaryKey: ["uuid"],
  },
  {
    name: "api_tokens",
    columns: [
      column("id", "key"),
      orgId,
      column("token_hash", "key", { unique: true }),
      column("created_at", "instant"),
    ],
    primaryKey: ["id"],
  },
  documents("locations", "uuid"),
  documents("providers", "uuid"),
  documents("appointment_types", "uuid"),
  documents("shifts", "seq"),
  documents("time_off", "uuid"),
  documents("closures", "seq"),
  {
    name: "patients",
    columns: [
      orgId,
      column("uuid", "key"),
      column("first_name", "text"),
      column("last_name", "text"),
      column("first_folded", "key"),
      column("last_folded", "key"),
      column("date_of_birth", "key"),
      column("primary_phone", "key", { nullable: true }),
      column("email", "text", { nullable: true }),
      column("preferred_provider_uuid", "key", { nullable: true }),
    ],
    primaryKey: ["org_id", "uuid"],
    indexes: [
      // One patient per folded name and birth date: the duplicate check of POST /patients, atomic.
      { name: "patients_identity", columns: ["org_id", "last_folded", "first_folded", "date_of_birth"], unique: true },
      { name: "patients_by_dob", columns: ["org_id", "date_of_birth"] },
      { name: "patients_by_phone", columns: ["org_id", "primary_phone"] },
    ],
  },
  {
    name: "appointments",
    columns: [
      orgId,
      column("uuid", "key"),
      column("patient_uuid", "key"),
      column("appointment_type_uuid", "key"),
      column("provider_uuid", "key"),
      column("location_uuid", "key"),
      column("operatory_uuid", "key"),
      column("start_ms", "instant"),
      column("end_ms", "instant"),
      column("local_date", "key"),
      column("status", "key"),
      column("notes", "text", { nullable: true }),
      column("cancellation_reason", "text", { nullable: true }),
      column("created_at", "instant"),
      column("updated_at", "instant"),
    ],
    primaryKey: ["org_id", "uuid"],
    foreignKeys: [{ columns: ["org_id", "patient_uuid"], references: "patients (org_id, uuid)" }],
    checks: ["end_ms > start_ms"],
    exclusions: [
      oneAtATime("provider_uuid", "appointments_no_provider_overlap"),
      oneAtATime("operatory_uuid", "appointments_no_operatory_overlap"),
      oneAtATime("patient_uuid", "appointments_no_patient_overlap"),
    ],
    indexes: [
      { name: "appointments_by_provider", columns: ["org_id", "provider_uuid", "start_ms"] },
      { name: "appointments_by_location", columns: ["org_id", "location_uuid", "start_ms"] },
      { name: "appointments_by_patient", columns: ["org_id", "patient_uuid", "start_ms"] },
      { name: "appointments_by_date", columns: ["org_id", "local_date", "start_ms"] },
    ],
  },
  {
    /**
     * Slot holds. A live hold occupies its provider and operatory like a booking; an expired one occupies
     * nothing, but its row stays until a writer whose window it overlaps deletes it, in the transaction that
     * writes the new claim and under the same locks (so no sweeper, and no race between expiry and a write).
     * Holds never overlap each other (the exclusions) nor a non-cancelled appointment (the guards, both ways):
     * on PostgreSQL the database enforces both, on SQLite the check inside `transact`.
     */
    name: "holds",
    columns: [
      orgId,
      column("uuid", "key"),
      column("appointment_type_uuid", "key"),
      column("provider_uuid", "key"),
      column("location_uuid", "key"),
      column("operatory_uuid", "key"),
      column("patient_uuid", "key", { nullable: true }),
      column("start_ms", "instant"),
      column("end_ms", "instant"),
      column("expires_at", "instant"),
      column("created_at", "instant"),
    ],
    primaryKey: ["org_id", "uuid"],
    checks: ["end_ms > start_ms"],
    exclusions: [
      { name: "holds_no_provider_overlap", equal: ["org_id", "provider_uuid"], range: ["start_ms", "end_ms"] },
      { name: "holds_no_operatory_overlap", equal: ["org_id", "operatory_uuid"], range: ["start_ms", "end_ms"] },
    ],
    indexes: [
      { name: "holds_by_provider", columns: ["org_id", "provider_uuid", "start_ms"] },
      { name: "holds_by_location", columns: ["org_id", "location_uuid", "start_ms"] },
    ],
    guards: [
      {
        name: "holds_clear_of_appointments",
        table: "holds",
        against: "appointments",
        equal: ["provider_uuid", "operatory_uuid"],
        when: "true",
        where: "o.status <> 'cancelled'",
      },
      {
        name: "appointments_clear_of_holds",
        table: "appointments",
        against: "holds",
        equal: ["provider_uuid", "operatory_uuid"],
        when: "NEW.status <> 'cancelled'",
        where: "true",
      },
    ],
  },
  {
    name: "clinical_notes",
    columns: [
      column("org_id", "key"),
      column("uuid", "key"),
      column("appointment_uuid", "key"),
      column("text", "text"),
      column("created_at", "instant"),
    ],
    primaryKey: ["org_id", "uuid"],
    foreignKeys: [{ columns: ["org_id", "appointment_uuid"], references: "appointments (org_id, uuid)" }],
    indexes: [{ name: "clinical_notes_by_appointment", columns: ["org_id", "appointment_uuid", "created_at"] }],
  },
  {
    name: "idempotency_keys",
    columns: [
      orgId,
      column("key", "key"),
      column("request_hash", "text"),
      column("status", "integer"),
      column("body", "json"),
      column("created_at", "instant"),
    ],
    primaryKey: ["org_id", "key"],
    indexes: [{ name: "idempotency_keys_by_age", columns: ["org_id", "created_at"] }],
  },
  {
    name: "audit_log",
    columns: [
      column("id", "serial"),
      orgId,
      column("actor_token_id", "text"),
      column("action", "text"),
      column("entity_type", "text"),
      column("entity_uuid", "text"),
      column("at", "instant"),
    ],
    primaryKey: ["id"],
    indexes: [{ name: "audit_log_by_org", columns: ["org_id", "id"] }],
  },
];

export function table(name: string): Table {
  const found = TABLES.find((t) => t.name === name);
  if (!found) throw new Error(`no table ${name} in the schema`);
  return found;
}

/** The columns an INSERT gives values for, in order: all but those the database numbers itself. */
export function storedColumns(t: Table): readonly Column[] {
  return t.columns.filter((c) => c.kind !== "ordinal" && c.kind !== "serial");
}

/** The statement text of a one-row INSERT into each table, built once. */
const insertTexts = new Map<Table, string[]>();

/** INSERT of one row, `values` in the order of storedColumns(t). */
export function insertRow(t: Table, values: readonly unknown[]): Sql {
  let texts = insertTexts.get(t);
  if (!texts) {
    const columns = storedColumns(t).map((c) => c.name);
    texts = [`INSERT INTO ${t.name} (${columns.join(", ")}) VALUES (`, ...columns.slice(1).map(() => ", "), ")"];
    insertTexts.set(t, texts);
  }
  return new Sql(texts, values);
}

/** What differs in the DDL of one database. */
export interface DdlDialect {
  /** The type (and whatever the database needs with it) of each kind of column. */
  types: Record<ColumnKind, string>;
  /** Follows PRIMARY KEY on a serial column. */
  serialKey: string;
  /** An exclusion as a table constraint, or undefined where the database has none (SQLite). */
  exclusion(exclusion: Exclusion): string | undefined;
  /** A guard as DDL (a function and its trigger), or undefined where the database has none (SQLite). */
  guard(guard: Guard): string | undefined;
  /** Run before the first table is created (extensions the constraints need). */
  prelude: string;
}

function columnDefinition(t: Table, c: Column, ddl: DdlDialect): string {
  const soleKey = t.primaryKey.length === 1 && t.primaryKey[0] === c.name;
  return [
    `${c.name} ${ddl.types[c.kind]}`,
    soleKey ? `PRIMARY KEY${c.kind === "serial" ? ddl.serialKey : ""}` : c.nullable ? "" : "NOT NULL",
    c.unique ? "UNIQUE" : "",
    c.default !== undefined ? `DEFAULT ${c.default}` : "",
    c.references !== undefined ? `REFERENCES ${c.references}` : "",
  ]
    .filter((part) => part !== "")
    .join(" ");
}

export function createIndex(t: Table, index: Index): string {
  return `CREATE ${index.unique ? "UNIQUE " : ""}INDEX ${index.name} ON ${t.name} (${index.columns.join(", ")});`;
}

export function createTable(t: Table, ddl: DdlDialect, options: { ifNotExists?: boolean } = {}): string {
  const definitions = [
    ...t.columns.map((c) => columnDefinition(t, c, ddl)),
    ...(t.primaryKey.length > 1 ? [`PRIMARY KEY (${t.primaryKey.join(", ")})`] : []),
    ...(t.foreignKeys ?? []).map((fk) => `FOREIGN KEY (${fk.columns.join(", ")}) REFERENCES ${fk.references}`),
    ...(t.checks ?? []).map((check) => `CHECK (${check})`),
    ...(t.exclusions ?? []).flatMap((exclusion) => ddl.exclusion(exclusion) ?? []),
  ];
  const name = `${options.ifNotExists ? "IF NOT EXISTS " : ""}${t.name}`;
  const create = `CREATE TABLE ${name} (\n  ${definitions.join(",\n  ")}\n);`;
  return [
    create,
    ...(t.indexes ?? []).map((index) => createIndex(t, index)),
    ...(t.guards ?? []).flatMap((guard) => ddl.guard(guard) ?? []),
  ].join("\n");
}

/** The DDL of the whole current schema, for an empty database. */
export function createSchema(ddl: DdlDialect): string {
  return [ddl.prelude, ...TABLES.map((t) => createTable(t, ddl))].filter((s) => s !== "").join("\n");
}

/** A change a migration makes to an existing database, naming objects of the description above. */
export type Change =
  | { add: "table"; table: string }
  | { add: "column"; table: string; column: string }
  | { add: "index"; table: string; index: string }
  | { add: "exclusion"; table: string; exclusion: string }
  | { drop: "index"; index: string };

function named<T extends { name: string }>(list: readonly T[] | undefined, name: string, what: string): T {
  const found = list?.find((item) => item.name === name);
  if (!found) throw new Error(`no ${what} ${name} in the schema`);
  return found;
}

/** The DDL of `change` (empty where the database has no such object, as SQLite has no exclusions). */
export function renderChange(change: Change, ddl: DdlDialect): string {
  if ("drop" in change) return `DROP INDEX ${change.index};`;
  const t = table(change.table);
  switch (change.add) {
    case "table":
      return createTable(t, ddl);
    case "column":
      return `ALTER TABLE ${t.name} ADD COLUMN ${columnDefinition(t, named(t.columns, change.column, "column"), ddl)};`;
    case "index":
      return createIndex(t, named(t.indexes, change.index, "index"));
    case "exclusion": {
      const constraint = ddl.exclusion(named(t.exclusions, change.exclusion, "exclusion"));
      return constraint === undefined ? "" : `ALTER TABLE ${t.name} ADD ${constraint};`;
    }
  }
}
