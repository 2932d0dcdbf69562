/**
 * What a booking could cost at best on this machine, built by the bench itself:
 * - the HTTP floor: a trivial node:http server that does, per POST, one durable insert into SQLite, with group
 *   commit (requests arriving in one event-loop turn share one transaction, and each 201 is sent only after
 *   that transaction has committed);
 * - raw inserts: one durable single-row transaction after another, no HTTP.
 * Both with the sandbox's durability: WAL and synchronous=FULL (every commit is fsynced before it returns).
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import Database from "better-sqlite3";
import type { AppointmentCreate } from "../src/contract/index.js";

/** As wide as a booking: the fields of the request plus an id and a timestamp, one index besides the key. */
const SCHEMA = `
  CREATE TABLE IF NOT EXISTS bookings (
    uuid TEXT PRIMARY KEY,
    patient_uuid TEXT NOT NULL,
    appointment_type_uuid TEXT NOT NULL,
    provider_uuid TEXT NOT NULL,
    location_uuid TEXT NOT NULL,
    operatory_uuid TEXT,
    scheduled_start TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX IF NOT EXISTS bookings_by_provider ON bookings (provider_uuid, scheduled_start);`;

type Row = [string, string, string, string, string, string | null, string, number];

function openDurable(file: string): { db: Database.Database; insert: Database.Statement<Row> } {
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = FULL");
  db.exec(SCHEMA);
  return { db, insert: db.prepare<Row>("INSERT INTO bookings VALUES (?, ?, ?, ?, ?, ?, ?, ?)") };
}

function rowOf(body: AppointmentCreate): Row {
  return [
    randomUUID(),
    body.patient_uuid,
    body.appointment_type_uuid,
    body.provider_uuid,
    body.location_uuid,
    body.operatory_uuid ?? null,
    String(body.scheduled_start),
    Date.now(),
  ];
}

export interface HttpFloor {
  url: string;
  /** Rows inserted and commits made so far: how much group commit grouped. */
  stats(): { rows: number; commits: number };
  close(): Promise<void>;
}

export async function startHttpFloor(file: string): Promise<HttpFloor> {
  const { db, insert } = openDurable(file);
  const commit = db.transaction((rows: Row[]) => {
    for (const row of rows) insert.run(...row);
  });
  let pending: { row: Row; response: ServerResponse }[] = [];
  const stats = { rows: 0, commits: 0 };

  const flush = () => {
    const batch = pending;
    pending = [];
    try {
      commit.immediate(batch.map((p) => p.row));
      stats.rows += batch.length;
      stats.commits++;
    } catch (error) {
      for (const { response } of batch) response.writeHead(500).end(String(error));
      return;
    }
    for (const { row, response } of batch) {
      response
        .writeHead(201, { "content-type": "application/json" })
        .end(JSON.stringify({ uuid: row[0], status: "scheduled" }));
    }
  };

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      let row: Row;
      try {
        row = rowOf(JSON.parse(Buffer.concat(chunks).toString("utf8")) as AppointmentCreate);
      } catch {
        response.writeHead(400).end();
        return;
      }
      // The first request of a turn schedules the commit for the end of the turn; later ones join it.
      if (pending.length === 0) setImmediate(flush);
      pending.push({ row, response });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stats: () => ({ ...stats }),
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      db.close();
    },
  };
}

/** Single-row durable inserts, one transaction (and one fsync) each. */
export function rawInserts(file: string): { insert(bodies: readonly AppointmentCreate[]): void; close(): void } {
  const { db, insert } = openDurable(file);
  const one = db.transaction((row: Row) => insert.run(...row));
  return {
    insert(bodies) {
      for (const body of bodies) one.immediate(rowOf(body));
    },
    close: () => db.close(),
  };
}
