/** The PMS backend started on demand: a failed start is reported, logged and tried again on the next call. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/log.js";
import { deferredPms } from "../../src/mcp/deferred-pms.js";
import { PmsClient } from "../../src/pms/client.js";
import { routes, type RouteName } from "../../src/contract/index.js";
import { ROUTE_NAMES } from "../../src/pms/api.js";
import { PmsError } from "../../src/pms/errors.js";
import { GUIDE_UUIDS } from "../../src/sandbox/demo/index.js";
import { startSandbox } from "../../src/sandbox/index.js";

let sandbox: Awaited<ReturnType<typeof startSandbox>>;
let client: PmsClient;
beforeAll(async () => {
  sandbox = await startSandbox({});
  client = new PmsClient({ baseUrl: sandbox.url, orgId: sandbox.orgId, token: sandbox.token });
});
afterAll(async () => {
  await client.close();
  await sandbox.close();
});

describe("deferredPms", () => {
  it("fails calls as unavailable while the backend cannot start, logs why, and starts on a later call", async () => {
    const logLines: string[] = [];
    const logger = createLogger({ write: (line) => logLines.push(line) });
    let starts = 0;
    const { pms } = deferredPms(async () => {
      starts++;
      if (starts === 1) throw new Error("database not reachable yet");
      return client;
    }, logger);

    const error = await pms.listProviders().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PmsError);
    expect((error as PmsError).kind).toBe("unavailable");
    expect(logLines.join("")).toContain("database not reachable yet");

    const providers = await pms.listProviders();
    expect(providers.items.length).toBeGreaterThan(0);
    await pms.listLocations();
    expect(starts).toBe(2);
  });

  it("keeps a start's lasting cause (no SQLite driver) in every call's failure", async () => {
    const { pms } = deferredPms(
      async () => {
        throw new PmsError("unavailable", {
          call: "orgId",
          transport: "not_started",
          startFailure: "sqlite_driver_missing",
        });
      },
      createLogger({ write: () => {} }),
    );
    const error = await pms.listProviders().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PmsError);
    expect((error as PmsError).facts).toEqual({
      call: "listProviders",
      transport: "not_started",
      startFailure: "sqlite_driver_missing",
    });
  });

  it("offers every route of the contract's table, each waiting for the backend", async () => {
    const { pms } = deferredPms(async () => client, createLogger({ write: () => {} }));
    expect(Object.keys(pms).sort()).toEqual([...ROUTE_NAMES, "orgId"].sort());
    expect(Object.keys(routes).every((name) => typeof pms[name as RouteName] === "function")).toBe(true);
    const jane = await pms.getPatient({ params: { patient_uuid: GUIDE_UUIDS.janeSmith } });
    expect(jane.first_name).toBe("Jane");
  });

  it("starts once for concurrent first calls", async () => {
    let starts = 0;
    const { pms, warmUp } = deferredPms(
      async () => {
        starts++;
        return client;
      },
      createLogger({ write: () => {} }),
    );
    warmUp();
    await Promise.all([pms.listProviders(), pms.listLocations(), pms.listAppointmentTypes()]);
    expect(starts).toBe(1);
  });
});
