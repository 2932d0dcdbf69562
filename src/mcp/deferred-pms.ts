/**
 * A PmsApi whose backend starts on demand (the embedded sandbox opens its database after the MCP
 * handshake has been answered). Every call waits for it; if it failed to start, calls fail as unavailable.
 * `start` runs once, on the first call or when `warmUp` is called.
 */
import type { PmsApi } from "../pms/api.js";
import { PmsError } from "../pms/errors.js";

export function deferredPms(start: () => Promise<PmsApi>): { pms: PmsApi; warmUp: () => void } {
  let started: Promise<PmsApi> | undefined;
  const backend = () => {
    started ??= start().catch(() => {
      throw new PmsError("unavailable", "the practice management system failed to start");
    });
    return started;
  };
  const warmUp = () => void backend().catch(() => {}); // the failure is reported to each caller instead

  const pms: PmsApi = {
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
