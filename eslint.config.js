import js from "@eslint/js";
import tseslint from "typescript-eslint";

/**
 * The architecture of README.md, enforced: which part of src may import what. Arrows point one way
 * (mcp → pms → contract, sandbox → contract); only cli.ts and config.ts wire mcp and sandbox together.
 * Each entry lists what a folder must not import, as regular expressions over the import specifier;
 * a folder inside another also obeys its parent's list. Static imports, re-exports and dynamic import()
 * are all checked. test/unit/layers.test.ts shows each rule refusing a violation.
 */
const WIRING = {
  regex: "(^|/)(cli|config)(\\.js)?$",
  message: "only the entry point wires the layers: pass values in instead",
};
const LAYERS = [
  {
    folder: "src/contract",
    forbid: [
      { regex: "^(?!zod$|\\./)", message: "src/contract is the wire format: it depends on zod and its own files only" },
    ],
  },
  {
    folder: "src/pms",
    forbid: [
      {
        regex: "(^|/)(mcp|sandbox)/",
        message: "src/pms is the PMS client: it knows the contract, not the MCP server or the sandbox",
      },
      WIRING,
    ],
  },
  {
    folder: "src/mcp",
    forbid: [
      { regex: "(^|/)sandbox/", message: "src/mcp talks to any PMS through src/pms, never to the embedded sandbox" },
      WIRING,
    ],
  },
  {
    folder: "src/sandbox",
    forbid: [
      { regex: "(^|/)(mcp|pms)/", message: "the sandbox is the reference PMS API: it knows the contract only" },
      WIRING,
    ],
  },
  {
    folder: "src/sandbox/domain",
    forbid: [
      {
        regex: "(^|/)(storage|services|http|demo)/",
        message: "the domain is pure rules: services call it, it calls nothing",
      },
      {
        regex: "^(node:)?(fs|http|net|child_process)$|^(pg|better-sqlite3|undici|ioredis)$",
        message: "the domain does no I/O",
      },
    ],
  },
  {
    folder: "src/sandbox/storage",
    forbid: [
      {
        regex: "(^|/)(services|http|demo)/",
        message: "storage is the bottom layer: it may use domain types, nothing above",
      },
    ],
  },
  {
    folder: "src/sandbox/services",
    forbid: [{ regex: "(^|/)(http|demo)/", message: "services are called by the HTTP layer, not the other way round" }],
  },
  {
    folder: "src/sandbox/demo",
    forbid: [{ regex: "(^|/)(storage|services|http)/", message: "demo data is built from domain records only" }],
  },
  {
    folder: "src/log.ts",
    forbid: [{ regex: "^\\.", message: "the logger is a leaf every layer uses: it imports nothing of ours" }],
  },
];

/** Flat config does not merge a rule's options across matching entries: each folder gets its parents' lists too. */
function layerRules() {
  return LAYERS.map(({ folder }) => {
    const forbid = LAYERS.filter((outer) => folder === outer.folder || folder.startsWith(`${outer.folder}/`)).flatMap(
      (layer) => layer.forbid,
    );
    const files = folder.endsWith(".ts") ? [folder] : [`${folder}/**/*.ts`];
    return {
      files,
      rules: {
        "no-restricted-imports": ["error", { patterns: forbid.map(({ regex, message }) => ({ regex, message })) }],
        // import("…") is not an import declaration: the same rules, over the literal specifier.
        "no-restricted-syntax": [
          "error",
          ...forbid.map(({ regex, message }) => ({
            selector: `ImportExpression[source.value=/${regex.replaceAll("/", "\\/")}/]`,
            message,
          })),
        ],
      },
    };
  });
}

export default tseslint.config(
  { ignores: ["dist/**", ".bench/**", "build/**", "node_modules/**", "coverage/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      // stdout belongs to JSON-RPC in stdio mode: log through the stderr logger.
      "no-console": ["error", { allow: ["error", "warn"] }],
    },
  },
  ...layerRules(),
  {
    files: ["bench/**", "test/**", "scripts/**"],
    rules: { "no-console": "off" },
  },
  {
    // Build and packaging scripts run as plain node ESM.
    files: ["scripts/**/*.mjs"],
    languageOptions: { globals: { process: "readonly", console: "readonly", URL: "readonly" } },
  },
);
