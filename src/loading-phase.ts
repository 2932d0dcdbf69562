/**
 * V8 settings for the loading that follows a stdio proxy's handshake. Measured with the bench's figure (VmRSS
 * 1 s after the initialize answer, proxy mode): 63.8 MiB with V8's defaults, 58.8 MiB with these (each 1.7 MiB
 * more when NODE_EXTRA_CA_CERTS names a CA bundle, as on the bench machine); latency of search_patients, the
 * first call's included, unchanged once they are lifted.
 *
 * - The young generation grows no further than the 2 × 2 MB it has once the configuration has loaded. Most of
 *   what loading modules allocates survives, which V8 takes for a workload that needs a bigger young
 *   generation: it doubled it up to 2 × 8 MB, memory that then stayed resident and no call needs. Kept that
 *   small for the calls too, search_patients was 3% slower (a scavenge every ten calls), hence V8's default
 *   again once loaded.
 * - No TurboFan: what runs hot while loading (zod building the schemas, the module loader resolving chunk
 *   URLs) runs once, and optimizing it paged in 3.4 MB of the node binary's compiler code. The calls get
 *   TurboFan back (it pages that code in again once they run hot, as before).
 *
 * V8 reads both flags each time it decides (to grow that space, to optimize a function), so setting them at run
 * time takes effect; a semi-space size would not (V8 sizes the heap once, at start).
 */
import { setFlagsFromString } from "node:v8";

const LOADING = ["--semi-space-growth-factor=1", "--no-turbofan"];
const SERVING = ["--semi-space-growth-factor=2", "--turbofan"];

export function enterLoadingPhase(): void {
  for (const flag of LOADING) setFlagsFromString(flag);
}

export function leaveLoadingPhase(): void {
  for (const flag of SERVING) setFlagsFromString(flag);
}
