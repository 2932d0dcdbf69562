/**
 * Two sandbox API instances as separate processes (the built bin) on one PostgreSQL schema: they start
 * together, migrate and seed once, share the demo org and the token, and never double-book under a
 * storm of conflicting requests spread over both.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Availability, Hold, Patient } from "../../src/contract/index.js";
import { GUIDE_UUIDS } from "../../src/sandbox/demo/index.js";
import { POSTGRES_MIGRATIONS } from "../../src/sandbox/storage/migrations.js";
import { assertBuilt } from "../support/mcp-process.js";
import {
  createTestSchema,
  overlappingPairs,
  spawnSandboxInstance,
  withAdminClient,
  type SandboxInstance,
  type TestSchema,
} from "../support/postgres.js";
import { expectProblem, type ApiResponse, type Caller } from "../support/sandbox.js";

const TOKEN = "sk_test_two_instances_shared_token";
const REQUESTS_PER_SLOT = 100;
const SLOTS = 5;

let schema: TestSchema;
let instances: SandboxInstance[] = [];

beforeAll(async () => {
  assertBuilt();
  schema = await createTestSchema();
  // Both at once, on an empty schema: migrations and the demo seed must each happen once.
  instances = await Promise.all([spawnSandboxInstance(schema.url, TOKEN), spawnSandboxInstance(schema.url, TOKEN)]);
});

afterAll(async () => {
  await Promise.all(instances.map((instance) => instance.cli.stop()));
  await schema?.drop();
});

function instanceFor(i: number): Caller {
  const instance = instances[i % instances.length];
  if (!instance) throw new Error("no instance");
  return instance.call;
}

/**
 * As the PMS client sends a booking: an overloaded instance answers 503 storage_unavailable (a lock or a pool
 * connection not had within its deadline, nothing written), and the request is sent again after a pause. On a
 * loaded machine 500 simultaneous bookings can meet that deadline; the final answers are what is judged.
 */
async function retryingUnavailable(send: () => Promise<ApiResponse>): Promise<ApiResponse> {
  for (let attempt = 1; ; attempt++) {
    const response = await send();
    if (response.status !== 503 || attempt === 5) return response;
    expectProblem(response, 503, "storage_unavailable");
    await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
  }
}

