/**
 * Load over Streamable HTTP: 20 MCP clients race 200 bookings for one slot (exactly one wins, every
 * other caller is told it is taken and offered alternatives), then 1,000 mixed tool calls with no
 * failure, and every acknowledged booking is in the sandbox.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { Availability } from "../../src/contract/index.js";
import { GUIDE_UUIDS } from "../../src/sandbox/demo/index.js";
import {
  bookingsAt,
  callTool,
  disjointSlots,
  inParallel,
  freshPatients,
  printSummary,
  startMcpStack,
  textOf,
  type FreeSlot,
  type McpStack,
} from "../support/reliability.js";

const CLIENTS = 20;
const RACERS = 200;
const MIXED_CALLS = 1_000;
const MIXED_BOOKINGS = 100;

let stack: McpStack;
let clients: Client[];
const figures: Record<string, number> = {};

beforeAll(async () => {
  stack = await startMcpStack({ pms: { connections: CLIENTS } });
  clients = await Promise.all(Array.from({ length: CLIENTS }, (_, i) => stack.connect(`racer-${i}`)));
});
afterAll(async () => {
  printSummary("races", figures);
  await stack?.close();
});

/**
 * The first of these slots with other free time of its type at its location within three days, so that a loser
 * can be offered alternatives: near today the demo's days fill up, and a location may have one free slot for days.
 */
async function withFreeTimeNearby(candidates: readonly FreeSlot[]): Promise<FreeSlot> {
  for (const candidate of candidates) {
    const day = candidate.scheduled_start.slice(0, 10);
    const query = new URLSearchParams({
      appointment_type_uuid: GUIDE_UUIDS.newPatientExam,
      location_uuid: candidate.location_uuid,
      start_date: day,
      end_date: new Date(Date.parse(`${day}T00:00:00Z`) + 3 * 86_400_000).toISOString().slice(0, 10),
      limit: "4",
    });
    const response = await stack.api("GET", `/schedule/availability?${query}`);
    if (Availability.parse(response.body).slots.length >= 4) return candidate;
  }
  throw new Error("the demo practice has no free slot with free time near it");
}

describe("200 bookings for one slot from 20 clients", () => {
  it("exactly one succeeds; every other caller gets a conflict offering alternatives", async () => {
    const slot = await withFreeTimeNearby(
      await disjointSlots(stack.api, GUIDE_UUIDS.newPatientExam, 12, { fromDay: 2 }),
    );
    const patients = await freshPatients(stack.api, RACERS);
    // Different people, so that no two calls share a derived idempotency key.
    const calls = patients.map((patient_uuid, i) => async () => {
      const result = await callTool(clients[i % CLIENTS]!, "book_appointment", {
        patient_uuid,
        appointment_type_uuid: GUIDE_UUIDS.newPatientExam,
        provider_uuid: slot.provider_uuid,
        location_uuid: slot.location_uuid,
        scheduled_start: slot.scheduled_start,
      });
      return { patient_uuid, result };
    });
    const outcomes = await inParallel(CLIENTS, calls);

    const winners = outcomes.filter((o) => !o.result.isError);
    const losers = outcomes.filter((o) => o.result.isError);
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(RACERS - 1);
    for (const { result } of losers) {
      const text = textOf(result);
      expect(text).toMatch(/That time is taken/);
      expect(text).toMatch(
        /Nearest free alternatives:\n1\. .*\(scheduled_start \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}, provider_uuid [0-9a-f-]{36}/,
      );
      // The slot just taken is never offered back.
      expect(text).not.toContain(`scheduled_start ${slot.scheduled_start}, provider_uuid ${slot.provider_uuid}`);
    }
    const booked = await bookingsAt(stack.api, slot!);
    expect(booked.map((a) => a.patient.uuid)).toEqual([winners[0]!.patient_uuid]);
    figures.race_calls = outcomes.length;
    figures.race_successes = winners.length;
    figures.race_conflicts_with_alternatives = losers.length;
  });
});

