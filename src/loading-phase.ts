/**
 * No TurboFan while a stdio proxy loads its modules after the handshake: what runs hot then (zod building the
 * schemas, the module loader resolving chunk URLs) runs once, and optimizing it paged in 3.4 MB of the node
 * binary's compiler code, resident from then on. The calls get TurboFan back once the tools and the PMS client
 * have loaded (it pages that code in again when they run hot); latency of search_patients, the first call's
 * included, is unchanged.
 *
 * V8 reads the flag each time it decides to optimize a function, so setting it at run time takes effect.
 */
import { setFlagsFromString } from "node:v8";

let loadingPhase = false;

export function enterLoadingPhase(): void {
  loadingPhase = true;
  setFlagsFromString("--no-turbofan");
}

/** Gives TurboFan back if enterLoadingPhase took it (and leaves alone a `--no-turbofan` the user gave node). */
export function leaveLoadingPhase(): void {
  if (!loadingPhase) return;
  loadingPhase = false;
  setFlagsFromString("--turbofan");
}
