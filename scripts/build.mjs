/**
 * The published bin: one esbuild bundle of src/cli.ts (ESM, node20) in dist/, split into chunks so that every
 * dynamic import() in the source stays lazy (the embedded sandbox, PostgreSQL, Redis, ...) and initialize is
 * answered after loading only what it needs. Native modules stay external (they cannot be bundled). No source
 * maps: the package carries only what runs.
 */
import { build } from "esbuild";
import { rm } from "node:fs/promises";

const outdir = new URL("../dist/", import.meta.url).pathname;
await rm(outdir, { recursive: true, force: true });
await build({
  entryPoints: { cli: new URL("../src/cli.ts", import.meta.url).pathname },
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  chunkNames: "chunks/[name]-[hash]",
  external: ["better-sqlite3", "pg-native"],
  // Bundled CommonJS packages call require() for node's built-ins; ESM has none of its own.
  banner: {
    js: 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);',
  },
  minify: true,
  sourcemap: false,
  logLevel: "warning",
});
