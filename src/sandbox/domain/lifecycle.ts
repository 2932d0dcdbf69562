/** The appointment status lifecycle of the guide, as pure decisions over contract ALLOWED_TRANSITIONS. */
import { ALLOWED_TRANSITIONS, type AppointmentStatus } from "../../contract/index.js";

export type TransitionResult = { ok: true } | { ok: false; allowed: AppointmentStatus[]; message: string };

export function transition(from: AppointmentStatus, to: AppointmentStatus): TransitionResult {
  const allowed = [...ALLOWED_TRANSITIONS[from]];
  if (allowed.includes(to)) return { ok: true };
  const message =
    from === to
      ? `The appointment is already ${from}.`
      : allowed.length === 0
        ? `The appointment is ${from}, a final state; it cannot become ${to}. Book a new appointment instead.`
        : `A ${from} appointment cannot become ${to}; it can become ${allowed.join(", ")}.`;
  return { ok: false, allowed, message };
}

/** Only appointments that have not started (scheduled or confirmed) can move to another time. */
export function canReschedule(status: AppointmentStatus): boolean {
  return status === "scheduled" || status === "confirmed";
}
