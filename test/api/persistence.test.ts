/** A dataDir keeps everything across restarts; tokens are stored as hashes; writes are audited without PHI. */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startSandbox } from "../../src/sandbox/index.js";
import { DATABASE_FILE, openSqliteStorage } from "../../src/sandbox/storage/sqlite-dialect.js";
import { apiCaller, PINNED_NOW, tinyBooking, tinyPractice } from "../support/sandbox.js";

const dataDir = mkdtempSync(join(tmpdir(), "sandbox-persist-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe("persistent dataDir", () => {
  it("a restart on the same directory keeps data and accepts the same token", async () => {
    const tiny = tinyPractice();
    const token = "sk_test_persistent_token_value";
    const first = await startSandbox({ dataDir, token, seed: tiny.data, now: () => PINNED_NOW });
    const call = apiCaller(first.baseUrl, token);
    const patient = await call("POST", "/patients", {
      body: { first_name: "Per", last_name: "Sistent", date_of_birth: "1970-01-01" },
    });
    const appointment = await call("POST", "/appointments", {
      body: tinyBooking(tiny, { patient_uuid: patient.body.uuid }),
      headers: { "Idempotency-Key": "persisted-key" },
    });
    expect(appointment.status).toBe(201);
    await first.close();

    // Seed is ignored on a non-empty database: the same org comes back.
    const second = await startSandbox({ dataDir, token, seed: tinyPractice().data, now: () => PINNED_NOW });
    expect(second.orgId).toBe(tiny.data.org.uuid);
    const again = apiCaller(second.baseUrl, token);
    expect((await again("GET", `/patients/${patient.body.uuid}`)).body).toEqual(patient.body);
    expect((await again("GET", `/appointments/${appointment.body.uuid}`)).body).toEqual(appointment.body);
    // The idempotency record survived too.
    const replay = await again("POST", "/appointments", {
      body: tinyBooking(tiny, { patient_uuid: patient.body.uuid }),
      headers: { "Idempotency-Key": "persisted-key" },
    });
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(replay.body.uuid).toBe(appointment.body.uuid);
    await second.close();

    // Without a token, a fresh one is issued; the earlier one keeps working.
    const third = await startSandbox({ dataDir, now: () => PINNED_NOW });
    expect(third.token).not.toBe(token);
    expect((await apiCaller(third.baseUrl, third.token)("GET", "/providers")).status).toBe(200);
    expect((await apiCaller(third.baseUrl, token)("GET", "/providers")).status).toBe(200);
    await third.close();

    const file = readFileSync(join(dataDir, DATABASE_FILE));
    expect(file.includes(token)).toBe(false);
    expect(file.includes(third.token)).toBe(false);

    const storage = await openSqliteStorage(dataDir);
    const audit = await storage.listAudit(tiny.data.org.uuid);
    await storage.close();
    expect(audit.map((a) => a.action)).toEqual(["patient.create", "appointment.create"]);
    expect(audit.map((a) => a.entity_uuid)).toEqual([patient.body.uuid, appointment.body.uuid]);
    expect(new Set(audit.map((a) => a.actor_token_id)).size).toBe(1);
    // No name or birth date; the uuids (checked above) are left out, since random hex may hold "1970".
    const withoutIds = audit.map(({ entity_uuid: _entity, actor_token_id: _actor, ...rest }) => rest);
    expect(JSON.stringify(withoutIds)).not.toMatch(/Sistent|Per|1970/);
  });
});
