/**
 * Chaos on PostgreSQL, acting on the real database: two API instances (the built bin) on one schema under
 * a burst of bookings and reschedules while the test terminates their sessions (pg_terminate_backend, what a
 * failover or a restart does to them); a provider's advisory lock held by another session; and the MCP
 * server with an embedded PMS on PostgreSQL under the same terminations.
 */
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { Appointment } from "../../src/contract/index.js";
import { GUIDE_UUIDS } from "../../src/sandbox/demo/index.js";
import { lockKey } from "../../src/sandbox/storage/sql-storage.js";
import { assertBuilt, cleanEnv, spawnCli, type SpawnedCli } from "../support/mcp-process.js";
import {
  createTestSchema,
  overlappingPairs,
  spawnSandboxInstance,
  terminateSessions,
  withApplicationName,
  type SandboxInstance,
  type TestSchema,
} from "../support/postgres.js";
import {
  callTool,
  disjointSlots,
  inParallel,
  freshPatients,
  printSummary,
  textOf,
  type FreeSlot,
} from "../support/reliability.js";
import { expectProblem, type ApiResponse, type Caller } from "../support/sandbox.js";

const TOKEN = "sk_test_chaos_postgres_token";
const MCP_TOKEN = "chaos-postgres-mcp-token-0123456789";
/** Our own sessions only: other test files share the server. */
const APP = `chaos_api_${randomBytes(4).toString("hex")}`;
const MCP_APP = `chaos_mcp_${randomBytes(4).toString("hex")}`;
const FAULTS = 5;
const FAULT_SPACING_MS = 250;
const WIDTH = 8;
/** Time between one worker's requests, so that the burst lasts through every fault. */
const PACE_MS = 40;
const RESCHEDULES = 20;
const BOOKINGS = 160;
/** A client's retries of one request after a 503 or a lost connection, as the PMS client does. */
const ATTEMPTS = 6;

let schema: TestSchema;
let instances: SandboxInstance[] = [];
const figures: Record<string, number> = {
  faults_injected: 0,
  sessions_terminated: 0,
  writes_sent: 0,
  writes_acknowledged: 0,
  writes_found: 0,
  answers_503: 0,
  connection_errors: 0,
  processes_exited: 0,
  recovery_ms: 0,
  held_lock_requests: 0,
  held_lock_worst_ms: 0,
  mcp_faults_injected: 0,
  mcp_tool_calls_after_faults_ok: 0,
};

beforeAll(async () => {
  assertBuilt();
  schema = await createTestSchema();
  const url = withApplicationName(schema.url, APP);
  instances = await Promise.all([spawnSandboxInstance(url, TOKEN), spawnSandboxInstance(url, TOKEN)]);
});

afterAll(async () => {
  printSummary("chaos-postgres", figures);
  await Promise.all(instances.map((instance) => instance.cli.stop()));
  await schema?.drop();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const alive = (cli: SpawnedCli) => cli.child.exitCode === null && cli.child.signalCode === null;

/**
 * A request as a careful client sends it: retried after a 503 or a broken connection, on the other
 * instance each time (a load balancer would do the same). The final answer, or null if none came.
 */
async function withRetries(send: (call: Caller) => Promise<ApiResponse>, first: number): Promise<ApiResponse | null> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const instance = instances[(first + attempt) % instances.length]!;
    try {
      const response = await send(instance.call);
      if (response.status !== 503) return response;
      figures.answers_503!++;
      expectProblem(response, 503, "storage_unavailable");
      expect(response.headers.get("retry-after")).toBe("1");
    } catch {
      figures.connection_errors!++;
    }
    await sleep(100 + attempt * 100);
  }
  return null;
}

function bookingBody(slot: FreeSlot, patientUuid: string) {
  return {
    patient_uuid: patientUuid,
    appointment_type_uuid: GUIDE_UUIDS.hygiene,
    location_uuid: slot.location_uuid,
    provider_uuid: slot.provider_uuid,
    scheduled_start: slot.scheduled_start,
  };
}

