/**
 * The published bin: one esbuild bundle of src/cli.ts (ESM, node20) in dist/, split into chunks so that every
 * dynamic import() in the source stays lazy (the embedded sandbox, PostgreSQL, Redis, ...) and initialize is
 * answered after loading only what it needs. Native modules stay external (they cannot be bundled). No source
 * maps: the package carries only what runs.
 */
import { build } from "esbuild";
import { rm } from "node:fs/promises";
import { createRequire } from "node:module";

const root = new URL("../", import.meta.url).pathname;
const require = createRequire(root);

/**
 * `const { Redis } = await import("ioredis")` works in node, which reads a CommonJS module's export names, but a
 * split bundle gives such an import() only `default`. For each package imported that way, a module in front of it
 * names the exports the package has (asked of the package itself), so that the import() finds them.
 */
const namedCommonJsExports = {
  name: "named-commonjs-exports",
  setup(esbuild) {
    esbuild.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.kind !== "dynamic-import" || args.namespace !== "file") return undefined;
      try {
        return { path: args.path, namespace: "commonjs-named", pluginData: Object.keys(require(args.path)) };
      } catch {
        return undefined; // an ES module: its import() has its names already
      }
    });
    esbuild.onLoad({ filter: /.*/, namespace: "commonjs-named" }, (args) => {
      const names = args.pluginData.filter((name) => name !== "default" && /^[A-Za-z_$][\w$]*$/.test(name));
      const specifier = JSON.stringify(args.path);
      return {
        contents: `import m from ${specifier};\nexport default m;\nexport const { ${names.join(", ")} } = m;\n`,
        resolveDir: root,
      };
    });
  },
};

/**
 * zod re-exports every one of its ~45 locales as `z.locales`, so a bundle that imports `z` carries them all:
 * 264 KB of the 454 KB chunk loaded before initialize, compiled on every start. Error messages here are English
 * (zod's default, set by its own schemas module), and nothing reads `z.locales`: the namespace keeps `en` alone.
 */
const zodEnglishOnly = {
  name: "zod-english-only",
  setup(esbuild) {
    esbuild.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) => {
      if (!/[\\/]node_modules[\\/]zod[\\/]/.test(args.importer)) return undefined;
      return { path: `${args.resolveDir}/../locales/en.js`, namespace: "zod-english-only" };
    });
    esbuild.onLoad({ filter: /.*/, namespace: "zod-english-only" }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(args.path)};\n`,
      resolveDir: root,
    }));
  },
};

const outdir = `${root}dist/`;
await rm(outdir, { recursive: true, force: true });
await build({
  // heap-footprint and loading-phase set V8 flags on import and must run before the rest is evaluated; as entry
  // points of their own, their code goes to a shared chunk that cli.js imports ahead of the large ones, where it
  // would otherwise run after them (test/unit/bundle-order.test.ts checks it). Their two entry files go unused.
  entryPoints: {
    cli: `${root}src/cli.ts`,
    "chunks/heap-footprint": `${root}src/heap-footprint.ts`,
    "chunks/loading-phase": `${root}src/loading-phase.ts`,
  },
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
  plugins: [namedCommonJsExports, zodEnglishOnly],
});
