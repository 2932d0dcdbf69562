import { z } from "zod";
import { parsePhoneNumberFromString } from "libphonenumber-js";
import { LocalDate, PhoneInput, type Patient } from "../../contract/index.js";
import { ToolInputError } from "../tool-error.js";
import { PatientView, patientView } from "../views.js";
import { defineTool } from "./define-tool.js";

const CALLER_PAGE_SIZE = 50;

export const searchPatients = defineTool({
  name: "search_patients",
  title: "Find a patient",
  description: (privacy) =>
    "Find an existing patient by name before booking, rescheduling or cancelling. Returns each match's " +
    "patient_uuid, which book_appointment and find_appointments need. If nobody matches, use create_patient. " +
    (privacy === "caller"
      ? "CALLER MODE (public-facing): date_of_birth or phone is REQUIRED — ask the caller for it — and a patient " +
        "is returned only when it matches exactly; results show names only, never contact details."
      : "Staff mode: results include date of birth, phone and email; add date_of_birth or phone to narrow down namesakes."),
  inputSchema: z.strictObject({
    query: z
      .string({ error: "must be part of the patient's name, e.g. Smith or Jane Smith" })
      .trim()
      .min(1, { error: "must be part of the patient's name, e.g. Smith or Jane Smith" })
      .max(100, { error: "must be at most 100 characters" })
      .describe('First name, last name, or both, partial match, e.g. "Smith" or "Jane Smith"'),
    date_of_birth: LocalDate.optional().describe("Date of birth YYYY-MM-DD, e.g. 1986-04-12"),
    phone: PhoneInput.optional(),
    page: z.number({ error: "must be a whole number of at least 1, e.g. 2" }).int().min(1).max(100_000).default(1).describe("1-based page (default 1)"),
    page_size: z
      .number({ error: "must be a whole number from 1 to 20, e.g. 5" })
      .int({ error: "must be a whole number from 1 to 20, e.g. 5" })
      .min(1, { error: "must be a whole number from 1 to 20, e.g. 5" })
      .max(20, { error: "must be at most 20" })
      .default(5)
      .describe("Matches per page, 1 to 20 (default 5)"),
  }),
  outputSchema: z.object({
    patients: z.array(PatientView),
    page: z.number().int(),
    total: z.number().int().describe("Matches over all pages"),
    has_more: z.boolean(),
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true },
  async handler(args, { pms, privacy, signal }) {
    if (privacy === "caller" && args.date_of_birth === undefined && args.phone === undefined) {
      throw new ToolInputError(
        "date_of_birth",
        "in caller mode, date_of_birth (YYYY-MM-DD, e.g. 1986-04-12) or phone (e.g. +1-415-555-0148) is required to verify identity. Ask the caller for their date of birth or phone number, then search again.",
      );
    }
    const query = { query: args.query, date_of_birth: args.date_of_birth, phone: args.phone };
    if (privacy === "caller") {
      // The API's own filters are partial matches; caller mode demands an exact match on what was given.
      const found = await pms.searchPatients({ ...query, page: 1, page_size: CALLER_PAGE_SIZE }, { signal });
      const matches = found.items.filter((p) => verifiedBy(p, args.date_of_birth, args.phone));
      const patients = matches.slice(0, args.page_size).map((p) => patientView(p, privacy));
      return {
        structured: { patients, page: 1, total: matches.length, has_more: matches.length > patients.length },
        text: describeMatches(patients, matches.length > patients.length),
      };
    }
    const found = await pms.searchPatients({ ...query, page: args.page, page_size: args.page_size }, { signal });
    const patients = found.items.map((p) => patientView(p, privacy));
    const hasMore = found.page * found.page_size < found.total;
    return {
      structured: { patients, page: found.page, total: found.total, has_more: hasMore },
      text: describeMatches(patients, hasMore),
    };
  },
});

function verifiedBy(patient: Patient, dateOfBirth: string | undefined, phone: string | undefined): boolean {
  if (dateOfBirth !== undefined && patient.date_of_birth !== dateOfBirth) return false;
  if (phone !== undefined) {
    const wanted = toE164(phone);
    if (wanted === undefined || patient.primary_phone === null || toE164(patient.primary_phone) !== wanted) return false;
  }
  return true;
}

/** US numbers may omit +1, as in the API. */
function toE164(phone: string): string | undefined {
  return parsePhoneNumberFromString(phone, "US")?.number;
}

function describeMatches(patients: PatientView[], hasMore: boolean): string {
  if (patients.length === 0) {
    return "No matching patient. Check the spelling (and date of birth or phone), or register them with create_patient.";
  }
  const lines = patients.map((p) => {
    const born = p.date_of_birth ? `, born ${p.date_of_birth}` : "";
    return `- ${p.first_name} ${p.last_name}${born} (patient_uuid ${p.uuid})`;
  });
  const more = hasMore ? "\nMore matches exist: narrow the search (add date_of_birth or phone) or ask for the next page." : "";
  return `${patients.length} matching patient(s):\n${lines.join("\n")}${more}`;
}
