/**
 * SQLite on a disk that fills up or turns read-only, acting on a real file system: a small tmpfs (we run
 * as root; if mounting is refused, the test says so and uses a file-size limit on a child process). Writes
 * are a clear problem, reads go on, nothing is corrupted, and writes succeed again once space returns; the
 * MCP layer says nothing was saved and why. Plus two sandboxes started together on one empty data dir.
 */
import { execFileSync } from "node:child_process";
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/log.js";
import { DEMO_ORG_UUID, GUIDE_UUIDS } from "../../src/sandbox/demo/index.js";
import { SQLITE_MIGRATIONS } from "../../src/sandbox/storage/migrations.js";
import { assertBuilt, cleanEnv, spawnCli, type SpawnedCli } from "../support/mcp-process.js";
import {
  callTool,
  disjointSlots,
  freshPatients,
  printSummary,
  startMcpStack,
  textOf,
  type McpStack,
} from "../support/reliability.js";
import { integrityCheck, readSqliteFile } from "../support/sqlite-file.js";
import { apiCaller, expectProblem, type Caller } from "../support/sandbox.js";

const root = mkdtempSync(join(tmpdir(), "reliability-disk-"));
const figures: Record<string, number | string> = {};
const started: SpawnedCli[] = [];

/** Mounts a tmpfs of `size` on a new directory; undefined, with the reason logged, if the system refuses. */
function mountTmpfs(name: string, size: string): string | undefined {
  const dir = join(root, name);
  mkdirSync(dir);
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", dir], { stdio: "pipe" });
    return dir;
  } catch (error) {
    console.log(
      `[disk-full] mounting a tmpfs was refused (${(error as Error).message.split("\n")[0]}): skipped; the file-size limit test stands in`,
    );
    return undefined;
  }
}

function unmount(dir: string | undefined): void {
  if (dir) execFileSync("umount", ["-l", dir], { stdio: "pipe" });
}

/** Writes a file until the file system is full; returns its path. */
function fillUp(dir: string): string {
  const path = join(dir, "filler");
  const fd = openSync(path, "w");
  const block = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) writeSync(fd, block);
  } catch (error) {
    expect((error as NodeJS.ErrnoException).code).toBe("ENOSPC");
  } finally {
    closeSync(fd);
  }
  return path;
}

function integrity(dataDir: string): Promise<string> {
  return readSqliteFile(dataDir, (db) => integrityCheck(db).join("\n"));
}

afterAll(async () => {
  printSummary("disk-full", figures);
  await Promise.all(started.map((cli) => cli.stop()));
  rmSync(root, { recursive: true, force: true });
});

function bookingBody(slot: { scheduled_start: string; provider_uuid: string; location_uuid: string }, patient: string) {
  return {
    patient_uuid: patient,
    appointment_type_uuid: GUIDE_UUIDS.hygiene,
    provider_uuid: slot.provider_uuid,
    location_uuid: slot.location_uuid,
    scheduled_start: slot.scheduled_start,
  };
}

