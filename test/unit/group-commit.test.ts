/**
 * SQLite's group commit (storage/sqlite-dialect.ts): transactions asked for in one turn of the event loop share
 * one COMMIT, yet each behaves as if it had committed alone: it sees the writes of those before it, one that
 * throws leaves nothing behind and fails alone, and none settles before the commit holding its writes.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildDemoPractice } from "../../src/sandbox/demo/index.js";
import { DATABASE_FILE, openSqliteStorage, toPracticeRows } from "../../src/sandbox/index.js";
import { sqliteDriver } from "../../src/sandbox/storage/sqlite-driver.js";
import type { AuditEntry, Storage, Write } from "../../src/sandbox/storage/storage.js";

// Loaded up front, so that reading the file stays synchronous: an await would let the group's commit run first.
const driver = await sqliteDriver();
const dir = mkdtempSync(join(tmpdir(), "group-commit-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const NOW = Date.parse("2026-03-02T15:00:00Z");
const practice = buildDemoPractice(NOW);
const orgId = practice.org.uuid;

const audit = (entity_uuid: string): Write => {
  const entry: AuditEntry = { actor_token_id: "t", action: "test", entity_type: "appointment", entity_uuid, at: NOW };
  return { kind: "audit", entry };
};
const idempotency = (key: string): Write => ({
  kind: "idempotency.put",
  record: { key, request_hash: "h", status: 201, body: { key }, created_at: NOW },
});

/** What another connection to the file reads: only what was committed. */
function committedAudit(): string[] {
  const db = driver.open(join(dir, DATABASE_FILE), { readOnly: true });
  try {
    const rows = db.prepare("SELECT entity_uuid FROM audit_log WHERE action = 'test' ORDER BY id").all();
    return (rows as { entity_uuid: string }[]).map((row) => row.entity_uuid);
  } finally {
    db.close();
  }
}

describe("SQLite group commit", () => {
  it("runs one turn's transactions in order, each seeing those before it, a failing one failing alone", async () => {
    const storage: Storage = await openSqliteStorage(dir);
    try {
      await storage.insertPractice(toPracticeRows(practice));
      const load = { idempotency: { key: "k1", notBefore: 0 } };
      const settled: string[] = [];
      const first = storage.transact(orgId, load, (state) => {
        expect(state.idempotency).toBeNull();
        return { result: "first", writes: [audit("a1"), idempotency("k1")] };
      });
      const second = storage.transact(orgId, load, (state) => {
        expect(state.idempotency?.key).toBe("k1");
        throw new Error("conflict");
      });
      const third = storage.transact(orgId, load, (state) => {
        // The first one's write is visible; the second one's decision wrote nothing.
        expect(state.idempotency?.body).toEqual({ key: "k1" });
        return { result: "third", writes: [audit("a3")] };
      });
      for (const [name, promise] of [
        ["first", first],
        ["second", second],
        ["third", third],
      ] as const) {
        promise.then(
          () => settled.push(name),
          () => settled.push(name),
        );
      }
      // Nothing is settled, nor committed, before the end of the turn.
      await Promise.resolve();
      expect(settled).toEqual([]);
      expect(committedAudit()).toEqual([]);

      await expect(first).resolves.toBe("first");
      await expect(second).rejects.toThrow("conflict");
      await expect(third).resolves.toBe("third");
      expect(committedAudit()).toEqual(["a1", "a3"]);
    } finally {
      await storage.close();
    }
  });

  it("commits on close what was already asked for", async () => {
    const storage = await openSqliteStorage(dir);
    const pending = storage.transact(orgId, {}, () => ({ result: "late", writes: [audit("late")] }));
    await storage.close();
    await expect(pending).resolves.toBe("late");
    expect(committedAudit()).toContain("late");
  });
});