describe("the same booking retried at once (a voice platform's timeout retry)", () => {
  it("40 identical calls from 20 clients: all answer the one appointment, none says the slot is taken", async () => {
    const [slot] = await disjointSlots(stack.api, GUIDE_UUIDS.emergency, 1, { fromDay: 2 });
    const args = {
      patient_uuid: GUIDE_UUIDS.jonathanSmith,
      appointment_type_uuid: GUIDE_UUIDS.emergency,
      provider_uuid: slot!.provider_uuid,
      location_uuid: slot!.location_uuid,
      scheduled_start: slot!.scheduled_start,
    };
    const results = await inParallel(
      CLIENTS,
      Array.from({ length: 2 * CLIENTS }, (_, i) => () => callTool(clients[i % CLIENTS]!, "book_appointment", args)),
    );
    const failures = results.filter((r) => r.isError).map(textOf);
    expect(failures).toEqual([]);
    const uuids = new Set(results.map((r) => (r.structuredContent as { uuid: string }).uuid));
    expect(uuids.size).toBe(1);
    const booked = await bookingsAt(stack.api, slot!);
    expect(booked.map((a) => a.uuid)).toEqual([...uuids]);
    figures.identical_retries = results.length;
    figures.identical_retries_appointments = booked.length;
  });
});

describe("1,000 mixed tool calls from 20 clients", () => {
  it("all succeed, and every acknowledged booking is in the sandbox", async () => {
    const slots = await disjointSlots(stack.api, GUIDE_UUIDS.hygiene, MIXED_BOOKINGS, { fromDay: 3 });
    const patients = await freshPatients(stack.api, MIXED_BOOKINGS);
    const names = ["Smith", "Jane", "son", "Garcia", "Lee", "a", "Nguyen", "zzz-nobody"];
    const reads: [string, (i: number) => Record<string, unknown>][] = [
      ["search_patients", (i) => ({ query: names[i % names.length] })],
      ["list_appointment_types", (i) => ({ is_active: i % 5 !== 0 })],
      [
        "check_availability",
        (i) => ({
          appointment_type_uuid: [GUIDE_UUIDS.hygiene, GUIDE_UUIDS.emergency][i % 2],
          limit: 5,
          time_of_day: i % 3 === 0 ? "morning" : undefined,
        }),
      ],
      ["get_practice_info", () => ({})],
      ["find_appointments", (i) => ({ patient_uuid: patients[i % patients.length], include_past: i % 2 === 0 })],
    ];
    // Every tenth call books a distinct slot; the rest cycle through the read tools.
    const plan = Array.from({ length: MIXED_CALLS }, (_, i): [string, Record<string, unknown>] => {
      if (i % 10 === 0) {
        const slot = slots[i / 10]!;
        return [
          "book_appointment",
          {
            patient_uuid: patients[(i / 10) % patients.length],
            appointment_type_uuid: GUIDE_UUIDS.hygiene,
            provider_uuid: slot.provider_uuid,
            location_uuid: slot.location_uuid,
            scheduled_start: slot.scheduled_start,
          },
        ];
      }
      const [tool, args] = reads[i % reads.length]!;
      return [tool, args(i)];
    });
    const results = await inParallel(
      CLIENTS,
      plan.map(([tool, args], i) => async () => ({ tool, result: await callTool(clients[i % CLIENTS]!, tool, args) })),
    );

    const failures = results.filter((r) => r.result.isError).map((r) => `${r.tool}: ${textOf(r.result)}`);
    expect(failures).toEqual([]);
    const acknowledged = results
      .filter((r) => r.tool === "book_appointment")
      .map((r) => r.result.structuredContent as { uuid: string; scheduled_start: string });
    expect(acknowledged).toHaveLength(MIXED_BOOKINGS);
    let found = 0;
    for (const appointment of acknowledged) {
      const stored = await stack.api("GET", `/appointments/${appointment.uuid}`);
      expect(stored.status).toBe(200);
      expect(stored.body).toMatchObject({
        uuid: appointment.uuid,
        status: "scheduled",
        scheduled_start: appointment.scheduled_start,
      });
      found++;
    }
    figures.mixed_calls = results.length;
    figures.mixed_failures = failures.length;
    figures.bookings_acknowledged = acknowledged.length;
    figures.bookings_found = found;
    for (const [tool] of reads) figures[`calls_${tool}`] = results.filter((r) => r.tool === tool).length;
  });
});
