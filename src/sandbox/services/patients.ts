/** Use cases of the Patients domain: search, read, create. */
import { randomUUID } from "node:crypto";
import type { z } from "zod";
import type { Patient, PatientCreate, PatientPage, PatientSearchQuery } from "../../contract/index.js";
import type { PatientRecord } from "../domain/model.js";
import { foldForSearch, normalisePhone } from "../domain/text.js";
import type { PatientRow } from "../storage/storage.js";
import { loadReference, type Caller, type ServiceContext } from "./context.js";
import { ApiError, notFound, unknownReferences, validationFailed } from "./errors.js";
import { toPatient } from "./wire-shapes.js";

type SearchQuery = z.output<typeof PatientSearchQuery>;
type CreateBody = z.output<typeof PatientCreate>;

/** E.164 form of a phone the client sent, or a validation error naming `field`. */
function phoneOrFail(input: string, field: string): string {
  const phone = normalisePhone(input, "US");
  if (!phone.ok) throw validationFailed(field, phone.message);
  return phone.e164;
}

/** Derives the stored row: search keys folded, phone in E.164 when it parses (seeds may carry any form). */
export function toPatientRow(patient: PatientRecord): PatientRow {
  const phone = patient.primary_phone === null ? null : normalisePhone(patient.primary_phone, "US");
  return {
    ...patient,
    primary_phone: phone === null ? null : phone.ok ? phone.e164 : patient.primary_phone,
    first_folded: foldForSearch(patient.first_name),
    last_folded: foldForSearch(patient.last_name),
  };
}

/**
 * At least one of query, date_of_birth or phone is required: a receptionist looks somebody up,
 * and "minimum necessary" rules out paging through every patient of the practice.
 */
export async function searchPatients(ctx: ServiceContext, caller: Caller, query: SearchQuery): Promise<PatientPage> {
  const text = query.query === undefined || query.query === "" ? undefined : foldForSearch(query.query);
  // Text of accents alone folds to "", which as a substring would match every patient.
  if (text === "")
    throw validationFailed("query.query", "must contain a letter or digit of a name, e.g. smi or Jane Smith");
  const phone = query.phone === undefined ? undefined : phoneOrFail(query.phone, "query.phone");
  if (text === undefined && query.date_of_birth === undefined && phone === undefined) {
    throw new ApiError(
      "validation_failed",
      "Give at least one of query (part of a name), date_of_birth (YYYY-MM-DD) or phone.",
      [{ field: "query.query", message: "at least one of query, date_of_birth or phone is required" }],
    );
  }
  const page = await ctx.storage.searchPatients(
    caller.orgId,
    { text, date_of_birth: query.date_of_birth, phone },
    query,
  );
  return { items: page.items.map(toPatient), page: query.page, page_size: query.page_size, total: page.total };
}

/** A birth date from the future or more than 130 years ago is a typo (often a swapped year). */
function birthDateOrFail(dateOfBirth: string, now: number): void {
  // The calendar date somewhere on Earth right now (UTC+14 is the furthest ahead): a baby born today
  // in Auckland is not refused while it is still yesterday in UTC.
  const today = new Date(now + 14 * 3_600_000).toISOString().slice(0, 10);
  const earliest = `${Number(today.slice(0, 4)) - 130}${today.slice(4)}`;
  if (dateOfBirth <= today && dateOfBirth >= earliest) return;
  throw new ApiError(
    "validation_failed",
    `date_of_birth ${dateOfBirth} is not a plausible birth date. Check it with the patient (YYYY-MM-DD).`,
    [{ field: "date_of_birth", message: `must be between ${earliest} and ${today}` }],
  );
}

export async function getPatient(ctx: ServiceContext, caller: Caller, uuid: string): Promise<Patient> {
  const [patient] = await ctx.storage.getPatients(caller.orgId, [uuid]);
  if (!patient) throw notFound("patient", uuid);
  return toPatient(patient);
}

export async function createPatient(ctx: ServiceContext, caller: Caller, body: CreateBody): Promise<Patient> {
  birthDateOrFail(body.date_of_birth, ctx.now());
  const primaryPhone = body.primary_phone === undefined ? null : phoneOrFail(body.primary_phone, "primary_phone");
  if (body.preferred_provider_uuid !== undefined) {
    const ref = await loadReference(ctx, caller.orgId);
    if (!ref.providersById.has(body.preferred_provider_uuid)) {
      throw unknownReferences([
        { field: "preferred_provider_uuid", message: "no provider with this uuid; see GET /providers" },
      ]);
    }
  }
  const record: PatientRecord = {
    uuid: randomUUID(),
    first_name: body.first_name,
    last_name: body.last_name,
    date_of_birth: body.date_of_birth,
    primary_phone: primaryPhone,
    email: body.email ?? null,
    preferred_provider_uuid: body.preferred_provider_uuid ?? null,
  };
  const outcome = await ctx.storage.createPatient(caller.orgId, toPatientRow(record), {
    actor_token_id: caller.tokenId,
    action: "patient.create",
    entity_type: "patient",
    entity_uuid: record.uuid,
    at: ctx.now(),
  });
  if (!outcome.created) {
    throw new ApiError(
      "duplicate_patient",
      `A patient with this name and date of birth already exists (uuid ${outcome.existing_uuid}). ` +
        "Use that patient instead of creating a new one.",
      [],
      { existing_uuid: outcome.existing_uuid },
    );
  }
  return toPatient(record);
}
