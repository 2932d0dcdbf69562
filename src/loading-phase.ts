/**
 * No TurboFan while a proxy of a PMS (PMS_BASE_URL set) loads its modules: what runs hot then (zod building the
 * schemas, the module loader resolving chunk URLs) runs once, and optimizing it paged in 3.4 MB of the node
 * binary's compiler code. TurboFan comes back once the tools and the PMS client have loaded (it pages that code
 * in again when the calls run hot); the first call is not slower for it. Without PMS_BASE_URL the bin starts the
 * embedded demo practice, hot work that TurboFan speeds up, and V8 keeps its defaults.
 *
 * Importing this module starts the phase: cli.ts imports it second, after heap-footprint.ts. V8 reads the flag
 * each time it decides to optimize a function, so setting it at run time takes effect. A `--turbofan` or
 * `--no-turbofan` the user gave node is left alone.
 */
import { setFlagsFromString } from "node:v8";

let loadingPhase =
  Boolean(process.env.PMS_BASE_URL) &&
  !/--(no-)?turbofan\b/.test([...process.execArgv, process.env.NODE_OPTIONS ?? ""].join(" "));
if (loadingPhase) setFlagsFromString("--no-turbofan");

/** Gives TurboFan back, once. */
export function leaveLoadingPhase(): void {
  if (!loadingPhase) return;
  loadingPhase = false;
  setFlagsFromString("--turbofan");
}
