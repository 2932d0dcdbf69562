/** Every tool the server offers, in the order of the booking workflow, then the front desk's day. */
import type { z } from "zod";
import { bookAppointment } from "./book-appointment.js";
import { cancelAppointment } from "./cancel-appointment.js";
import { checkAvailability } from "./check-availability.js";
import { addAppointmentNote } from "./add-appointment-note.js";
import { createPatient } from "./create-patient.js";
import type { PrivacyMode } from "../privacy.js";
import type { StaffOnly, ToolDefinition, ToolModes } from "./define-tool.js";
import { findAppointments } from "./find-appointments.js";
import { getPracticeInfo } from "./get-practice-info.js";
import { getSchedule } from "./get-schedule.js";
import { holdSlot } from "./hold-slot.js";
import { listAppointmentTypes } from "./list-appointment-types.js";
import { rescheduleAppointment } from "./reschedule-appointment.js";
import { searchPatients } from "./search-patients.js";
import { updateAppointmentStatus } from "./update-appointment-status.js";

const tools = [
  getPracticeInfo,
  searchPatients,
  createPatient,
  listAppointmentTypes,
  checkAvailability,
  holdSlot,
  bookAppointment,
  findAppointments,
  getSchedule,
  updateAppointmentStatus,
  addAppointmentNote,
  rescheduleAppointment,
  cancelAppointment,
] as const satisfies readonly (ToolDefinition | ToolModes | StaffOnly)[];

/** Each tool as privacy mode `M` serves it, with its literal name and its own schemas. */
export type ServedTool<M extends PrivacyMode> = (typeof tools)[number] extends infer Tool
  ? Tool extends ToolModes<infer Staff, infer Caller>
    ? M extends "staff"
      ? Staff
      : Caller
    : Tool extends StaffOnly<infer Staff>
      ? M extends "staff"
        ? Staff
        : never
      : Tool
  : never;
export type ToolName<M extends PrivacyMode = PrivacyMode> = ServedTool<M>["name"];
/** The structured result of tool `N` in mode `M`, as its output schema yields it (what clients receive). */
export type ToolResult<M extends PrivacyMode, N extends string> = z.output<
  Extract<ServedTool<M>, { name: N }>["outputSchema"]
>;

const byMode = (privacy: PrivacyMode): readonly ToolDefinition[] =>
  tools.flatMap((tool): ToolDefinition[] => {
    if (!("staff" in tool)) return [tool];
    const served = tool[privacy];
    return served === undefined ? [] : [served];
  });
const toolLists: Readonly<Record<PrivacyMode, readonly ToolDefinition[]>> = {
  staff: byMode("staff"),
  caller: byMode("caller"),
};

/** The tools as a privacy mode serves them. */
export function toolsFor(privacy: PrivacyMode): readonly ToolDefinition[] {
  return toolLists[privacy];
}
