import { z } from "zod";
import {
  Instant,
  LocalDate,
  PersonName,
  PhoneInput,
  foldName,
  singleLine,
  type Patient,
} from "../../contract/index.js";
import type { PmsApi } from "../../pms/api.js";
import { ToolInputError, VerificationRefused } from "../tool-error.js";
import { PatientView, patientView } from "../views.js";
import { defineCallerTool, defineTool, perPrivacyMode } from "./define-tool.js";

const NAME_QUERY = "part of the patient's name, e.g. Smith or Jane Smith";
const annotations = { readOnlyHint: true, destructiveHint: false, idempotentHint: true };

const staff = defineTool({
  name: "search_patients",
  title: "Find a patient",
  description:
    'Find a patient by name (partial, or "Last, First"); date_of_birth or phone narrow namesakes. Shows birth ' +
    "date, phone, email and patient_uuid. Nobody found: create_patient.",
  inputSchema: z.strictObject({
    query: singleLine(100, NAME_QUERY)
      .min(1, { error: `must be ${NAME_QUERY}` })
      .describe('e.g. "Smith", "Jane Smith" or "Smith, Jane"'),
    date_of_birth: LocalDate.optional(),
    phone: PhoneInput.optional().describe("Any common format"),
    page: z.number({ error: "must be a whole number of at least 1, e.g. 2" }).int().min(1).max(100_000).default(1),
    page_size: z
      .number({ error: "must be a whole number from 1 to 20, e.g. 5" })
      .int({ error: "must be a whole number from 1 to 20, e.g. 5" })
      .min(1, { error: "must be a whole number from 1 to 20, e.g. 5" })
      .max(20, { error: "must be at most 20" })
      .default(5),
  }),
  outputSchema: z.object({
    items: z.array(PatientView),
    page: z.number().int(),
    page_size: z.number().int(),
    total: z.number().int(),
    has_more: z.boolean(),
  }),
  annotations,
  async handler(args, { pms, privacy, signal }) {
    const found = await pms.searchPatients({ query: { ...args, query: firstThenLast(args.query) } }, { signal });
    const items = found.items.map((p) => patientView(p, privacy));
    const hasMore = found.page * found.page_size < found.total;
    return {
      structured: { items, page: found.page, page_size: found.page_size, total: found.total, has_more: hasMore },
      text: describeMatches(items, found.page, found.total, hasMore),
    };
  },
});

/** "Smith, Jane" as the API's "first last" search reads it: "Jane Smith". Other text as given. */
function firstThenLast(query: string): string {
  const comma = query.indexOf(",");
  if (comma < 0) return query;
  return `${query.slice(comma + 1).trim()} ${query.slice(0, comma).trim()}`.trim();
}

/**
 * Caller mode: the identity check. Exactly one record must match the full name (folded alike on both
 * sides, so "Jane Smith" is neither "J" nor "Smith") and the birth date or phone given; the answer is
 * that patient and a caller_pass, or one and the same refusal whatever did not match.
 */
const caller = defineCallerTool({
  name: "search_patients",
  title: "Find a patient",
  description:
    "CALLER MODE (public-facing): verify who the caller is before anything that concerns a patient. Ask for their " +
    "first name, last name and date of birth (or the phone number on file) and pass them here: the patient is " +
    "returned only when exactly one record matches all of them. The result includes a caller_pass: keep it and pass " +
    "it as caller_pass to every later call (find_appointments, book_appointment, reschedule_appointment, " +
    "cancel_appointment, update_appointment_status), which act only for this patient. If verification fails, never say which " +
    "detail was wrong. Attempts per name are limited. A new patient is registered with create_patient instead.",
  inputSchema: z.strictObject({
    first_name: PersonName.describe("The caller's first name as registered with the practice, e.g. Jane"),
    last_name: PersonName.describe("The caller's last name as registered with the practice, e.g. Smith"),
    date_of_birth: LocalDate.optional().describe(
      "The caller's date of birth YYYY-MM-DD, e.g. 1986-04-12 (this or phone is required)",
    ),
    phone: PhoneInput.optional().describe(
      "The phone number on file for the caller, e.g. +1-415-555-0148 (this or date_of_birth is required)",
    ),
  }),
  outputSchema: z.object({
    patient: PatientView,
    caller_pass: z.string().describe("Pass it as caller_pass to every later tool call for this caller"),
    caller_pass_expires_at: Instant.describe("When the pass stops working; verify again after that"),
  }),
  annotations,
  async handler(args, { pms, guard, signal, now }) {
    if (args.date_of_birth === undefined && args.phone === undefined) {
      throw new ToolInputError(
        "date_of_birth",
        "date_of_birth (YYYY-MM-DD, e.g. 1986-04-12) or phone (e.g. +1-415-555-0148) is required to verify the caller: " +
          "their date of birth or the phone number on file",
        "caller",
      );
    }
    const phone = args.phone === undefined ? undefined : (await phoneReader())(args.phone);
    if (args.phone !== undefined && phone === undefined) {
      throw new ToolInputError(
        "phone",
        "is not a valid phone number; expected one such as +1-415-555-0148 or (415) 555-0148",
      );
    }
    const org = await pms.orgId({ signal });
    const result = await guard.attempt(org, args, async () => {
      const matches = await matchingPatients(pms, { ...args, phone }, signal);
      if (matches === "several") return { outcome: "ambiguous" as const };
      return matches ? { outcome: "verified" as const, patient: matches } : { outcome: "no_match" as const };
    });
    if (result.outcome !== "verified") throw new VerificationRefused("not_verified");
    const patient = patientView(result.patient, "caller");
    const pass = guard.issuePass(org, patient.uuid, now());
    const preferred = patient.preferred_provider_uuid
      ? `; preferred provider_uuid ${patient.preferred_provider_uuid}`
      : "";
    return {
      structured: { patient, caller_pass: pass.caller_pass, caller_pass_expires_at: pass.expires_at },
      text:
        `Verified: ${patient.first_name} ${patient.last_name} (patient_uuid ${patient.uuid}${preferred}).\n` +
        `caller_pass: ${pass.caller_pass}\n` +
        `Keep this caller_pass and pass it to every later call for this caller (find_appointments, book_appointment, ` +
        `reschedule_appointment, cancel_appointment, update_appointment_status). Valid until ${pass.expires_at}.`,
    };
  },
});

