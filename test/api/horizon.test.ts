/**
 * The booking horizon (per org, default 18 months): availability reaching past it and bookings or moves
 * beyond it are 422 beyond_horizon naming the last bookable date. And no date of any year, 0000 to 9999,
 * makes availability, booking, moving or listing fail with a 500.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Availability, PROBLEM_CONTENT_TYPE, Problem } from "../../src/contract/index.js";
import {
  apiCaller,
  expectProblem,
  startTinySandbox,
  tinyBooking,
  tinyPractice,
  type Caller,
  type TinySandbox,
} from "../support/sandbox.js";

let t: TinySandbox;
beforeAll(async () => {
  t = await startTinySandbox();
});
afterAll(() => t.sandbox.close());

/** Seen from PINNED_NOW (Monday 2026-03-02 in Los Angeles): 18 months later. */
const LAST_BOOKABLE = "2027-09-02";
const availability = (query: string) => `/schedule/availability?appointment_type_uuid=${t.tiny.examTypeUuid}&${query}`;

describe("the booking horizon", () => {
  it("availability: a range reaching past the last bookable date is 422 naming it; a default end stops there", async () => {
    for (const [query, field] of [
      ["start_date=2027-08-30&end_date=2027-09-03", "query.end_date"],
      ["start_date=2027-09-03", "query.start_date"],
      ["start_date=9999-12-25", "query.start_date"],
    ] as const) {
      const problem = expectProblem(await t.call("GET", availability(query)), 422, "beyond_horizon");
      expect(problem.detail).toContain(`last bookable date is ${LAST_BOOKABLE}`);
      expect(problem.errors?.map((e) => e.field)).toEqual([field]);
    }
    const clipped = await t.call("GET", availability("start_date=2027-08-30&limit=500&step_minutes=60"));
    expect(clipped.status, JSON.stringify(clipped.body)).toBe(200);
    const body = Availability.parse(clipped.body);
    expect(body.end_date).toBe(LAST_BOOKABLE);
    expect(body.slots.at(-1)?.scheduled_start.slice(0, 10)).toBe(LAST_BOOKABLE);
  });

  it("booking and moving: up to the last bookable date, never after it", async () => {
    const last = await t.call("POST", "/appointments", {
      body: tinyBooking(t.tiny, { scheduled_start: `${LAST_BOOKABLE}T09:00:00` }),
    });
    expect(last.status, JSON.stringify(last.body)).toBe(201);
    for (const start of ["2027-09-03T09:00:00", "9999-12-31T10:00:00", "9999-12-31T23:59:59-12:00"]) {
      const problem = expectProblem(
        await t.call("POST", "/appointments", { body: tinyBooking(t.tiny, { scheduled_start: start }) }),
        422,
        "beyond_horizon",
      );
      expect(problem.detail).toContain(LAST_BOOKABLE);
      expect(problem.errors?.map((e) => e.field)).toEqual(["scheduled_start"]);
    }
    expectProblem(
      await t.call("PATCH", `/appointments/${last.body.uuid}`, { body: { scheduled_start: "2027-09-03T10:00:00" } }),
      422,
      "beyond_horizon",
    );
  });

  it("is the org's own: two months for a practice that says so", async () => {
    const practice = tinyPractice();
    practice.data.org.booking_horizon_months = 2;
    const org = await t.sandbox.addOrg(practice.data);
    const call = apiCaller(org.baseUrl, org.token);
    const query = `/schedule/availability?appointment_type_uuid=${practice.examTypeUuid}&start_date=2026-05-01&end_date=2026-05-05`;
    const problem = expectProblem(await call("GET", query), 422, "beyond_horizon");
    expect(problem.detail).toContain("up to 2 months ahead: the last bookable date is 2026-05-02");
    const booking = tinyBooking(practice, { scheduled_start: "2026-05-03T09:00:00" });
    expectProblem(await call("POST", "/appointments", { body: booking }), 422, "beyond_horizon");
  });
});

describe("dates of any year", () => {
  /** Any real calendar date from 0000-01-01 to 9999-12-31. */
  const anyDate = fc
    .date({ min: new Date("0000-01-01T00:00:00Z"), max: new Date("9999-12-31T23:59:59Z"), noInvalidDate: true })
    .map((d) => d.toISOString().slice(0, 10));
  const anyTime = fc
    .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
    .map(([h, m]) => `${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}:00`);
  const anySuffix = fc.constantFrom("", "Z", "+14:00", "-12:00");

  /** Never a 500: a success, or a problem of the contract. */
  function expectAnswered(response: Awaited<ReturnType<Caller>>, what: string): void {
    expect(response.status, `${what}: ${JSON.stringify(response.body)}`).toBeLessThan(500);
    if (response.status >= 400) {
      expect(response.headers.get("content-type")).toContain(PROBLEM_CONTENT_TYPE);
      Problem.parse(response.body);
    }
  }

  it("availability, booking, moving and listing answer without a 500", async () => {
    const moved = await t.call("POST", "/appointments", {
      body: tinyBooking(t.tiny, { scheduled_start: "2026-03-10T09:00:00" }),
    });
    expect(moved.status).toBe(201);
    await fc.assert(
      fc.asyncProperty(anyDate, anyDate, anyTime, anySuffix, async (first, second, time, suffix) => {
        const at = `${first}T${time}${suffix}`;
        expectAnswered(
          await t.call("GET", availability(`start_date=${first}&end_date=${second}`)),
          `availability ${first}..${second}`,
        );
        expectAnswered(await t.call("GET", availability(`start_date=${first}`)), `availability from ${first}`);
        expectAnswered(
          await t.call("POST", "/appointments", { body: tinyBooking(t.tiny, { scheduled_start: at }) }),
          `booking at ${at}`,
        );
        const end = `${second}T${time}${suffix}`;
        expectAnswered(
          await t.call("POST", "/appointments", {
            body: tinyBooking(t.tiny, { scheduled_start: at, scheduled_end: end }),
          }),
          `booking ${at}..${end}`,
        );
        expectAnswered(
          await t.call("PATCH", `/appointments/${moved.body.uuid}`, { body: { scheduled_start: at } }),
          `move to ${at}`,
        );
        expectAnswered(
          await t.call("GET", `/appointments?start_date=${first}&end_date=${second}`),
          `listing ${first}..${second}`,
        );
      }),
      { numRuns: 150, seed: 20250520 },
    );
  });
});
