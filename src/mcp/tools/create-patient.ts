import { z } from "zod";
import { Instant, PatientCreate } from "../../contract/index.js";
import { PmsError } from "../../pms/errors.js";
import { PossibleExistingPatient } from "../tool-error.js";
import { PatientView, patientView } from "../views.js";
import { defineCallerTool, defineTool, perPrivacyMode } from "./define-tool.js";

const inputSchema = PatientCreate.extend({
  primary_phone: PatientCreate.shape.primary_phone.describe("Any common format"),
  preferred_provider_uuid: PatientCreate.shape.preferred_provider_uuid.describe("From get_practice_info"),
});
// Not idempotent as far as the model can tell: a repeat is refused as a duplicate rather than replayed.
const annotations = { readOnlyHint: false, destructiveHint: false, idempotentHint: false };

const staff = defineTool({
  name: "create_patient",
  title: "Register a new patient",
  description:
    "Register a patient search_patients did not find (name, date of birth; phone, email optional). Returns the " +
    "patient_uuid; an existing patient's is in the error.",
  inputSchema,
  outputSchema: z.object({ patient: PatientView }),
  annotations,
  async handler(args, { pms, privacy, signal }) {
    const patient = patientView(await pms.createPatient({ body: args }, { signal }), privacy);
    return {
      structured: { patient },
      text: `Registered ${patient.first_name} ${patient.last_name} (patient_uuid ${patient.uuid}).`,
    };
  },
});

/**
 * Caller mode. "Registered" and "already a patient" tell whether a record with this name and birth date
 * exists, just as a verification does, so each registration takes one of the name's limited attempts.
 */
const caller = defineCallerTool({
  name: "create_patient",
  title: "Register a new patient",
  description:
    "CALLER MODE: register a caller who has never been a patient here (after search_patients could not verify them " +
    "and they confirm they are new). Ask for first and last name and date of birth; phone and email are optional. " +
    "Returns a caller_pass for the new patient: keep it and pass it as caller_pass to every later call " +
    "(book_appointment, find_appointments, ...). If the person may already be a patient, verify them with " +
    "search_patients instead. Attempts per name are limited.",
  inputSchema,
  outputSchema: z.object({
    patient: PatientView,
    caller_pass: z.string().describe("Pass it as caller_pass to every later tool call for this caller"),
    caller_pass_expires_at: Instant.describe("When the pass stops working; verify with search_patients after that"),
  }),
  annotations,
  async handler(args, { pms, guard, signal, now }) {
    const org = await pms.orgId({ signal });
    const result = await guard.attempt(org, args, async () => {
      try {
        return { outcome: "registered" as const, patient: await pms.createPatient({ body: args }, { signal }) };
      } catch (error) {
        if (error instanceof PmsError && error.problem?.code === "duplicate_patient")
          return { outcome: "duplicate_registration" as const };
        throw error;
      }
    });
    if (result.outcome !== "registered") throw new PossibleExistingPatient();
    const patient = patientView(result.patient, "caller");
    const pass = guard.issuePass(org, patient.uuid, now());
    return {
      structured: { patient, caller_pass: pass.caller_pass, caller_pass_expires_at: pass.expires_at },
      text:
        `Registered ${patient.first_name} ${patient.last_name} (patient_uuid ${patient.uuid}).\n` +
        `caller_pass: ${pass.caller_pass}\n` +
        "Keep this caller_pass and pass it to every later call for this caller (book_appointment, find_appointments, " +
        `reschedule_appointment, cancel_appointment, update_appointment_status). Valid until ${pass.expires_at}.`,
    };
  },
});

export const createPatient = perPrivacyMode({ staff, caller });
