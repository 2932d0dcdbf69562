import { z } from "zod";
import type { AppointmentUpdate } from "../../contract/index.js";
import { PmsError } from "../../pms/errors.js";
import { ALTERNATIVES_WITHIN_DAYS, nearestAlternatives } from "../availability.js";
import { SlotTaken } from "../tool-error.js";
import { callersAppointment } from "../caller-scope.js";
import { AppointmentView, appointmentView, describeAppointment } from "../views.js";
import { defineCallerTool, defineTool, perPrivacyMode } from "./define-tool.js";
import { appointmentUuid, callerPass, dateTime, locationUuid, providerUuid } from "./params.js";

const staff = defineTool({
  name: "reschedule_appointment",
  title: "Reschedule an appointment",
  description:
    "Move an appointment to a check_availability slot the person agreed to (new time, maybe another provider or " +
    "location). A time just taken lists the nearest free ones.",
  inputSchema: z.strictObject({
    appointment_uuid: appointmentUuid,
    scheduled_start: dateTime("New start"),
    scheduled_end: dateTime("Default: same duration").optional(),
    provider_uuid: providerUuid.optional(),
    location_uuid: locationUuid.optional(),
  }),
  outputSchema: AppointmentView.extend({ previous_when: z.string() }),
  // Setting the same new time twice has no further effect; the old time is given up, hence destructive.
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true },
  async handler(args, { pms, privacy, signal, now }) {
    const { appointment_uuid, ...change } = args;
    const before = appointmentView(await pms.getAppointment({ params: { appointment_uuid } }, { signal }), privacy);
    let updated;
    try {
      const body: AppointmentUpdate = change;
      updated = await pms.updateAppointment({ params: { appointment_uuid }, body }, { signal });
    } catch (error) {
      if (error instanceof PmsError && error.code === "slot_unavailable") {
        const request = {
          appointment_type_uuid: before.appointment_type.uuid,
          provider_uuid: args.provider_uuid ?? before.provider.uuid,
          location_uuid: args.location_uuid ?? before.location.uuid,
          scheduled_start: args.scheduled_start,
        };
        const alternatives = await nearestAlternatives(pms, request, now(), signal);
        throw new SlotTaken(error, alternatives, ALTERNATIVES_WITHIN_DAYS);
      }
      throw error;
    }
    const view = appointmentView(updated, privacy);
    return {
      structured: { ...view, previous_when: before.when },
      text: `Rescheduled from ${before.when} to: ${describeAppointment(view)}`,
    };
  },
});

const caller = defineCallerTool({
  ...staff,
  description:
    "CALLER MODE: move one of the verified caller's appointments to a new start time, optionally with another " +
    "provider or at another location (provider_uuid and location_uuid from the chosen check_availability slot). " +
    "caller_pass (from search_patients or create_patient) is required; appointment_uuid from find_appointments. Check " +
    "availability first and confirm the new time with the caller. If the new time is taken, the error lists the " +
    "nearest free alternatives.",
  inputSchema: z.strictObject({ caller_pass: callerPass, ...staff.inputSchema.shape }),
  async handler({ caller_pass, ...args }, context) {
    await callersAppointment(args.appointment_uuid, caller_pass, context);
    return staff.handler(args, context);
  },
});

export const rescheduleAppointment = perPrivacyMode({ staff, caller });
