/**
 * check_availability as a voice receptionist uses it, through the SDK Client, the real PMS client and the
 * sandbox: a compact text from which every slot can be read back, a clamped limit, and the searches
 * callers ask for (spread, around, time of day, party sets) checked against the plain reading of the rules
 * over every bookable slot of the same days (the API's complete chronological answer for them).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { providerName, type Slot } from "../../src/contract/index.js";
import { GUIDE_UUIDS } from "../../src/sandbox/demo/guide.js";
import { addDays, localToMillis, todayAt } from "../../src/mcp/time.js";
import { callOk, defined, startMcpHarness, type McpHarness } from "../support/mcp.js";
import { apiCaller } from "../support/sandbox.js";
import { referenceSelection, type Candidate } from "../support/slot-selection-reference.js";

let h: McpHarness;
beforeAll(async () => {
  h = await startMcpHarness();
  // Tomorrow in the easternmost office is tomorrow or later in every office: whole days, whatever the hour.
  TOMORROW = addDays(todayAt("America/New_York", Date.now()), 1);
  const call = apiCaller(h.sandbox.baseUrl, h.sandbox.token);
  const hasSets = async (date: string, query: string) =>
    (await call("GET", `/schedule/availability?start_date=${date}&end_date=${date}&limit=1&${query}`)).body.sets
      ?.length > 0;
  let found: string | undefined;
  for (let offset = 0; offset < 7 && found === undefined; offset++) {
    const date = addDays(TOMORROW, offset);
    const threeCleanings = await hasSets(date, `appointment_type_uuid=${GUIDE_UUIDS.hygiene}&party_size=3`);
    const twoMornings = await hasSets(
      date,
      `appointment_type_uuid=${GUIDE_UUIDS.hygiene}&party_size=2&time_of_day=morning`,
    );
    if (threeCleanings && twoMornings) found = date;
  }
  DAY = defined(found, "a day of the week from tomorrow with sets of 3 cleanings and morning sets of 2");
});
afterAll(async () => h?.close());

/** As bench/mcp.ts counts them. */
const tokens = (text: string) => Math.round(Buffer.byteLength(text, "utf8") / 4);
const TYPES = [GUIDE_UUIDS.newPatientExam, GUIDE_UUIDS.hygiene, GUIDE_UUIDS.emergency];
let TOMORROW: string;
/**
 * The first day of the week from tomorrow with sets of 3 cleanings and morning sets of 2 (not today: it is
 * partly over, by how much depending on the hour the tests run).
 */
let DAY: string;

type Answer = Awaited<ReturnType<typeof callOk<"staff", "check_availability">>>;

/** What the text says of each slot: location uuid, the scheduled_start it spells, the provider's name. */
function slotsInText(text: string): string[] {
  const found: string[] = [];
  let location = "";
  // The year, when the header's rule for scheduled_start names it once for every day.
  const year = /scheduled_start = (\d{4})-MM-DDTHH:MM/.exec(text)?.[1];
  for (const line of text.split("\n")) {
    const header = / ([0-9a-f-]{36}):$/.exec(line);
    const row = /^\w{3} ((?:\d{4}-)?\d{2}-\d{2}): (.+)$/.exec(line);
    if (header && !row) location = header[1]!;
    if (!row) continue;
    const date = year === undefined ? row[1]! : `${year}-${row[1]}`;
    for (const group of row[2]!.split("; ")) {
      const [, name, times] = /^(.+?)(?: [0-9a-f-]{36})?: ((?:\d{2}:\d{2}(?:, )?)+)$/.exec(group)!;
      for (const time of times!.split(", ")) found.push(`${location}|${date}T${time}|${name}`);
    }
  }
  return found.sort();
}

const spelt = (s: Answer["structured"]["slots"][number]) =>
  `${s.location.uuid}|${s.scheduled_start.slice(0, 16)}|${providerName(s.provider)}`;

describe("the compact text", () => {
  // Over a whole week from tomorrow: spread answers reach every office and most providers, the worst case.
  it.each([{}, { spread: true }, { around: "09:00" }, { time_of_day: "afternoon" }])(
    "10 slots in at most 250 tokens, each recoverable from the text (%o)",
    async (search) => {
      for (const type of TYPES) {
        const { structured, text } = await callOk(h.client, "check_availability", {
          appointment_type_uuid: type,
          start_date: TOMORROW,
          end_date: addDays(TOMORROW, 6),
          limit: 10,
          ...search,
        });
        expect(structured.slots.length).toBe(10);
        expect(tokens(text), text).toBeLessThanOrEqual(250);
        expect(slotsInText(text)).toEqual(structured.slots.map(spelt).sort());
        for (const slot of structured.slots) {
          expect(text.split(`${providerName(slot.provider)} ${slot.provider.uuid}`)).toHaveLength(2);
          expect(text).toContain(`${slot.location.name} (${slot.timezone}) ${slot.location.uuid}:`);
        }
        // The timezone and the office are named once each.
        for (const zone of new Set(structured.slots.map((s) => s.timezone))) {
          expect(text.split(`(${zone})`).length - 1).toBe(
            new Set(structured.slots.filter((s) => s.timezone === zone).map((s) => s.location.uuid)).size,
          );
        }
      }
    },
  );

  it("the worst case is exercised: a week's spread answer across every office and 5 or more providers", async () => {
    // The widest answer of the visit types (which providers are free depends on the day the suite runs).
    const answers = await Promise.all(
      [GUIDE_UUIDS.hygiene, GUIDE_UUIDS.newPatientExam, GUIDE_UUIDS.emergency].map((appointment_type_uuid) =>
        callOk(h.client, "check_availability", {
          appointment_type_uuid,
          start_date: TOMORROW,
          end_date: addDays(TOMORROW, 6),
          spread: true,
          limit: 10,
        }),
      ),
    );
    const providersOf = (answer: (typeof answers)[number]) =>
      new Set(answer.structured.slots.map((s) => s.provider.uuid)).size;
    const widest = answers.reduce((a, b) => (providersOf(b) > providersOf(a) ? b : a));
    expect(widest.structured.slots.length).toBe(10);
    expect(new Set(widest.structured.slots.map((s) => s.location.uuid)).size).toBe(3);
    expect(providersOf(widest)).toBeGreaterThanOrEqual(5);
    for (const { text } of answers) expect(tokens(text), text).toBeLessThanOrEqual(250);
  });

  it("clamps a limit above 30 and says so, instead of refusing it", async () => {
    const { structured, text } = await callOk(h.client, "check_availability", {
      appointment_type_uuid: GUIDE_UUIDS.hygiene,
      limit: 50,
    });
    expect(structured.slots.length).toBe(30);
    expect(structured.limit_clamped_from).toBe(50);
    expect(text).toContain("(limit 50 is above 30: at most 30 given)");
    const normal = await callOk(h.client, "check_availability", { appointment_type_uuid: GUIDE_UUIDS.hygiene });
    expect(normal.structured.limit_clamped_from).toBeNull();
    expect(normal.text).not.toContain("is above");
  });
});

