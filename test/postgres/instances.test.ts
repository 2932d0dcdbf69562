/**
 * Two sandbox API instances as separate processes (the built bin) on one PostgreSQL schema: they start
 * together, migrate and seed once, share the demo org and the token, and never double-book under a
 * storm of conflicting requests spread over both.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { Availability, Patient } from "../../src/contract/index.js";
import { GUIDE_UUIDS } from "../../src/sandbox/demo/index.js";
import { assertBuilt, cleanEnv, spawnCli, type SpawnedCli } from "../support/mcp-process.js";
import { createTestSchema, withAdminClient, type TestSchema } from "../support/postgres.js";
import { apiCaller, expectProblem, type ApiResponse, type Caller } from "../support/sandbox.js";

const TOKEN = "sk_test_two_instances_shared_token";
const REQUESTS_PER_SLOT = 100;
const SLOTS = 5;

interface Instance {
  cli: SpawnedCli;
  orgId: string;
  call: Caller;
}

let schema: TestSchema;
let instances: Instance[] = [];

/** The value of `NAME=value` in the bin's start-up banner. */
function bannerValue(cli: SpawnedCli, name: string): string | undefined {
  const prefix = `  ${name}=`;
  return cli.stderrLines.find((line) => line.startsWith(prefix))?.slice(prefix.length);
}

async function startInstance(url: string): Promise<Instance> {
  const cli = spawnCli(["sandbox", "--port", "0", "--token", TOKEN], cleanEnv({ DATABASE_URL: url, LOG_LEVEL: "warn" }));
  const exited = new Promise<never>((_, reject) => cli.child.once("exit", (code) => reject(new Error(`instance exited (${code}):\n${cli.stderrLines.join("\n")}`))));
  const ready = vi.waitFor(
    () => {
      const orgId = bannerValue(cli, "PMS_ORG_ID");
      const baseUrl = bannerValue(cli, "PMS_BASE_URL");
      if (orgId === undefined || baseUrl === undefined) throw new Error("not started yet");
      return { orgId, baseUrl };
    },
    { timeout: 60_000, interval: 50 },
  );
  const { orgId, baseUrl } = await Promise.race([ready, exited]);
  return { cli, orgId, call: apiCaller(`${baseUrl}/api/v1/${orgId}`, TOKEN) };
}

beforeAll(async () => {
  assertBuilt();
  schema = await createTestSchema();
  // Both at once, on an empty schema: migrations and the demo seed must each happen once.
  instances = await Promise.all([startInstance(schema.url), startInstance(schema.url)]);
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

/** Overlapping pairs of non-cancelled appointments sharing `column` (provider_uuid or operatory_uuid). */
async function overlappingPairs(column: "provider_uuid" | "operatory_uuid"): Promise<number> {
  return withAdminClient(async (client) => {
    const { rows } = await client.query<{ pairs: string }>(
      `SELECT COUNT(*) AS pairs FROM appointments a JOIN appointments b
         ON a.org_id = b.org_id AND a.${column} = b.${column} AND a.uuid < b.uuid
        AND a.start_ms < b.end_ms AND b.start_ms < a.end_ms
       WHERE a.status <> 'cancelled' AND b.status <> 'cancelled'`,
    );
    return Number(rows[0]?.pairs);
  }, schema.url);
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
    expect(counts).toEqual({ orgs: 1, tokens: 1, migrations: 1 });
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
      const disjoint = slots.every((c) => slot.scheduled_start >= c.scheduled_end || slot.scheduled_end <= c.scheduled_start);
      if (disjoint && slots.length < SLOTS) slots.push(slot);
    }
    expect(slots).toHaveLength(SLOTS);

    const requests = slots.flatMap((slot, s) =>
      Array.from({ length: REQUESTS_PER_SLOT }, (_, i) =>
        instanceFor(i)("POST", "/appointments", {
          body: {
            patient_uuid: GUIDE_UUIDS.janeSmith,
            appointment_type_uuid: GUIDE_UUIDS.newPatientExam,
            location_uuid: GUIDE_UUIDS.mainStreetDental,
            provider_uuid: GUIDE_UUIDS.michaelChen,
            scheduled_start: slot.scheduled_start,
          },
        }).then((response): [number, ApiResponse] => [s, response]),
      ),
    );
    const answered = await Promise.all(requests);
    for (let s = 0; s < SLOTS; s++) {
      const responses = answered.filter(([slot]) => slot === s).map(([, response]) => response);
      expect(responses.filter((r) => r.status === 201), `slot ${s}`).toHaveLength(1);
      for (const response of responses.filter((r) => r.status !== 201)) expectProblem(response, 409, "slot_unavailable");
    }
    expect(await overlappingPairs("provider_uuid")).toBe(0);
    expect(await overlappingPairs("operatory_uuid")).toBe(0);
  });

  it("concurrent duplicate patients over both instances: one 201, every other one 409 naming it", async () => {
    const body = { first_name: "Zélie", last_name: "Twice", date_of_birth: "1991-07-08" };
    const responses = await Promise.all(Array.from({ length: 40 }, (_, i) => instanceFor(i)("POST", "/patients", { body })));
    const created = responses.filter((r) => r.status === 201);
    expect(created).toHaveLength(1);
    const uuid = Patient.parse(created[0]?.body).uuid;
    for (const response of responses.filter((r) => r.status !== 201)) {
      expect(expectProblem(response, 409, "duplicate_patient").existing_uuid).toBe(uuid);
    }
  });
});
