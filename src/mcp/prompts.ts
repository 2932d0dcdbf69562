/** The `schedule_appointment` prompt: the booking workflow, step by step, for clients that offer prompts. */
import { z } from "zod";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { PrivacyMode } from "./privacy.js";

export function registerPrompts(server: McpServer, privacy: PrivacyMode): void {
  server.registerPrompt(
    "schedule_appointment",
    {
      title: "Schedule a dental appointment",
      description:
        "Walks through booking: find or register the patient, choose the visit type and a free slot, confirm, book, read back.",
      argsSchema: {
        patient_name: z.string().max(200).optional().describe("The patient's name, if already known"),
        reason: z.string().max(500).optional().describe("Why they want to come in, if already known"),
      },
    },
    ({ patient_name, reason }) => ({
      messages: [{ role: "user", content: { type: "text", text: workflow(privacy, patient_name, reason) } }],
    }),
  );
}

function workflow(privacy: PrivacyMode, patientName: string | undefined, reason: string | undefined): string {
  const who = patientName
    ? `The patient's name is given as: ${JSON.stringify(patientName)}.`
    : "Ask for the patient's name.";
  const why = reason ? `The reason given for the visit: ${JSON.stringify(reason)}.` : "Ask what the visit is for.";
  const verify =
    privacy === "caller"
      ? "You are talking to a member of the public: before anything else, verify them with search_patients (their first name, last name, and date of birth or the phone number on file). Keep the caller_pass it returns (or that create_patient returns for a new patient) and pass it to every later tool call. Never say which detail failed to match, and never read back contact details."
      : "";
  return [
    "Help book a dental appointment. Follow these steps in order, one question at a time, and never invent uuids: use only uuids returned by the tools.",
    [who, why, verify].filter(Boolean).join(" "),
    '1. Call get_practice_info to learn today\'s date and time at the practice, its locations and providers (needed for words like "tomorrow" or "Dr. Chen").',
    privacy === "caller"
      ? "2. Verify the caller with search_patients. If it cannot verify them and they have never been a patient here, collect first name, last name and date of birth (phone and email optional) and call create_patient."
      : "2. Find the patient with search_patients. If several match, ask which one (e.g. by date of birth). If none match, collect first name, last name and date of birth (phone and email optional) and call create_patient.",
    "3. Call list_appointment_types and choose the type that fits the reason; ask if unsure.",
    "4. Call check_availability for that type, with the person's preferred dates, provider and time of day. Offer two or three of the slots, saying the weekday, date, time and timezone.",
    "5. Confirm the chosen slot, appointment type and provider with the person before booking.",
    `6. Call book_appointment with the ${privacy === "caller" ? "caller_pass" : "patient_uuid"}, appointment_type_uuid, and the chosen slot's scheduled_start, provider_uuid and location_uuid. If the slot was just taken, offer the alternatives from the error.`,
    "7. Read back the confirmation: appointment type, provider, location, weekday, date, time and timezone.",
  ].join("\n");
}
