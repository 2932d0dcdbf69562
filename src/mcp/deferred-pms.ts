/**
 * A PmsApi whose backend starts on demand (the embedded sandbox opens its database after the MCP
 * handshake has been answered). Every call waits for it. A failed start is logged and reported to the
 * caller as unavailable, and forgotten, so that a later call tries again (a database that was not up yet).
 * `start` runs on the first call or when `warmUp` is called, and again only after a failure.
 */
import type { Logger } from "../log.js";
import type { PmsApi } from "../pms/api.js";
import { PmsError } from "../pms/errors.js";

export function deferredPms(start: () => Promise<PmsApi>, logger: Logger): { pms: PmsApi; warmUp: () => void } {
  let started: Promise<PmsApi> | undefined;
  const backend = () => {
    started ??= start().catch((error: unknown) => {
      started = undefined;
      // Start-up failures name the database or port at fault, not patient data.
      logger.error("pms_start_failed", { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
      throw new PmsError("unavailable", "the practice management system failed to start");
    });
    return started;
  };
  const warmUp = () => void backend().catch(() => {}); // the failure is reported to each caller instead

  const pms: PmsApi = {
    orgId: async (...a) => (await backend()).orgId(...a),
    searchPatients: async (...a) => (await backend()).searchPatients(...a),
    getPatient: async (...a) => (await backend()).getPatient(...a),
    createPatient: async (...a) => (await backend()).createPatient(...a),
    listAppointmentTypes: async (...a) => (await backend()).listAppointmentTypes(...a),
    listProviders: async (...a) => (await backend()).listProviders(...a),
    listLocations: async (...a) => (await backend()).listLocations(...a),
    checkAvailability: async (...a) => (await backend()).checkAvailability(...a),
    createAppointment: async (...a) => (await backend()).createAppointment(...a),
    listAppointments: async (...a) => (await backend()).listAppointments(...a),
    getAppointment: async (...a) => (await backend()).getAppointment(...a),
    updateAppointment: async (...a) => (await backend()).updateAppointment(...a),
    changeAppointmentStatus: async (...a) => (await backend()).changeAppointmentStatus(...a),
    addAppointmentNote: async (...a) => (await backend()).addAppointmentNote(...a),
  };
  return { pms, warmUp };
}