/** Every bookable slot of the days, in the engine's order, as the API answers a plain search for them. */
async function everySlot(type: string, start_date: string, end_date: string): Promise<(Candidate & { slot: Slot })[]> {
  const call = apiCaller(h.sandbox.baseUrl, h.sandbox.token);
  const response = await call(
    "GET",
    `/schedule/availability?appointment_type_uuid=${type}&start_date=${start_date}&end_date=${end_date}&limit=500`,
  );
  expect(response.status).toBe(200);
  expect(response.body.has_more, "the days hold fewer than 500 slots, so this is all of them").toBe(false);
  return (response.body.slots as Slot[]).map((slot) => {
    const start = localToMillis(slot.scheduled_start, slot.timezone);
    return {
      slot,
      start,
      end: localToMillis(slot.scheduled_end, slot.timezone),
      provider_uuid: slot.provider.uuid,
      location_uuid: slot.location.uuid,
      date: slot.scheduled_start.slice(0, 10),
      minute: Number(slot.scheduled_start.slice(11, 13)) * 60 + Number(slot.scheduled_start.slice(14, 16)),
    };
  });
}

describe("the searches callers ask for, against every slot of the same days", () => {
  const searches = [
    { spread: true },
    { around: "09:00" },
    { around: "14:10", spread: true },
    { time_of_day: "afternoon", spread: true },
    { party_size: 3 },
    { party_size: 2, time_of_day: "morning", around: "10:00" },
  ];
  it.each(searches)("%o", async (search) => {
    let answered = 0;
    for (const type of [GUIDE_UUIDS.hygiene, GUIDE_UUIDS.newPatientExam]) {
      const days = { start_date: DAY, end_date: addDays(DAY, "spread" in search ? 2 : 0) };
      const limit = search.party_size ? 4 : 10;
      const { structured } = await callOk(h.client, "check_availability", {
        appointment_type_uuid: type,
        ...days,
        ...search,
        limit,
      });
      const all = await everySlot(type, days.start_date, days.end_date);
      const around =
        search.around === undefined
          ? undefined
          : Number(search.around.slice(0, 2)) * 60 + Number(search.around.slice(3));
      const expected = referenceSelection(all, { ...search, spread: search.spread ?? false, around, limit } as never);
      const party = search.party_size !== undefined;
      const leads = structured.slots.filter((s, i) => !party || structured.slots[i - 1]?.set !== s.set);
      const keys = leads.map(
        (s) => `${s.location.uuid}|${localToMillis(s.scheduled_start, s.timezone)}|${party ? "" : s.provider.uuid}`,
      );
      expect(keys).toEqual(expected.keys);
      expect(structured.has_more).toBe(expected.more);
      answered += keys.length;
    }
    expect(answered, "the search found something for at least one type").toBeGreaterThan(0);
  });

  it("a party's set is bookable as returned: each member booked for another person", async () => {
    const { structured, text } = await callOk(h.client, "check_availability", {
      appointment_type_uuid: GUIDE_UUIDS.hygiene,
      start_date: DAY,
      end_date: DAY,
      party_size: 3,
      limit: 2,
    });
    const set = structured.slots.filter((s) => s.set === 1);
    expect(set).toHaveLength(3);
    expect(text).toMatch(/^Sets of 3 back-to-back Hygiene \/ Cleaning slots/);
    expect(text).toMatch(/\nSet 1, \w{3} (\d{4}-)?\d{2}-\d{2}: \d{2}:\d{2} /);
    for (const [i, member] of set.entries()) {
      const patient = await callOk(h.client, "create_patient", {
        first_name: "Party",
        last_name: `Member${i}${Date.now()}`,
        date_of_birth: "1990-01-01",
      });
      const booked = await callOk(h.client, "book_appointment", {
        patient_uuid: defined(patient.structured.patient?.uuid, "the new patient's uuid"),
        appointment_type_uuid: GUIDE_UUIDS.hygiene,
        provider_uuid: member.provider.uuid,
        location_uuid: member.location.uuid,
        scheduled_start: member.scheduled_start,
      });
      expect(booked.structured.scheduled_start).toBe(member.scheduled_start);
      if (i > 0) expect(member.scheduled_start).toBe(set[i - 1]!.scheduled_end);
    }
  });
});
