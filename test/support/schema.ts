/**
 * The live schema of a database, read from its catalogue (SQLite: sqlite_master and the table_info,
 * foreign_key_list, index_list and index_info pragmas; PostgreSQL: information_schema and pg_constraint,
 * pg_index), in one shape for both, and the differences between a SQLite and a PostgreSQL schema once
 * their vocabularies are put side by side.
 */
import type Database from "better-sqlite3";
import type pg from "pg";

export interface LiveColumn {
  name: string;
  /** The declared type as the database reports it (PostgreSQL: with its collation and identity). */
  type: string;
  /** NULL refused. */
  required: boolean;
  default: string | null;
}

export interface LiveIndex {
  /** null for an index the database made for a UNIQUE constraint (its name is the database's choice). */
  name: string | null;
  columns: string[];
  unique: boolean;
}

export interface LiveTable {
  columns: LiveColumn[];
  primaryKey: string[];
  /** "(a, b) -> table (c, d)" */
  foreignKeys: string[];
  /** The condition, without spaces or parentheses. */
  checks: string[];
  exclusions: string[];
  /** Besides the primary key's, sorted. */
  indexes: LiveIndex[];
}

export type LiveSchema = Record<string, LiveTable>;

const compact = (condition: string) => condition.replace(/[\s()]/g, "");
const byJson = <T>(items: T[]) =>
  items.sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : JSON.stringify(a) > JSON.stringify(b) ? 1 : 0));

