/**
 * No TurboFan while a stdio proxy loads its modules after the handshake: what runs hot then (zod building the
 * schemas, the module loader resolving chunk URLs) runs once, and optimizing it paged in 3.4 MB of the node
 * binary's compiler code, resident from then on. The calls get TurboFan back once the tools and the PMS client
 * have loaded (it pages that code in again when they run hot). With the young generation kept small
 * (heap-footprint.ts), the proxy's resident memory 1 s after the initialize answer went from 63.8 to 58.8 MiB
 * (each 1.7 MiB more when NODE_EXTRA_CA_CERTS names a CA bundle); latency of search_patients, the first call's
 * included, unchanged.
 *
 * V8 reads the flag each time it decides to optimize a function, so setting it at run time takes effect.
 */
import { setFlagsFromString } from "node:v8";

export function enterLoadingPhase(): void {
  setFlagsFromString("--no-turbofan");
}

export function leaveLoadingPhase(): void {
  setFlagsFromString("--turbofan");
}
