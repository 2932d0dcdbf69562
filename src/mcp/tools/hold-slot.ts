import { z } from "zod";
import { MAX_PARTY_SIZE, ProviderRef, Uuid, providerName, type Hold } from "../../contract/index.js";
import { verifiedPatient } from "../caller-scope.js";
import { describeLocalRange, localAt } from "../time.js";
import { defineCallerTool, defineTool, perPrivacyMode, type ToolContext } from "./define-tool.js";
import { appointmentTypeUuid, callerPass, dateTime, patientUuid } from "./params.js";

const ChosenSlot = z.strictObject({ scheduled_start: dateTime("Start"), provider_uuid: Uuid, location_uuid: Uuid });

const SLOTS_FORM =
  `must be a list of 1 to ${MAX_PARTY_SIZE} slots from check_availability, each ` +
  "{scheduled_start, provider_uuid, location_uuid}";

const HoldView = z.object({
  hold_uuid: Uuid.describe("Pass as hold_uuid to book_appointment"),
  expires_at: z.string().describe("Local time the hold lapses"),
  scheduled_start: z.string(),
  scheduled_end: z.string(),
  timezone: z.string(),
  provider: ProviderRef,
  location: z.object({ uuid: Uuid, name: z.string() }),
});
type HoldView = z.infer<typeof HoldView>;

const staff = defineTool({
  name: "hold_slot",
  title: "Hold slots",
  description:
    "Keep chosen slots (one, or a party's set) 5 minutes so no one takes them while a caller decides or asks " +
    "others; not needed if they choose at once. Then book_appointment each with its hold_uuid.",
  inputSchema: z.strictObject({
    appointment_type_uuid: appointmentTypeUuid,
    slots: z
      .array(ChosenSlot, { error: SLOTS_FORM })
      .min(1, { error: SLOTS_FORM })
      .max(MAX_PARTY_SIZE, { error: SLOTS_FORM })
      .describe("From check_availability"),
    patient_uuid: patientUuid.optional(),
  }),
  outputSchema: z.object({ holds: z.array(HoldView) }),
  // Each call makes new holds; a repeat finds the slots held (by this person, but the PMS cannot tell).
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false },
  async handler({ appointment_type_uuid, slots, patient_uuid }, context) {
    const holds = await holdAll(appointment_type_uuid, slots, patient_uuid, context);
    const views = holds.map(holdView);
    const lines = views.map(
      (h) =>
        `${describeLocalRange(h.scheduled_start, h.scheduled_end, h.timezone)}, ${providerName(h.provider)}, ` +
        `${h.location.name}: hold_uuid ${h.hold_uuid}`,
    );
    return {
      structured: { holds: views },
      text: `Held until ${views[0]?.expires_at.slice(11, 16)}:\n${lines.join("\n")}\nBook with book_appointment and each hold_uuid.`,
    };
  },
});

/** Caller mode: held for the verified caller, so that only they can book it. */
const { patient_uuid: _patient, ...callerFields } = staff.inputSchema.shape;
const caller = defineCallerTool({
  ...staff,
  description:
    "CALLER MODE: " +
    staff.description +
    " caller_pass (from search_patients or create_patient) is required: the slots are held for that caller alone.",
  inputSchema: z.strictObject({ caller_pass: callerPass, ...callerFields }),
  async handler({ caller_pass, ...args }, context) {
    return staff.handler({ ...args, patient_uuid: await verifiedPatient(caller_pass, context) }, context);
  },
});

export const holdSlot = perPrivacyMode({ staff, caller });

/** One hold per slot, in order; if one cannot be held, those already made are released and its error stands. */
async function holdAll(
  typeUuid: string,
  slots: readonly z.output<typeof ChosenSlot>[],
  patientUuid: string | undefined,
  { pms, signal }: ToolContext,
): Promise<Hold[]> {
  const holds: Hold[] = [];
  try {
    for (const slot of slots) {
      const body = { appointment_type_uuid: typeUuid, ...slot, ...(patientUuid ? { patient_uuid: patientUuid } : {}) };
      holds.push(await pms.createHold({ body }, { signal }));
    }
    return holds;
  } catch (error) {
    // A set is held whole or not at all. Best effort: an unreleased hold lapses by itself within minutes.
    await Promise.allSettled(holds.map((h) => pms.releaseHold({ params: { hold_uuid: h.uuid } })));
    throw error;
  }
}

function holdView(hold: Hold): HoldView {
  return {
    hold_uuid: hold.uuid,
    expires_at: localAt(Date.parse(hold.expires_at), hold.timezone),
    scheduled_start: hold.scheduled_start,
    scheduled_end: hold.scheduled_end,
    timezone: hold.timezone,
    provider: hold.provider,
    location: hold.location,
  };
}
