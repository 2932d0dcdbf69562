/**
 * The sandbox bin on a data directory, SIGKILLed in the middle of a burst of bookings and restarted
 * on the same directory, twice: every booking that got a 201 is there unchanged, nothing is half
 * written, the idempotency record of each acknowledged booking replays, and a booking whose answer
 * was cut off by the kill ends as exactly one appointment when retried with its key.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Appointment } from "../../src/contract/index.js";
import { DEMO_ORG_UUID, GUIDE_UUIDS } from "../../src/sandbox/demo/index.js";
import { assertBuilt, cleanEnv, spawnCli, type SpawnedCli } from "../support/mcp-process.js";
import {
  allAppointments,
  bookingsAt,
  disjointSlots,
  inParallel,
  freshPatients,
  printSummary,
  type FreeSlot,
} from "../support/reliability.js";
import { integrityCheck, readSqliteFile } from "../support/sqlite-file.js";
import { apiCaller, type Caller } from "../support/sandbox.js";

const TOKEN = "sk_durability_test_token";
const ROUNDS = 2;
const BURST = 60;
/** Kill once this many bookings of the round were acknowledged: well inside the burst. */
const KILL_AFTER = 20;
const WIDTH = 8;

const dataDir = mkdtempSync(join(tmpdir(), "reliability-durability-"));
let running: { cli: SpawnedCli; call: Caller } | undefined;
const figures = {
  rounds: 0,
  bookings_sent: 0,
  acknowledged: 0,
  found_after_restart: 0,
  cut_off_by_kill: 0,
  cut_off_committed_before_kill: 0,
  cut_off_found_once_after_retry: 0,
  replays_ok: 0,
};

async function startBin(): Promise<{ cli: SpawnedCli; call: Caller }> {
  const cli = spawnCli(["sandbox", "--data-dir", dataDir, "--token", TOKEN, "--port", "0"], cleanEnv());
  const started = await cli.waitForEvent("sandbox.started");
  return { cli, call: apiCaller(`${String(started.url)}/api/v1/${DEMO_ORG_UUID}`, TOKEN) };
}

async function kill(cli: SpawnedCli): Promise<void> {
  const exited = new Promise((resolve) => cli.child.once("exit", resolve));
  cli.child.kill("SIGKILL");
  await exited;
}

beforeAll(async () => {
  assertBuilt();
  running = await startBin();
});
afterAll(async () => {
  printSummary("durability", figures);
  await running?.cli.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

interface Sent {
  slot: FreeSlot;
  key: string;
  body: Record<string, unknown>;
  /** The 201 body, when one arrived before the kill. */
  acknowledged?: unknown;
  /** The request was sent but its answer never came (the process died). */
  cutOff: boolean;
}

describe("SIGKILL mid-burst and restart on the same data directory", () => {
  it(`loses no acknowledged booking and leaves nothing half written, over ${ROUNDS} kills`, async () => {
    const patients = await freshPatients(running!.call, BURST);
    for (let round = 0; round < ROUNDS; round++) {
      const { cli, call } = running!;
      const slots = await disjointSlots(call, GUIDE_UUIDS.hygiene, BURST, { fromDay: 2 + round * 10, days: 9 });
      const before = (await allAppointments(call)).length;

      let acknowledged = 0;
      let killing: Promise<void> | undefined;
      const sent = await inParallel(
        WIDTH,
        slots.map((slot, i) => async (): Promise<Sent | undefined> => {
          if (killing) return undefined;
          const key = `durability-${round}-${i}`;
          const body = {
            patient_uuid: patients[i],
            appointment_type_uuid: GUIDE_UUIDS.hygiene,
            provider_uuid: slot.provider_uuid,
            location_uuid: slot.location_uuid,
            scheduled_start: slot.scheduled_start,
          };
          let response;
          try {
            response = await call("POST", "/appointments", { body, headers: { "Idempotency-Key": key } });
          } catch (error) {
            // Only the kill may interrupt a request.
            expect(killing, String(error)).toBeDefined();
            return { slot, key, body, cutOff: true };
          }
          expect(response.status, JSON.stringify(response.body)).toBe(201);
          if (++acknowledged === KILL_AFTER) killing = kill(cli);
          return { slot, key, body, acknowledged: response.body, cutOff: false };
        }),
      );
      await killing;
      expect(killing, "the burst was interrupted").toBeDefined();
      const attempted = sent.filter((s): s is Sent => s !== undefined);
      const acked = attempted.filter((s) => s.acknowledged !== undefined);
      const cutOff = attempted.filter((s) => s.cutOff);
      expect(acked.length).toBeGreaterThanOrEqual(KILL_AFTER);
      expect(attempted.length).toBeLessThan(BURST);

      running = await startBin();
      const after = running.call;
      // The sandbox's own listing: every row reads back and validates against the contract.
      const listed = await allAppointments(after);
      expect(listed.length).toBeGreaterThanOrEqual(before + acked.length);
      expect(listed.length).toBeLessThanOrEqual(before + attempted.length);

      for (const booking of acked) {
        const stored = await after("GET", `/appointments/${(booking.acknowledged as { uuid: string }).uuid}`);
        expect(stored.status).toBe(200);
        expect(stored.body).toEqual(booking.acknowledged);
        figures.found_after_restart++;
        const replay = await after("POST", "/appointments", {
          body: booking.body,
          headers: { "Idempotency-Key": booking.key },
        });
        expect(replay.status).toBe(201);
        expect(replay.headers.get("idempotent-replayed")).toBe("true");
        expect(replay.body).toEqual(booking.acknowledged);
        figures.replays_ok++;
      }
      // A booking the kill cut off may or may not have been committed; retried with its key, it exists once.
      for (const booking of cutOff) {
        const retry = await after("POST", "/appointments", {
          body: booking.body,
          headers: { "Idempotency-Key": booking.key },
        });
        expect(retry.status, JSON.stringify(retry.body)).toBe(201);
        Appointment.parse(retry.body);
        if (retry.headers.get("idempotent-replayed") === "true") figures.cut_off_committed_before_kill++;
        const atSlot = await bookingsAt(after, booking.slot);
        expect(atSlot.map((a) => a.uuid)).toEqual([retry.body.uuid]);
        figures.cut_off_found_once_after_retry++;
      }

      figures.rounds++;
      figures.bookings_sent += attempted.length;
      figures.acknowledged += acked.length;
      figures.cut_off_by_kill += cutOff.length;
    }
  });

  it("the database file passes SQLite's integrity check", async () => {
    await running!.cli.stop();
    running = undefined;
    await readSqliteFile(dataDir, (db) => {
      expect(integrityCheck(db)).toEqual(["ok"]);
      expect(db.prepare("PRAGMA foreign_key_check").all()).toEqual([]);
    });
  });
});
