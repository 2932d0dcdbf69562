/** What the benchmarks share: timing loops, and booking bursts over HTTP against a running sandbox. */
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import type { AppointmentCreate, Slot } from "../src/contract/index.js";

export const ms = (value: number) => `${value.toFixed(2)} ms`;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** Runs `once` `warmup` times untimed, then `runs` times timed, one after another. */
export async function timeRuns(
  runs: number,
  warmup: number,
  once: () => Promise<unknown>,
): Promise<{ p50: number; p99: number }> {
  for (let i = 0; i < warmup; i++) await once();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await once();
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50), p99: percentile(samples, 99) };
}

/** Bookings of slots that do not overlap each other for the same provider, so each one can succeed. */
export function bookingsOfDisjointSlots(slots: Slot[], patientUuid: string, typeUuid: string): AppointmentCreate[] {
  const lastEnd = new Map<string, string>();
  return slots
    .filter((slot) => {
      const key = `${slot.provider.uuid}|${slot.timezone}`;
      const end = lastEnd.get(key);
      if (end !== undefined && slot.scheduled_start < end) return false;
      lastEnd.set(key, slot.scheduled_end);
      return true;
    })
    .map((slot) => ({
      patient_uuid: patientUuid,
      appointment_type_uuid: typeUuid,
      location_uuid: slot.location.uuid,
      provider_uuid: slot.provider.uuid,
      scheduled_start: slot.scheduled_start,
    }));
}

/** POSTs every body with `concurrency` requests in flight; how many got a 201, and at what rate. */
export async function bookInParallel(
  baseUrl: string,
  token: string,
  bodies: readonly AppointmentCreate[],
  concurrency: number,
): Promise<{ created: number; perSecond: number }> {
  let next = 0;
  let created = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++];
        const response = await fetch(`${baseUrl}/appointments`, {
          method: "POST",
          headers: {
            Authorization: `Bearer ${token}`,
            "Content-Type": "application/json",
            "Idempotency-Key": randomUUID(),
          },
          body: JSON.stringify(body),
        });
        await response.arrayBuffer();
        if (response.status === 201) created++;
      }
    }),
  );
  return { created, perSecond: created / ((performance.now() - started) / 1000) };
}
