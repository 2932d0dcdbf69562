/**
 * A PmsApi whose backend starts on demand (the embedded sandbox opens its database after the MCP
 * handshake has been answered). Every call waits for it. A failed start is logged and reported to the
 * caller as unavailable (with the start's lasting cause, if it gave one as a PmsError), and forgotten, so that a
 * later call tries again (a database that was not up yet).
 * `start` runs on the first call or when `warmUp` is called, and again only after a failure; `warmUp` resolves
 * once it has been tried.
 */
import type { Logger } from "../log.js";
import { callRoute, routeMethods, type PmsApi } from "../pms/api.js";
import { PmsError, type PmsCall } from "../pms/errors.js";

export function deferredPms(
  start: () => Promise<PmsApi>,
  logger: Logger,
): { pms: PmsApi; warmUp: () => Promise<void> } {
  let started: Promise<PmsApi> | undefined;
  const backend = () => {
    started ??= start().catch((error: unknown) => {
      started = undefined;
      // Start-up failures name the database or port at fault, not patient data.
      logger.error("pms_start_failed", {
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      });
      throw error;
    });
    return started;
  };
  // Resolves once the start has been tried; its failure is reported to each caller instead.
  const warmUp = () =>
    backend().then(
      () => {},
      () => {},
    );
  /** The backend for one call, or that call's failure: the PMS is not there, and nothing was sent. */
  const backendFor = (call: PmsCall) =>
    backend().catch((error: unknown) => {
      const startFailure = error instanceof PmsError ? error.facts.startFailure : undefined;
      throw new PmsError("unavailable", { call, transport: "not_started", ...(startFailure && { startFailure }) });
    });

  const pms: PmsApi = {
    orgId: async (options) => (await backendFor("orgId")).orgId(options),
    ...routeMethods(async (name, input, options) => callRoute(await backendFor(name), name, input, options)),
  };
  return { pms, warmUp };
}
