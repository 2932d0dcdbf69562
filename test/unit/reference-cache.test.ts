/**
 * The sandbox keeps each org's reference data (locations, providers, types, shifts, time off, closures) for the
 * life of the process (services/context.ts). That is only correct while nothing changes it: no route writes it,
 * and no use case mutates the shared copy (it is frozen).
 */
import { describe, expect, it } from "vitest";
import { routes } from "../../src/contract/routes.js";
import { buildDemoPractice } from "../../src/sandbox/demo/index.js";
import { openSqliteStorage, toPracticeRows } from "../../src/sandbox/index.js";
import { loadReference } from "../../src/sandbox/services/context.js";
import { ApiError } from "../../src/sandbox/services/errors.js";

const REFERENCE_PATHS = ["/appointment-types", "/providers", "/locations"];

describe("reference data cached per process", () => {
  it("has no route that writes it", () => {
    const reading = Object.values(routes).filter((route) => REFERENCE_PATHS.some((p) => route.path.startsWith(p)));
    expect(reading.map((route) => route.path).sort()).toEqual([...REFERENCE_PATHS].sort());
    expect(reading.every((route) => route.method === "GET")).toBe(true);
  });

  it("is loaded once per storage and org, frozen, and a missing org is asked for again", async () => {
    const now = Date.parse("2026-03-02T15:00:00Z");
    const practice = buildDemoPractice(now);
    const storage = await openSqliteStorage();
    try {
      const ctx = { storage, now: () => now };
      await expect(loadReference(ctx, practice.org.uuid)).rejects.toBeInstanceOf(ApiError);
      await storage.insertPractice(toPracticeRows(practice));
      const first = await loadReference(ctx, practice.org.uuid);
      expect(await loadReference(ctx, practice.org.uuid)).toBe(first);
      expect(first.locations.map((l) => l.uuid)).toEqual(practice.locations.map((l) => l.uuid));
      const location = first.locations[0]!;
      expect(() => {
        (location as { name: string }).name = "changed";
      }).toThrow(TypeError);
      expect(() => first.shifts.push(first.shifts[0]!)).toThrow(TypeError);

      const other = await openSqliteStorage();
      try {
        await other.insertPractice(toPracticeRows(practice));
        expect(await loadReference({ storage: other, now: () => now }, practice.org.uuid)).not.toBe(first);
      } finally {
        await other.close();
      }
    } finally {
      await storage.close();
    }
  });
});
