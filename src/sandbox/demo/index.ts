/** Generated practices: the demo seed of the sandbox, and scaled-up ones for benchmarks. */
export { buildDemoPractice } from "./practice.js";
export { buildScaledPractice } from "./scaled.js";
export { DEMO_ORG_UUID, GUIDE_UUIDS } from "./guide.js";
export { LOCATION_UUIDS, PROVIDER_UUIDS } from "./catalog.js";
