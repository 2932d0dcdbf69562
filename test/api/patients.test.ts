/** Patient search (partial, case- and accent-insensitive, dob, phone) and creation rules. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Patient, PatientPage } from "../../src/contract/index.js";
import { expectProblem, startTinySandbox, type TinySandbox } from "../support/sandbox.js";

let t: TinySandbox;
const created: Record<string, string> = {};

beforeAll(async () => {
  t = await startTinySandbox();
  const people = [
    { first_name: "José", last_name: "García", date_of_birth: "1975-07-04", primary_phone: "(415) 555-0199" },
    { first_name: "Jane", last_name: "Smithers", date_of_birth: "1991-03-03" },
    { first_name: "Ann", last_name: "Smith", date_of_birth: "1960-10-10", primary_phone: "+1 415 555 0111" },
    { first_name: "Al100%", last_name: "Under_score", date_of_birth: "2000-01-01" },
  ];
  for (const person of people) {
    const response = await t.call("POST", "/patients", { body: person });
    expect(response.status).toBe(201);
    created[person.first_name] = Patient.parse(response.body).uuid;
  }
});
afterAll(() => t.sandbox.close());

async function search(query: string) {
  const response = await t.call("GET", `/patients?${query}`);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return PatientPage.parse(response.body);
}

describe("GET /patients", () => {
  it.each([
    ["query=jose", ["José"]],
    ["query=JOSÉ%20garcia", ["José"]],
    ["query=smi", ["Ann", "Jane"]],
    ["query=jane%20smith", ["Jane"]],
    ["query=%25", ["Al100%"]],
    ["query=s_i", []], // "_" is literal: would match "smi" as a wildcard
    ["query=under_", ["Al100%"]],
    ["date_of_birth=1960-10-10", ["Ann"]],
    ["phone=415-555-0199", ["José"]],
    ["phone=%2B14155550111&query=ann", ["Ann"]],
    ["query=smi&date_of_birth=1991-03-03", ["Jane"]],
  ])("%s", async (query, firstNames) => {
    const page = await search(query);
    expect(page.items.map((p) => p.uuid)).toEqual(firstNames.map((n) => created[n]));
    expect(page.total).toBe(firstNames.length);
  });

  it("refuses search text that folds to nothing (only accents) instead of listing every patient", async () => {
    for (const text of ["\u0301", " \u0301\u0308 "]) {
      const response = await t.call("GET", `/patients?query=${encodeURIComponent(text)}`);
      const problem = expectProblem(response, 400, "validation_failed");
      expect(problem.errors?.map((e) => e.field)).toEqual(["query.query"]);
    }
  });

  it("orders by last name, first name and paginates", async () => {
    const first = await search("query=smi&page_size=1");
    expect(first).toMatchObject({ page: 1, page_size: 1, total: 2 });
    expect(first.items[0]?.last_name).toBe("Smith");
    const second = await search("query=smi&page=2&page_size=1");
    expect(second.items[0]?.last_name).toBe("Smithers");
    expect((await search("query=smi&page=3&page_size=1")).items).toEqual([]);
  });
});

describe("POST /patients", () => {
  it("stores the phone in E.164 and can be read back", async () => {
    const patient = Patient.parse((await t.call("GET", `/patients/${created["José"]}`)).body);
    expect(patient).toMatchObject({
      first_name: "José",
      primary_phone: "+14155550199",
      email: null,
      preferred_provider_uuid: null,
    });
  });

  it("refuses a duplicate (same folded names and date of birth) with 409 and the existing uuid", async () => {
    const response = await t.call("POST", "/patients", {
      body: { first_name: " jose ", last_name: "GARCIA", date_of_birth: "1975-07-04" },
    });
    const problem = expectProblem(response, 409, "duplicate_patient");
    expect(problem.existing_uuid).toBe(created["José"]);
  });

  it("accepts the same name with another date of birth, and a preferred provider", async () => {
    const response = await t.call("POST", "/patients", {
      body: {
        first_name: "José",
        last_name: "García",
        date_of_birth: "1999-09-09",
        preferred_provider_uuid: t.tiny.dentistUuid,
        email: "jg@example.com",
      },
    });
    expect(response.status).toBe(201);
    expect(Patient.parse(response.body)).toMatchObject({
      preferred_provider_uuid: t.tiny.dentistUuid,
      email: "jg@example.com",
    });
  });

  it("rejects an invalid email naming the field", async () => {
    const problem = expectProblem(
      await t.call("POST", "/patients", {
        body: { first_name: "A", last_name: "B", date_of_birth: "2000-01-01", email: "nope" },
      }),
      400,
      "validation_failed",
    );
    expect(problem.errors?.[0]?.field).toBe("email");
  });
});

describe("reference endpoints", () => {
  it("lists types (filtered by is_active), providers and locations", async () => {
    const all = await t.call("GET", "/appointment-types");
    const active = await t.call("GET", "/appointment-types?is_active=true");
    const archived = await t.call("GET", "/appointment-types?is_active=false");
    expect([all.body.total, active.body.total, archived.body.total]).toEqual([3, 2, 1]);
    const providers = await t.call("GET", "/providers");
    expect(providers.body.items.map((p: { role: string }) => p.role)).toEqual(["dentist", "hygienist"]);
    const locations = await t.call("GET", "/locations");
    expect(locations.body.items[0]).toMatchObject({ timezone: "America/Los_Angeles", upcoming_closures: [] });
  });
});
