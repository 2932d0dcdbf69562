/**
 * V8 sizes its heap for throughput: the young generation grows to 2 × 16 MiB as soon as objects survive, and
 * the old generation may double before its next full collection. For this server that is most of its memory:
 * after 1,000 tool calls with the embedded PMS the JavaScript heap holds about 20 MiB of live objects (two
 * fifths of it compiled code) in 70 MiB of pages. Keeping the young generation at its initial 2 × 1 MiB and
 * letting the old one grow by a fifth brings the pages to about 30 MiB, for a scavenge every few calls
 * (sub-millisecond each; `npm run bench` shows both sides).
 *
 * Both flags are read at each collection, so setting them at start-up takes effect; sizes given by the user
 * (NODE_OPTIONS or node's own arguments) are left as they are. Importing this module applies them: cli.ts imports
 * it before anything else, since loading the configuration's schemas already grows the young generation.
 */
import { setFlagsFromString } from "node:v8";

const USER_SIZED = /--(max|min)-semi-space-size|--semi-space-growth-factor|--heap-growing-percent|--optimize-for-size/;

function keepHeapSmall(): void {
  if (USER_SIZED.test([...process.execArgv, process.env.NODE_OPTIONS ?? ""].join(" "))) return;
  setFlagsFromString("--semi-space-growth-factor=1");
  setFlagsFromString("--heap-growing-percent=20");
}

keepHeapSmall();
