/** Every tool the server offers, in the order of the booking workflow. */
import { bookAppointment } from "./book-appointment.js";
import { cancelAppointment } from "./cancel-appointment.js";
import { checkAvailability } from "./check-availability.js";
import { confirmAppointment } from "./confirm-appointment.js";
import { createPatient } from "./create-patient.js";
import type { ToolDefinition } from "./define-tool.js";
import { findAppointments } from "./find-appointments.js";
import { getPracticeInfo } from "./get-practice-info.js";
import { listAppointmentTypes } from "./list-appointment-types.js";
import { rescheduleAppointment } from "./reschedule-appointment.js";
import { searchPatients } from "./search-patients.js";

export const tools: readonly ToolDefinition[] = [
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