describe("two API instances while their database sessions are terminated", () => {
  it(`keep running through ${FAULTS} terminations, keep every acknowledged write, double-book nothing, recover within 5 s`, async () => {
    const api = instances[0]!.call;
    const slots = await disjointSlots(api, GUIDE_UUIDS.hygiene, BOOKINGS + 2 * RESCHEDULES + 2, {
      fromDay: 1,
      days: 27,
    });
    const patients = await freshPatients(api, BOOKINGS + RESCHEDULES + 2);
    const takeSlot = () => slots.shift()!;
    const takePatient = () => patients.shift()!;

    // Appointments to move during the chaos, booked before it.
    const toMove: { uuid: string; target: FreeSlot }[] = [];
    for (let i = 0; i < RESCHEDULES; i++) {
      const booked = await api("POST", "/appointments", { body: bookingBody(takeSlot(), takePatient()) });
      expect(booked.status, JSON.stringify(booked.body)).toBe(201);
      toMove.push({ uuid: booked.body.uuid, target: takeSlot() });
    }

    /** What the instances acknowledged: appointment uuid → its scheduled_start as acknowledged. */
    const acknowledged = new Map<string, string>();
    const tasks: (() => Promise<void>)[] = [];
    for (let i = 0; i < BOOKINGS; i++) {
      const body = bookingBody(takeSlot(), takePatient());
      const key = `chaos-${randomBytes(8).toString("hex")}`;
      tasks.push(async () => {
        figures.writes_sent!++;
        const response = await withRetries(
          (call) => call("POST", "/appointments", { body, headers: { "Idempotency-Key": key } }),
          i,
        );
        if (response?.status === 201) acknowledged.set(response.body.uuid, response.body.scheduled_start);
      });
      const move =
        i % Math.floor(BOOKINGS / RESCHEDULES) === 0 ? toMove[i / Math.floor(BOOKINGS / RESCHEDULES)] : undefined;
      if (move) {
        tasks.push(async () => {
          figures.writes_sent!++;
          // Moving to the same new time again is harmless, so a PATCH may be retried like a keyed POST.
          const body = {
            scheduled_start: move.target.scheduled_start,
            provider_uuid: move.target.provider_uuid,
            location_uuid: move.target.location_uuid,
          };
          const response = await withRetries((call) => call("PATCH", `/appointments/${move.uuid}`, { body }), i);
          if (response?.status === 200) acknowledged.set(move.uuid, response.body.scheduled_start);
        });
      }
    }

    /** Both instances answer a read and a booking normally again; ms from `since` until both did. */
    const recovery = async (since: number) => {
      const times = await Promise.all(
        instances.map(async (instance, i) => {
          const slot = takeSlot();
          const patient = takePatient();
          figures.writes_sent!++;
          for (;;) {
            const read = await instance.call("GET", "/providers").catch(() => null);
            const write =
              read?.status === 200
                ? await instance.call("POST", "/appointments", { body: bookingBody(slot, patient) }).catch(() => null)
                : null;
            if (write?.status === 201) {
              acknowledged.set(write.body.uuid, write.body.scheduled_start);
              return performance.now() - since;
            }
            expect(performance.now() - since, `instance ${i} has not recovered`).toBeLessThan(5_000);
            await sleep(20);
          }
        }),
      );
      return Math.max(...times);
    };
    const chaos = async () => {
      for (let fault = 0; fault < FAULTS; fault++) {
        await sleep(FAULT_SPACING_MS);
        figures.sessions_terminated! += await terminateSessions(APP);
        figures.faults_injected!++;
      }
      // Measured from the last fault, while the burst goes on.
      figures.recovery_ms = Math.round(await recovery(performance.now()));
    };
    await Promise.all([
      chaos(),
      inParallel(
        WIDTH,
        tasks.map((task) => async () => {
          await task();
          await sleep(PACE_MS);
        }),
      ),
    ]);
    expect(figures.faults_injected).toBe(FAULTS);
    expect(figures.sessions_terminated, "the faults hit live sessions").toBeGreaterThanOrEqual(FAULTS);
    expect(figures.recovery_ms).toBeLessThan(5_000);

    for (const instance of instances) expect(alive(instance.cli), instance.cli.stderrLines.join("\n")).toBe(true);
    figures.processes_exited = instances.filter((instance) => !alive(instance.cli)).length;

    figures.writes_acknowledged = acknowledged.size;
    expect(acknowledged.size, "most writes got through despite the faults").toBeGreaterThan(BOOKINGS / 2);
    for (const [uuid, start] of acknowledged) {
      const stored = await api("GET", `/appointments/${uuid}`);
      expect(stored.status).toBe(200);
      const appointment = Appointment.parse(stored.body);
      expect({ uuid, start: appointment.scheduled_start, status: appointment.status }).toEqual({
        uuid,
        start,
        status: "scheduled",
      });
      figures.writes_found!++;
    }
    expect(figures.writes_found).toBe(acknowledged.size);
    for (const column of ["provider_uuid", "operatory_uuid", "patient_uuid"] as const) {
      expect(await overlappingPairs(schema.url, column), column).toBe(0);
    }
  });
});

