/**
 * What a caller-mode tool may act on: only the patient its caller_pass names. The pass is checked before
 * anything is read, and an appointment of somebody else is refused exactly as one that does not exist,
 * so that neither a guessed pass nor a harvested uuid learns anything.
 */
import type { Appointment } from "../contract/index.js";
import { PmsError } from "../pms/errors.js";
import { AppointmentNotFound } from "./tool-error.js";
import type { CallerToolContext } from "./tools/define-tool.js";

/** The uuid of the patient the caller_pass was issued to by this practice; CallerPassRefused otherwise. */
export async function verifiedPatient(callerPass: string, context: CallerToolContext): Promise<string> {
  const org = await context.pms.orgId({ signal: context.signal });
  return context.guard.patientOf(callerPass, org, context.now());
}

/** The appointment, when it is the verified patient's; AppointmentNotFound alike when it is missing or another's. */
export async function callersAppointment(
  appointmentUuid: string,
  callerPass: string,
  context: CallerToolContext,
): Promise<Appointment> {
  const patientUuid = await verifiedPatient(callerPass, context);
  let appointment: Appointment;
  try {
    const params = { appointment_uuid: appointmentUuid };
    appointment = await context.pms.getAppointment({ params }, { signal: context.signal });
  } catch (error) {
    if (error instanceof PmsError && error.kind === "not_found") throw new AppointmentNotFound();
    throw error;
  }
  if (appointment.patient.uuid !== patientUuid) throw new AppointmentNotFound();
  return appointment;
}
