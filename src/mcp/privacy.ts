/**
 * Who the server talks to, which decides what the tools disclose and whom they act for. A setting of the
 * whole server (config.ts reads it, every layer of src/mcp obeys it), hence its own module.
 */

/** "staff": full records. "caller": a bot answering the public — verify identity, disclose nothing else. */
export const PRIVACY_MODES = ["staff", "caller"] as const;
export type PrivacyMode = (typeof PRIVACY_MODES)[number];
