import { z } from "zod";
import { PatientCreate } from "../../contract/index.js";
import { PatientView, patientView } from "../views.js";
import { defineTool } from "./define-tool.js";

export const createPatient = defineTool({
  name: "create_patient",
  title: "Register a new patient",
  description: (privacy) =>
    "Register a patient who is not in the system yet (search_patients found nobody). Ask for first and last " +
    "name and date of birth; phone and email are optional. Returns the new patient_uuid for book_appointment. " +
    "If the patient already exists, the error gives the existing patient_uuid." +
    (privacy === "caller" ? " CALLER MODE: the result shows the name and patient_uuid only." : ""),
  inputSchema: PatientCreate.extend({
    preferred_provider_uuid: PatientCreate.shape.preferred_provider_uuid.describe(
      "Optional preferred provider, uuid from get_practice_info",
    ),
  }),
  outputSchema: z.object({ patient: PatientView }),
  // Not idempotent as far as the model can tell: a repeat is refused as a duplicate rather than replayed.
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false },
  async handler(args, { pms, privacy, signal }) {
    const patient = patientView(await pms.createPatient(args, { signal }), privacy);
    return {
      structured: { patient },
      text: `Registered ${patient.first_name} ${patient.last_name} (patient_uuid ${patient.uuid}).`,
    };
  },
});