describe("two API instances on one PostgreSQL database", () => {
  it("start together on an empty database and share one org, one token and one migration run", async () => {
    const [a, b] = instances;
    expect(a?.orgId).toBe(b?.orgId);
    const counts = await withAdminClient(async (client) => {
      const count = async (sql: string) => Number((await client.query<{ n: string }>(sql)).rows[0]?.n);
      return {
        orgs: await count("SELECT COUNT(*) AS n FROM orgs"),
        tokens: await count("SELECT COUNT(*) AS n FROM api_tokens"),
        migrations: await count("SELECT COUNT(*) AS n FROM schema_migrations"),
      };
    }, schema.url);
    expect(counts).toEqual({ orgs: 1, tokens: 1, migrations: POSTGRES_MIGRATIONS.length });
    for (const instance of instances) expect((await instance.call("GET", "/providers")).status).toBe(200);
  });

  it(`${REQUESTS_PER_SLOT * SLOTS} concurrent conflicting bookings over both: exactly one 201 per slot, no overlap in the table`, async () => {
    const query = new URLSearchParams({
      appointment_type_uuid: GUIDE_UUIDS.newPatientExam,
      provider_uuid: GUIDE_UUIDS.michaelChen,
      location_uuid: GUIDE_UUIDS.mainStreetDental,
      limit: "200",
    });
    const available = Availability.parse((await instanceFor(0)("GET", `/schedule/availability?${query}`)).body);
    // Mutually disjoint slots (availability offers overlapping starts 15 minutes apart; one location, one zone).
    const slots: typeof available.slots = [];
    for (const slot of available.slots) {
      const disjoint = slots.every(
        (c) => slot.scheduled_start >= c.scheduled_end || slot.scheduled_end <= c.scheduled_start,
      );
      if (disjoint && slots.length < SLOTS) slots.push(slot);
    }
    expect(slots).toHaveLength(SLOTS);

    // The guide's two patients, who have no other appointments: both ask for every slot.
    const patients = [GUIDE_UUIDS.janeSmith, GUIDE_UUIDS.jonathanSmith];
    const requests = slots.flatMap((slot, s) =>
      Array.from({ length: REQUESTS_PER_SLOT }, (_, i) =>
        retryingUnavailable(() =>
          instanceFor(i)("POST", "/appointments", {
            body: {
              patient_uuid: patients[i % patients.length],
              appointment_type_uuid: GUIDE_UUIDS.newPatientExam,
              location_uuid: GUIDE_UUIDS.mainStreetDental,
              provider_uuid: GUIDE_UUIDS.michaelChen,
              scheduled_start: slot.scheduled_start,
            },
          }),
        ).then((response): [number, ApiResponse] => [s, response]),
      ),
    );
    const answered = await Promise.all(requests);
    for (let s = 0; s < SLOTS; s++) {
      const responses = answered.filter(([slot]) => slot === s).map(([, response]) => response);
      expect(
        responses.filter((r) => r.status === 201),
        `slot ${s}`,
      ).toHaveLength(1);
      const winner = responses.find((r) => r.status === 201)!.body.patient.uuid as string;
      for (const response of responses.filter((r) => r.status !== 201)) {
        // The winner's other requests: the patient is booked then; the other patient's: the slot is taken.
        const problem = expectProblem(response, 409, response.body.code);
        expect(problem.code).toBe(problem.conflict?.resource === "patient" ? "patient_busy" : "slot_unavailable");
        expect(problem.conflict?.resource === "patient").toBe(problem.conflict?.resource_uuid === winner);
      }
    }
    expect(await overlappingPairs(schema.url, "provider_uuid")).toBe(0);
    expect(await overlappingPairs(schema.url, "operatory_uuid")).toBe(0);
    expect(await overlappingPairs(schema.url, "patient_uuid")).toBe(0);
  });

  it("200 concurrent holds of one slot over both instances: exactly one 201, 199 409 slot_held; the database refuses an overlap written past the service", async () => {
    const query = new URLSearchParams({
      appointment_type_uuid: GUIDE_UUIDS.newPatientExam,
      provider_uuid: GUIDE_UUIDS.michaelChen,
      location_uuid: GUIDE_UUIDS.mainStreetDental,
      limit: "1",
      spread: "true",
    });
    const [slot] = Availability.parse((await instanceFor(1)("GET", `/schedule/availability?${query}`)).body).slots;
    if (!slot) throw new Error("no free slot to hold");
    const body = {
      appointment_type_uuid: GUIDE_UUIDS.newPatientExam,
      location_uuid: GUIDE_UUIDS.mainStreetDental,
      provider_uuid: GUIDE_UUIDS.michaelChen,
      scheduled_start: slot.scheduled_start,
    };
    const started = performance.now();
    const responses = await Promise.all(
      Array.from({ length: 200 }, (_, i) => instanceFor(i)("POST", "/schedule/holds", { body })),
    );
    const wallMs = Math.round(performance.now() - started);
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    for (const response of responses.filter((r) => r.status !== 201)) expectProblem(response, 409, "slot_held");
    console.log(
      `hold race (PostgreSQL, two instances): 200 holds of one slot -> ${statuses.filter((s) => s === 201).length} x 201, ` +
        `${statuses.filter((s) => s === 409).length} x 409 in ${wallMs} ms`,
    );
    const held = Hold.parse(responses.find((r) => r.status === 201)?.body);
    // Written past the service (no advisory lock of ours held): the guard trigger and the exclusion refuse it.
    await withAdminClient(async (client) => {
      const overlapping = (table: string, columns: string, values: string) =>
        client.query(
          `INSERT INTO ${table} (org_id, uuid, ${columns}) SELECT org_id, gen_random_uuid()::text, ${values}
             FROM holds WHERE uuid = $1`,
          [held.uuid],
        );
      const appointment = overlapping(
        "appointments",
        "patient_uuid, appointment_type_uuid, provider_uuid, location_uuid, operatory_uuid, start_ms, end_ms, " +
          "local_date, status, created_at, updated_at",
        `'${GUIDE_UUIDS.janeSmith}', appointment_type_uuid, provider_uuid, location_uuid, operatory_uuid, start_ms, ` +
          "end_ms, 'x', 'scheduled', 0, 0",
      );
      await expect(appointment).rejects.toMatchObject({ code: "23P01" });
      const hold = overlapping(
        "holds",
        "appointment_type_uuid, provider_uuid, location_uuid, operatory_uuid, start_ms, end_ms, expires_at, created_at",
        "appointment_type_uuid, provider_uuid, location_uuid, operatory_uuid, start_ms + 60000, end_ms, expires_at, 0",
      );
      await expect(hold).rejects.toMatchObject({ code: "23P01" });
    }, schema.url);
  });

  it("concurrent duplicate patients over both instances: one 201, every other one 409 naming it", async () => {
    const body = { first_name: "Zélie", last_name: "Twice", date_of_birth: "1991-07-08" };
    const responses = await Promise.all(
      Array.from({ length: 40 }, (_, i) => instanceFor(i)("POST", "/patients", { body })),
    );
    const created = responses.filter((r) => r.status === 201);
    expect(created).toHaveLength(1);
    const uuid = Patient.parse(created[0]?.body).uuid;
    for (const response of responses.filter((r) => r.status !== 201)) {
      expect(expectProblem(response, 409, "duplicate_patient").existing_uuid).toBe(uuid);
    }
  });
});