export const searchPatients = perPrivacyMode({ staff, caller });

/** Candidates beyond this many pages (100 each) with one last name and birth date cannot be told apart. */
const MAX_CANDIDATE_PAGES = 5;

/**
 * The one record whose folded names equal the caller's and whose birth date and E.164 phone equal what
 * was given, if there is exactly one. The API narrows the candidates (its filters, and the last name as
 * a partial match); the comparison is ours.
 */
async function matchingPatients(
  pms: PmsApi,
  wanted: { first_name: string; last_name: string; date_of_birth?: string; phone?: string },
  signal: AbortSignal,
): Promise<Patient | undefined | "several"> {
  const toE164 = wanted.phone === undefined ? undefined : await phoneReader();
  const first = foldName(wanted.first_name);
  const last = foldName(wanted.last_name);
  const matches = (p: Patient) =>
    foldName(p.first_name) === first &&
    foldName(p.last_name) === last &&
    (wanted.date_of_birth === undefined || p.date_of_birth === wanted.date_of_birth) &&
    (toE164 === undefined || (p.primary_phone !== null && toE164(p.primary_phone) === wanted.phone));
  const found: Patient[] = [];
  for (let page = 1; page <= MAX_CANDIDATE_PAGES; page++) {
    const { last_name, date_of_birth, phone } = wanted;
    const query = { query: last_name, date_of_birth, phone, page, page_size: 100 };
    const candidates = await pms.searchPatients({ query }, { signal });
    found.push(...candidates.items.filter(matches));
    if (found.length > 1) return "several";
    if (page * candidates.page_size >= candidates.total) return found[0];
  }
  // Too many candidates to have seen them all: as good as several.
  return "several";
}

let phoneModule: Promise<typeof import("../phone.js")> | undefined;

/**
 * The reader of a phone number in E.164 (phone.ts). libphonenumber-js (121 KB of code and its metadata) is
 * loaded on the first verification with a phone, not with the tools: most sessions never give one.
 */
async function phoneReader(): Promise<(phone: string) => string | undefined> {
  phoneModule ??= import("../phone.js").catch((error: unknown) => {
    phoneModule = undefined;
    throw error;
  });
  return (await phoneModule).toE164;
}

function describeMatches(patients: PatientView[], page: number, total: number, hasMore: boolean): string {
  if (patients.length === 0) {
    return total > 0
      ? `No patients on page ${page}: there are ${total} matches in all; ask for an earlier page.`
      : "No matching patient. Check the spelling (and date of birth or phone), or register them with create_patient.";
  }
  const lines = patients.map((p) => {
    const contact = [
      p.date_of_birth && `born ${p.date_of_birth}`,
      p.primary_phone && `phone ${p.primary_phone}`,
      p.email && `email ${p.email}`,
    ].filter(Boolean);
    return `- ${p.first_name} ${p.last_name}${contact.length > 0 ? `, ${contact.join(", ")}` : ""} (patient_uuid ${p.uuid})`;
  });
  const more = hasMore
    ? `\nMore matches (${total} in all): add date_of_birth or phone, or ask for page ${page + 1}.`
    : "";
  return `${total} matching patient(s):\n${lines.join("\n")}${more}`;
}
