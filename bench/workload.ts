/**
 * A realistic mix of tool calls for the memory figure, as a receptionist conversation repeats it: practice
 * info, find the patient, appointment types, availability, book, the patient's appointments, cancel (which
 * frees the slot again). Each conversation is for another patient and slot, so bookings are new ones, not
 * idempotent replays. Stops after exactly `total` calls. The fields read from results are all here, so a
 * change of a tool's output means one place to update.
 */
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";

interface Patient {
  uuid: string;
  last_name: string;
}

interface Slot {
  scheduled_start: string;
  provider: { uuid: string };
  location: { uuid: string };
}

export interface WorkloadOutcome {
  calls: Record<string, number>;
  errors: number;
  firstError: string | null;
}

class OutOfCalls extends Error {}

export async function runWorkload(client: Client, total: number): Promise<WorkloadOutcome> {
  const outcome: WorkloadOutcome = { calls: {}, errors: 0, firstError: null };
  let made = 0;
  const call = async (name: string, args: Record<string, unknown>): Promise<Record<string, unknown> | null> => {
    if (made >= total) throw new OutOfCalls();
    made++;
    outcome.calls[name] = (outcome.calls[name] ?? 0) + 1;
    const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
    if (result.isError) {
      outcome.errors++;
      outcome.firstError ??= `${name}: ${JSON.stringify(result.content).slice(0, 300)}`;
      return null;
    }
    return (result.structuredContent ?? {}) as Record<string, unknown>;
  };
  const list = <T>(value: Record<string, unknown> | null, key: string): T[] => {
    const items = value?.[key];
    return Array.isArray(items) ? (items as T[]) : [];
  };

  try {
    // Patients to call about: the first pages of a broad name search.
    const patients: Patient[] = [];
    for (let page = 1; page <= 8; page++) {
      patients.push(...list<Patient>(await call("search_patients", { query: "a", page, page_size: 20 }), "items"));
    }
    const types = list<{ uuid: string; provider_roles: string[] }>(await call("list_appointment_types", {}), "items");
    const type = types.find((t) => t.provider_roles.includes("dentist")) ?? types[0];
    if (!type || patients.length === 0) throw new Error("the workload found no appointment type or no patient");

    for (let conversation = 0; ; conversation++) {
      const patient = patients[conversation % patients.length]!;
      await call("get_practice_info", {});
      await call("search_patients", { query: patient.last_name });
      await call("list_appointment_types", {});
      const slots = list<Slot>(
        await call("check_availability", { appointment_type_uuid: type.uuid, limit: 30 }),
        "slots",
      );
      const slot = slots[conversation % Math.max(1, slots.length)];
      if (!slot) continue;
      const booked = await call("book_appointment", {
        patient_uuid: patient.uuid,
        appointment_type_uuid: type.uuid,
        provider_uuid: slot.provider.uuid,
        location_uuid: slot.location.uuid,
        scheduled_start: slot.scheduled_start,
      });
      await call("find_appointments", { patient_uuid: patient.uuid });
      const appointmentUuid = booked?.uuid;
      if (typeof appointmentUuid === "string") {
        await call("cancel_appointment", { appointment_uuid: appointmentUuid, reason: "Patient rescheduled" });
      }
    }
  } catch (error) {
    if (!(error instanceof OutOfCalls)) throw error;
  }
  return outcome;
}
