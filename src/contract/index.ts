export * from "./common.js";
export * from "./date-time.js";
export * from "./text.js";
export * from "./patients.js";
export * from "./scheduling.js";
export * from "./problem.js";
export * from "./routes.js";
