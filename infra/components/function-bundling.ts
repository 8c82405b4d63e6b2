/**
 * How every Lambda function of the app is bundled (esbuild, through `ProjectFunction`), in one place, so that
 * the bundle budgets and the bundle benchmark (`infra/function-bundles.ts`) build exactly what is deployed.
 *
 * @module
 */

/**
 * ESM bundles have no `require`; a CommonJS dependency that calls `require("node:…")` at run time needs one.
 * The names are prefixed so they cannot clash with the bundle's own identifiers.
 */
const esmRequireBanner =
  "import { createRequire as __tailorCreateRequire } from 'node:module';" +
  "const require = __tailorCreateRequire(import.meta.url);";

/** The esbuild settings of every function: an ES module for Node 22, minified, with a source map. */
export const FUNCTION_BUNDLING = {
  /** `OutputFormat.ESM` for the CDK. */
  format: "esm",
  target: "node22",
  platform: "node",
  mainFields: ["module", "main"],
  banner: esmRequireBanner,
  minify: true,
  sourceMap: true,
  /** The file name the CDK gives an ESM bundle. */
  outFile: "index.mjs",
} as const;