describe("SQLite on a full disk", () => {
  let mount: string | undefined;
  let stack: McpStack | undefined;
  const logs: string[] = [];
  beforeAll(() => {
    mount = mountTmpfs("full", "24m");
  });
  afterAll(async () => {
    await stack?.close();
    unmount(mount);
  });

  it("writes are 507 storage_full, reads go on, the MCP says nothing was saved; nothing is corrupted; writes work again with space", async () => {
    if (!mount) return; // said why above; the file-size limit below still fills a disk
    const dataDir = join(mount, "data");
    const logger = createLogger({ write: (line) => void logs.push(line) });
    stack = await startMcpStack({ sandbox: { dataDir, logger } });
    const client = await stack.connect("disk-full");
    const slots = await disjointSlots(stack.api, GUIDE_UUIDS.hygiene, 4, { fromDay: 3 });
    const patients = await freshPatients(stack.api, 4);

    const filler = fillUp(mount);
    const refused = await stack.api("POST", "/appointments", { body: bookingBody(slots[0]!, patients[0]!) });
    const problem = expectProblem(refused, 507, "storage_full");
    expect(problem.detail).toContain("nothing was saved");
    expect(JSON.stringify(refused.body)).not.toContain(mount);
    expectProblem(
      await stack.api("POST", "/patients", {
        body: { first_name: "Full", last_name: "Disk", date_of_birth: "1970-01-01" },
      }),
      507,
      "storage_full",
    );
    expect((await stack.api("GET", "/providers")).status).toBe(200);
    expect((await stack.api("GET", `/appointments?patient_uuid=${patients[1]}`)).status).toBe(200);

    const viaMcp = await callTool(client, "book_appointment", bookingBody(slots[1]!, patients[1]!));
    expect(viaMcp.isError).toBe(true);
    const text = textOf(viaMcp);
    expect(text).toMatch(
      /^Nothing was saved: book_appointment did not take effect because the practice system is out of disk space/,
    );
    expect(text).not.toMatch(/unknown whether|may or may not/);
    // The operator's log names the data directory.
    expect(
      logs.some(
        (line) =>
          line.includes('"event":"sandbox.storage_failed"') && line.includes('"kind":"full"') && line.includes(dataDir),
      ),
    ).toBe(true);
    figures.full_disk_answer = `${refused.status} ${problem.code}`;

    rmSync(filler);
    const recovered = await stack.api("POST", "/appointments", { body: bookingBody(slots[2]!, patients[2]!) });
    expect(recovered.status, JSON.stringify(recovered.body)).toBe(201);
    const again = await callTool(client, "book_appointment", bookingBody(slots[1]!, patients[1]!));
    expect(again.isError, textOf(again)).toBeFalsy();
    figures.writes_after_space_returned = "ok";
    figures.integrity_check = await integrity(dataDir);
    expect(figures.integrity_check).toBe("ok");
    // Nothing of the refused writes is there.
    expect((await stack.api("GET", `/appointments?patient_uuid=${patients[0]}`)).body.total).toBe(0);
  });
});

describe("SQLite under a file-size limit (a disk quota)", () => {
  it("writes past the limit are a storage problem, reads go on, nothing is corrupted; without the limit, writes work again", async () => {
    assertBuilt();
    const dataDir = join(root, "quota");
    const token = "sk_test_file_size_limit";
    const args = ["sandbox", "--data-dir", dataDir, "--token", token, "--port", "0"];
    const seeding = spawnCli(args, cleanEnv());
    await seeding.waitForEvent("sandbox.started");
    await seeding.stop(); // a clean stop folds the WAL into the database file
    // The write-ahead log may grow to 64 KB: a few writes, then EFBIG.
    const limited = spawnCli(args, cleanEnv(), { fileSizeLimitKb: 64 });
    started.push(limited);
    const api = apiCaller(
      `${String((await limited.waitForEvent("sandbox.started")).url)}/api/v1/${DEMO_ORG_UUID}`,
      token,
    );
    let refused: Awaited<ReturnType<Caller>> | undefined;
    for (let i = 0; i < 500 && !refused; i++) {
      const response = await api("POST", "/patients", {
        body: { first_name: `Quota${i}`, last_name: "Limit", date_of_birth: "1970-01-01" },
      });
      if (response.status !== 201) refused = response;
    }
    // SQLite reports a write the OS refused as an I/O error (it tells ENOSPC apart, not EFBIG).
    expect(refused?.status).toBe(503);
    expectProblem(refused!, 503, "storage_unavailable");
    expect((await api("GET", "/providers")).status).toBe(200);
    expect(limited.child.exitCode).toBeNull();
    await limited.stop();
    figures.file_size_limit_answer = `${refused!.status} ${refused!.body.code}`;
    figures.file_size_limit_integrity_check = await integrity(dataDir);
    expect(figures.file_size_limit_integrity_check).toBe("ok");

    const unlimited = spawnCli(args, cleanEnv());
    started.push(unlimited);
    const again = apiCaller(
      `${String((await unlimited.waitForEvent("sandbox.started")).url)}/api/v1/${DEMO_ORG_UUID}`,
      token,
    );
    expect(
      (
        await again("POST", "/patients", {
          body: { first_name: "After", last_name: "Quota", date_of_birth: "1970-01-01" },
        })
      ).status,
    ).toBe(201);
  });
});

