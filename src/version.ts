/** The package's version, read from package.json (inlined by the bundler): `--version` and the MCP server report it. */
import packageJson from "../package.json" with { type: "json" };

export const PACKAGE_VERSION: string = packageJson.version;