describe("a provider's lock held by another session", () => {
  it("every other request to the instances is answered (503 or success) within 2 s", async () => {
    const api = instances[0]!.call;
    const orgId = instances[0]!.orgId;
    const locked = GUIDE_UUIDS.michaelChen;
    const lockedSlots = await disjointSlots(api, GUIDE_UUIDS.hygiene, 16, {
      fromDay: 20,
      days: 7,
      providerUuid: locked,
    });
    // Another provider at the locked provider's own location: their bookings take that location's lock too.
    const providers = (await api("GET", "/providers")).body.items as { uuid: string; location_uuids: string[] }[];
    const colleague = providers.find(
      (p) => p.uuid !== locked && p.location_uuids.includes(GUIDE_UUIDS.mainStreetDental),
    )!;
    const otherSlots = await disjointSlots(api, GUIDE_UUIDS.hygiene, 6, {
      fromDay: 20,
      days: 7,
      providerUuid: colleague.uuid,
    });
    const patients = await freshPatients(api, lockedSlots.length + otherSlots.length + 1);

    const holder = new pg.Client({ connectionString: schema.url });
    await holder.connect();
    await holder.query("BEGIN");
    await holder.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [lockKey(orgId, "provider", locked)]);
    type Probe = { kind: string; run: (call: Caller) => Promise<ApiResponse> };
    const probes: Probe[] = [
      ...lockedSlots.map((slot, i): Probe => ({
        kind: "locked provider booking",
        run: (call) => call("POST", "/appointments", { body: bookingBody(slot, patients[i]!) }),
      })),
      ...otherSlots.map((slot, i): Probe => ({
        kind: "other provider booking",
        run: (call) => call("POST", "/appointments", { body: bookingBody(slot, patients[lockedSlots.length + i]!) }),
      })),
      ...Array.from({ length: 4 }, (): Probe => ({
        kind: "read",
        run: (call) => call("GET", `/appointments?provider_uuid=${locked}&page_size=5`),
      })),
      ...Array.from({ length: 4 }, (): Probe => ({
        kind: "read",
        run: (call) =>
          call(
            "GET",
            `/schedule/availability?appointment_type_uuid=${GUIDE_UUIDS.hygiene}&provider_uuid=${locked}&limit=3`,
          ),
      })),
      ...Array.from({ length: 4 }, (): Probe => ({
        kind: "auth",
        run: (call) => call("GET", "/providers", { token: "sk_not_a_valid_token" }),
      })),
    ];
    let answers: { kind: string; status: number; ms: number }[];
    try {
      answers = await Promise.all(
        probes.map(async (probe, i) => {
          const started = performance.now();
          const response = await probe.run(instances[i % instances.length]!.call);
          return { kind: probe.kind, status: response.status, ms: performance.now() - started, response };
        }),
      );
    } finally {
      await holder.query("ROLLBACK");
      await holder.end();
    }
    figures.held_lock_requests = answers.length;
    for (const kind of new Set(answers.map((a) => a.kind))) {
      figures[`held_lock_worst_ms_${kind.replaceAll(" ", "_")}`] = Math.round(
        Math.max(...answers.filter((a) => a.kind === kind).map((a) => a.ms)),
      );
    }
    figures.held_lock_worst_ms = Math.round(Math.max(...answers.map((a) => a.ms)));
    expect(figures.held_lock_worst_ms).toBeLessThan(2_000);
    const statuses = (kind: string) => [...new Set(answers.filter((a) => a.kind === kind).map((a) => a.status))];
    expect(statuses("locked provider booking")).toEqual([503]);
    expect(statuses("other provider booking")).toEqual([201]);
    expect(statuses("read")).toEqual([200]);
    expect(statuses("auth")).toEqual([401]);

    // The lock released, the provider books again.
    const after = await api("POST", "/appointments", { body: bookingBody(lockedSlots[0]!, patients.at(-1)!) });
    expect(after.status, JSON.stringify(after.body)).toBe(201);
  });
});

describe("the MCP server with an embedded PMS on PostgreSQL", () => {
  let cli: SpawnedCli | undefined;
  let client: Client | undefined;
  afterAll(async () => {
    await client?.close();
    await cli?.stop();
  });

  it("survives its database sessions being terminated and answers tool calls normally afterwards", async () => {
    cli = spawnCli(
      ["--http", "--port", "0"],
      cleanEnv({ DATABASE_URL: withApplicationName(schema.url, MCP_APP), MCP_HTTP_TOKEN: MCP_TOKEN }),
    );
    const ready = await cli.waitForEvent("mcp_http_ready");
    client = new Client({ name: "chaos-postgres", version: "1.0.0" });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${Number(ready.port)}/mcp`), {
        requestInit: { headers: { Authorization: `Bearer ${MCP_TOKEN}` } },
      }),
    );
    const calls = [
      () => callTool(client!, "search_patients", { query: "Smith" }),
      () => callTool(client!, "check_availability", { appointment_type_uuid: GUIDE_UUIDS.hygiene, limit: 3 }),
      () => callTool(client!, "find_appointments", { patient_uuid: GUIDE_UUIDS.janeSmith }),
    ];
    // The embedded sandbox starts with the first call.
    expect((await calls[0]!()).isError).toBeFalsy();
    for (let fault = 0; fault < 4; fault++) {
      const during = Promise.all(calls.map((call) => call()));
      await sleep(20);
      await terminateSessions(MCP_APP);
      figures.mcp_faults_injected!++;
      // Every answer is a well-formed result (callTool checks), an error at worst.
      await during;
    }
    expect(alive(cli), cli.stderrLines.join("\n")).toBe(true);
    const started = performance.now();
    for (const call of calls) {
      const result = await call();
      expect(result.isError, textOf(result)).toBeFalsy();
      figures.mcp_tool_calls_after_faults_ok!++;
    }
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(cli.stderrLines.some((line) => line.includes("postgres.connection_lost"))).toBe(true);
  });
});
