/**
 * `npm run bench`: every benchmark of the project in one run, so that the figures are ratios measured
 * side by side on the same (noisy, shared) machine.
 */
import { benchSandbox } from "./sandbox.js";
import { benchMcp } from "./mcp.js";
import { benchPostgres } from "./postgres.js";

const report = (line: string) => console.log(line);

await benchSandbox(report);
await benchMcp(report);
await benchPostgres(report);