describe("SQLite on a read-only disk", () => {
  let mount: string | undefined;
  beforeAll(() => {
    mount = mountTmpfs("readonly", "24m");
  });
  afterAll(() => {
    if (mount) execFileSync("mount", ["-o", "remount,rw", mount], { stdio: "pipe" });
    unmount(mount);
  });

  it("writes are 503 storage_read_only, reads go on, nothing is corrupted", async () => {
    if (!mount) {
      console.log("[disk-full] no tmpfs: the read-only case needs one, skipped");
      return;
    }
    assertBuilt();
    const dataDir = join(mount, "data");
    const token = "sk_test_read_only_token";
    // Seed, register the token, and die without a checkpoint: the WAL files stay, so a read-only
    // file system can still be read (a clean close would remove them and leave nothing to open).
    const seeding = spawnCli(["sandbox", "--data-dir", dataDir, "--token", token, "--port", "0"], cleanEnv());
    await seeding.waitForEvent("sandbox.started");
    const killed = new Promise((resolve) => seeding.child.once("exit", resolve));
    seeding.child.kill("SIGKILL");
    await killed;
    execFileSync("mount", ["-o", "remount,ro", mount], { stdio: "pipe" });

    const cli = spawnCli(["sandbox", "--data-dir", dataDir, "--token", token, "--port", "0"], cleanEnv());
    started.push(cli);
    const ready = await cli.waitForEvent("sandbox.started");
    const api: Caller = apiCaller(`${String(ready.url)}/api/v1/${DEMO_ORG_UUID}`, token);
    const refused = await api("POST", "/patients", {
      body: { first_name: "Read", last_name: "Only", date_of_birth: "1970-01-01" },
    });
    const problem = expectProblem(refused, 503, "storage_read_only");
    expect(problem.detail).toContain("nothing was saved");
    expect(refused.headers.get("retry-after")).toBeNull();
    expect(JSON.stringify(refused.body)).not.toContain(mount);
    expect((await api("GET", "/providers")).status).toBe(200);
    expect(cli.stderrLines.some((line) => line.includes('"kind":"read_only"') && line.includes(dataDir))).toBe(true);
    figures.read_only_answer = `${refused.status} ${problem.code}`;
    await cli.stop();
    figures.read_only_integrity_check = await integrity(dataDir);
    expect(figures.read_only_integrity_check).toBe("ok");
  });
});

describe("two sandboxes started together on one empty SQLite data dir", () => {
  it("both start; the database is migrated and seeded once", async () => {
    assertBuilt();
    const dataDir = join(root, "together");
    const token = "sk_test_started_together";
    const both = [0, 1].map(() =>
      spawnCli(["sandbox", "--data-dir", dataDir, "--token", token, "--port", "0"], cleanEnv()),
    );
    started.push(...both);
    const urls = await Promise.all(both.map(async (cli) => String((await cli.waitForEvent("sandbox.started")).url)));
    for (const url of urls)
      expect((await apiCaller(`${url}/api/v1/${DEMO_ORG_UUID}`, token)("GET", "/providers")).status).toBe(200);
    const counts = await readSqliteFile(dataDir, (db) => {
      const count = (table: string) => (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
      return { orgs: count("orgs"), tokens: count("api_tokens"), migrations: count("schema_migrations") };
    });
    expect(counts).toEqual({ orgs: 1, tokens: 1, migrations: SQLITE_MIGRATIONS.length });
    figures.started_together = both.filter((cli) => cli.child.exitCode === null).length;
  });
});
