/** Every tool the server offers, in the order of the booking workflow. */
import { bookAppointment } from "./book-appointment.js";
import { cancelAppointment } from "./cancel-appointment.js";
import { checkAvailability } from "./check-availability.js";
import { confirmAppointment } from "./confirm-appointment.js";
import { createPatient } from "./create-patient.js";
import type { PrivacyMode } from "../privacy.js";
import type { ToolDefinition, ToolModes } from "./define-tool.js";
import { findAppointments } from "./find-appointments.js";
import { getPracticeInfo } from "./get-practice-info.js";
import { listAppointmentTypes } from "./list-appointment-types.js";
import { rescheduleAppointment } from "./reschedule-appointment.js";
import { searchPatients } from "./search-patients.js";

const tools: readonly (ToolDefinition | ToolModes)[] = [
  getPracticeInfo,
  searchPatients,
  createPatient,
  listAppointmentTypes,
  checkAvailability,
  bookAppointment,
  findAppointments,
  rescheduleAppointment,
  cancelAppointment,
  confirmAppointment,
];

const byMode = (privacy: PrivacyMode) => tools.map((tool) => ("staff" in tool ? tool[privacy] : tool));
const toolLists: Readonly<Record<PrivacyMode, readonly ToolDefinition[]>> = { staff: byMode("staff"), caller: byMode("caller") };

/** The tools as a privacy mode serves them. */
export function toolsFor(privacy: PrivacyMode): readonly ToolDefinition[] {
  return toolLists[privacy];
}