/** The conditions of the CHECK clauses of a CREATE TABLE text (parentheses balanced). */
function checksOf(createTable: string): string[] {
  const checks: string[] = [];
  for (const match of createTable.matchAll(/CHECK\s*\(/gi)) {
    let depth = 1;
    let end = match.index + match[0].length;
    while (depth > 0 && end < createTable.length) {
      if (createTable[end] === "(") depth++;
      if (createTable[end] === ")") depth--;
      end++;
    }
    checks.push(compact(createTable.slice(match.index + match[0].length, end - 1)));
  }
  return checks.sort();
}

export function readSqliteSchema(db: Database.Database): LiveSchema {
  const schema: LiveSchema = {};
  const tables = db
    .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .all() as { name: string; sql: string }[];
  for (const { name, sql } of tables) {
    const info = db.pragma(`table_info(${name})`) as {
      name: string;
      type: string;
      notnull: number;
      dflt_value: string | null;
      pk: number;
    }[];
    const primaryKey = info
      .filter((c) => c.pk > 0)
      .sort((a, b) => a.pk - b.pk)
      .map((c) => c.name);
    // An INTEGER PRIMARY KEY is the rowid: never NULL, though the pragma does not say NOT NULL.
    const rowid = primaryKey.length === 1 ? info.find((c) => c.name === primaryKey[0] && c.type === "INTEGER") : null;
    const foreign = new Map<number, { table: string; from: string[]; to: string[] }>();
    for (const fk of db.pragma(`foreign_key_list(${name})`) as {
      id: number;
      table: string;
      from: string;
      to: string;
    }[]) {
      const entry = foreign.get(fk.id) ?? { table: fk.table, from: [], to: [] };
      entry.from.push(fk.from);
      entry.to.push(fk.to);
      foreign.set(fk.id, entry);
    }
    const indexes = (db.pragma(`index_list(${name})`) as { name: string; unique: number; origin: string }[])
      .filter((index) => index.origin !== "pk")
      .map((index) => ({
        name: index.origin === "u" ? null : index.name,
        columns: (db.pragma(`index_info(${index.name})`) as { seqno: number; name: string }[])
          .sort((a, b) => a.seqno - b.seqno)
          .map((c) => c.name),
        unique: index.unique === 1,
      }));
    schema[name] = {
      columns: info.map((c) => ({
        name: c.name,
        type: c.type,
        required: c.notnull === 1 || c === rowid,
        default: c.dflt_value,
      })),
      primaryKey,
      foreignKeys: [...foreign.values()]
        .map((fk) => `(${fk.from.join(", ")}) -> ${fk.table} (${fk.to.join(", ")})`)
        .sort(),
      checks: checksOf(sql),
      exclusions: [],
      indexes: byJson(indexes),
    };
  }
  return schema;
}

/** The schema of `client`'s current schema (the first of its search_path that exists). */
export async function readPostgresSchema(client: pg.ClientBase): Promise<LiveSchema> {
  const schema: LiveSchema = {};
  const tables = await client.query<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables
     WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`,
  );
  for (const { name } of tables.rows) {
    const columns = await client.query<{
      name: string;
      type: string;
      collation: string | null;
      identity: string | null;
      nullable: string;
      default: string | null;
    }>(
      `SELECT column_name AS name, data_type AS type, collation_name AS collation, identity_generation AS identity,
         is_nullable AS nullable, column_default AS default
       FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1
       ORDER BY ordinal_position`,
      [name],
    );
    const oid = `(SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                  WHERE n.nspname = current_schema() AND c.relname = $1)`;
    const constraints = await client.query<{ name: string; type: string; definition: string; index: number }>(
      `SELECT conname AS name, contype AS type, pg_get_constraintdef(oid) AS definition, conindid::int AS index
       FROM pg_constraint WHERE conrelid = ${oid} ORDER BY conname`,
      [name],
    );
    const of = (type: string) => constraints.rows.filter((c) => c.type === type);
    const constraintIndexes = new Set(constraints.rows.map((c) => c.index));
    const indexes = await client.query<{ oid: number; name: string; unique: boolean; columns: string[] }>(
      `SELECT ix.indexrelid::int AS oid, i.relname AS name, ix.indisunique AS unique,
         ARRAY(SELECT a.attname::text FROM unnest(ix.indkey) WITH ORDINALITY AS k(attnum, ord)
               JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = k.attnum ORDER BY k.ord) AS columns
       FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid
       WHERE ix.indrelid = ${oid} AND NOT ix.indisprimary`,
      [name],
    );
    const uniqueConstraintIndexes = new Set(of("u").map((c) => c.index));
    schema[name] = {
      columns: columns.rows.map((c) => ({
        name: c.name,
        type: [c.type, c.collation ? `COLLATE ${c.collation}` : "", c.identity ? `IDENTITY ${c.identity}` : ""]
          .filter((part) => part !== "")
          .join(" "),
        required: c.nullable === "NO",
        default: c.default,
      })),
      primaryKey: of("p").flatMap((c) => /\((.*)\)/.exec(c.definition)?.[1]?.split(", ") ?? []),
      foreignKeys: of("f")
        .map((c) => {
          const [, from = "", table = "", to = ""] =
            /FOREIGN KEY \((.*)\) REFERENCES (\w+)\((.*)\)/.exec(c.definition) ?? [];
          return `(${from}) -> ${table} (${to})`;
        })
        .sort(),
      checks: of("c")
        .map((c) => compact(c.definition.replace(/^CHECK/, "")))
        .sort(),
      exclusions: of("x").map((c) => c.name),
      indexes: byJson(
        indexes.rows
          // The gist index of an exclusion constraint is the constraint itself, listed above.
          .filter((index) => uniqueConstraintIndexes.has(index.oid) || !constraintIndexes.has(index.oid))
          .map((index) => ({
            name: uniqueConstraintIndexes.has(index.oid) ? null : index.name,
            columns: index.columns,
            unique: index.unique,
          })),
      ),
    };
  }
  return schema;
}

/** Versions recorded in schema_migrations, in order. */
export async function appliedVersions(client: pg.ClientBase): Promise<number[]> {
  const { rows } = await client.query<{ version: number }>("SELECT version FROM schema_migrations ORDER BY version");
  return rows.map((r) => r.version);
}

/** SQLite stores integers and text; PostgreSQL's integer and bigint are integers, and its json is text it checks. */
function storageClass(type: string): string {
  const base = type.toLowerCase().split(" ")[0] ?? "";
  if (["integer", "bigint"].includes(base)) return "integer";
  if (["text", "json"].includes(base)) return "text";
  return `unknown type ${type}`;
}

const describeIndex = (index: LiveIndex) =>
  `${index.unique ? "unique " : ""}index ${index.name ?? "(of a UNIQUE constraint)"} (${index.columns.join(", ")})`;

/**
 * How the SQLite schema and the PostgreSQL schema differ, one line a difference ("only in sqlite" /
 * "only in postgres" / "x in sqlite, y in postgres"): tables, columns (name and order, storage class,
 * NULL refused, default), primary keys, foreign keys, checks, indexes (name, columns, uniqueness) and
 * exclusion constraints.
 */
export function schemaDifferences(sqlite: LiveSchema, postgres: LiveSchema): string[] {
  const differences: string[] = [];
  const sides = (what: string, inSqlite: readonly string[], inPostgres: readonly string[]) => {
    for (const item of inSqlite) if (!inPostgres.includes(item)) differences.push(`${what}${item} only in sqlite`);
    for (const item of inPostgres) if (!inSqlite.includes(item)) differences.push(`${what}${item} only in postgres`);
  };
  sides("table ", Object.keys(sqlite), Object.keys(postgres));
  for (const [name, s] of Object.entries(sqlite)) {
    const p = postgres[name];
    if (!p) continue;
    sides(
      `${name}: column `,
      s.columns.map((c) => c.name),
      p.columns.map((c) => c.name),
    );
    const shared = (t: LiveTable, other: LiveTable) =>
      t.columns.map((c) => c.name).filter((column) => other.columns.some((c) => c.name === column));
    if (shared(s, p).join() !== shared(p, s).join()) differences.push(`${name}: columns in another order`);
    for (const sc of s.columns) {
      const pc = p.columns.find((c) => c.name === sc.name);
      if (!pc) continue;
      const compare = (what: string, a: unknown, b: unknown) => {
        if (a !== b) differences.push(`${name}.${sc.name}: ${what} ${String(a)} in sqlite, ${String(b)} in postgres`);
      };
      compare("storage class", storageClass(sc.type), storageClass(pc.type));
      compare("required", sc.required, pc.required);
      compare("default", sc.default, pc.default);
    }
    if (s.primaryKey.join() !== p.primaryKey.join()) {
      differences.push(
        `${name}: primary key (${s.primaryKey.join(", ")}) in sqlite, (${p.primaryKey.join(", ")}) in postgres`,
      );
    }
    sides(`${name}: foreign key `, s.foreignKeys, p.foreignKeys);
    sides(`${name}: check `, s.checks, p.checks);
    sides(`${name}: `, s.indexes.map(describeIndex), p.indexes.map(describeIndex));
    sides(`${name}: exclusion `, s.exclusions, p.exclusions);
  }
  return differences;
}
