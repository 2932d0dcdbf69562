/**
 * A PmsApi whose backend starts on demand (the embedded sandbox opens its database after the MCP
 * handshake has been answered). Every call waits for it. A failed start is logged and reported to the
 * caller as unavailable, and forgotten, so that a later call tries again (a database that was not up yet).
 * `start` runs on the first call or when `warmUp` is called, and again only after a failure.
 */
import type { Logger } from "../log.js";
import { callRoute, routeMethods, type PmsApi } from "../pms/api.js";
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
    orgId: async (options) => (await backend()).orgId(options),
    ...routeMethods(async (name, input, options) => callRoute(await backend(), name, input, options)),
  };
  return { pms, warmUp };
}
