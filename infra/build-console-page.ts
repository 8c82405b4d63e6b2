/**
 * Builds the console's page into a folder, for the console's asset at synth (`cdk deploy -c console=on`): run as
 * `node --import tsx infra/build-console-page.ts <outDir>` by `consolePageSource` (the CDK's bundling is
 * synchronous, the page's build is not). Calls `buildConsoleAssets(outDir)` of `infra/console-assets.ts`, the
 * console's own build (esbuild: index.html, app.js, app.css); found at run time, so that this file compiles
 * before that one exists.
 */
const outDir = process.argv[2];
if (outDir === undefined || outDir === "") throw new Error("usage: build-console-page.ts <outDir>");
const builderUrl = new URL("./console-assets.js", import.meta.url).href;
const builder: unknown = await import(builderUrl).catch((error: unknown) => {
  throw new Error(`the console's page builder (infra/console-assets.ts) could not be loaded`, {
    cause: error,
  });
});
const build: unknown =
  typeof builder === "object" && builder !== null ? Reflect.get(builder, "buildConsoleAssets") : undefined;
if (typeof build !== "function") {
  throw new Error(
    "infra/console-assets.ts exports no buildConsoleAssets(outDir): the console's page cannot be built",
  );
}
await Reflect.apply(build, undefined, [outDir]);
