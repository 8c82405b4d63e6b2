/**
 * Every function's code asset as the CDK makes it for `cdk deploy`, without a bundling synth: the bundle
 * ({@link bundleFunctions}: esbuild with the settings `ProjectFunction` gives the CDK, byte for byte the CDK's
 * `index.mjs`) and what `ProjectFunction`'s command hooks add beside it (the bundled folders, dispatch's compiled
 * templates), run as the CDK's local bundling runs them: each command through `bash -c` in the project root, the
 * project root as the input folder and the asset folder as the output. For the test that runs the deployed code
 * alone on the local stack (`test/long/bundles-alone.long.ts`) and `tailor`'s local stack
 * (`startLocalStack({ bundles })`).
 *
 * The CDK leaves no module external (`bundleAwsSDK: true`): an asset needs nothing from the runtime but Node's
 * own modules ({@link FunctionBundle.externals} lists what a bundle imports from outside itself).
 *
 * @module
 */
import { execFile } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { ICommandHooks } from "aws-cdk-lib/aws-lambda-nodejs";
import { buildApp } from "./app.js";
import { FUNCTION_BUNDLING } from "./components/function-bundling.js";
import { InfraConfigError } from "./components/infra-config-error.js";
import { ProjectFunction } from "./components/project-function.js";
import { bundleFunctions, type FunctionBundle } from "./function-bundles.js";
import { LOCAL_SMS_SETTINGS, LOCAL_STACK_SETTINGS } from "./local-settings.js";

/** The repository root: the CDK's `projectRoot`, where the hooks' commands run. */
const projectRoot = fileURLToPath(new URL("../", import.meta.url));

/** A function's code asset, written. */
export interface FunctionAsset {
  /** The function's folder under `functions/`. */
  readonly name: string;
  /** Its entry, relative to the repository root (`functions/<name>/handler.ts`). */
  readonly entry: string;
  /** The asset's folder: what Lambda unpacks into its task root (`/var/task`), its working directory. */
  readonly dir: string;
  /** The bundle in it (`<dir>/index.mjs`), the module Lambda imports. */
  readonly file: string;
  /** The bundle as built, with its inputs and externals. */
  readonly bundle: FunctionBundle;
}

/** Options of {@link writeFunctionAssets}. */
export interface WriteFunctionAssetsOptions {
  /** The folder to write into, one sub-folder per function (`<dir>/<name>/`); it should hold nothing else. */
  readonly dir: string;
  /** @default every function */
  readonly only?: readonly string[];
  /** @default true, as deployed */
  readonly sourceMap?: boolean;
}

/**
 * What `ProjectFunction`s with one entry ask the CDK to run around esbuild, by entry: in the app with its optional
 * functions on (SMS's feedback), so every function the product can deploy is found.
 */
function commandHooksByEntry(): Map<string, ICommandHooks | undefined> {
  const { stack } = buildApp({
    bundling: false,
    checks: false,
    settings: { ...LOCAL_STACK_SETTINGS, ...LOCAL_SMS_SETTINGS },
  });
  const hooks = new Map<string, ICommandHooks | undefined>();
  const commands = new Map<string, string>();
  for (const construct of stack.node.findAll()) {
    if (!(construct instanceof ProjectFunction)) continue;
    const entry = path.relative(projectRoot, construct.entry).split(path.sep).join("/");
    const given = construct.commandHooks;
    const said = JSON.stringify([
      given?.beforeBundling(projectRoot, "OUT") ?? [],
      given?.afterBundling(projectRoot, "OUT") ?? [],
    ]);
    const known = commands.get(entry);
    if (known !== undefined && known !== said) {
      throw new InfraConfigError(`${entry}: its functions complete their code assets differently`);
    }
    commands.set(entry, said);
    hooks.set(entry, given);
  }
  return hooks;
}

/** Runs hook commands as the CDK's local bundling does: one `bash -c` each, in the project root. */
async function runCommands(commands: readonly string[], entry: string): Promise<void> {
  for (const command of commands) {
    try {
      await promisify(execFile)("bash", ["-c", command], { cwd: projectRoot });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new InfraConfigError(`${entry}: the bundling command failed: ${command}\n${reason}`);
    }
  }
}

/**
 * Writes every function's code asset (or those `only` names) into `<dir>/<name>/`, as the CDK would stage it:
 * the hooks' `beforeBundling` commands, the bundle and its map, then the `afterBundling` commands. A function
 * that no `ProjectFunction` of the app builds rejects with an {@link InfraConfigError}, as does a failing command.
 */
export async function writeFunctionAssets(options: WriteFunctionAssetsOptions): Promise<FunctionAsset[]> {
  const hooks = commandHooksByEntry();
  const bundles = await bundleFunctions({ only: options.only, sourceMap: options.sourceMap });
  const assets: FunctionAsset[] = [];
  for (const bundle of bundles) {
    if (!hooks.has(bundle.entry)) {
      throw new InfraConfigError(`${bundle.entry}: no function of the app is built from it`);
    }
    const given = hooks.get(bundle.entry);
    const dir = path.join(options.dir, bundle.name);
    const file = path.join(dir, FUNCTION_BUNDLING.outFile);
    mkdirSync(dir, { recursive: true });
    await runCommands(given?.beforeBundling(projectRoot, dir) ?? [], bundle.entry);
    writeFileSync(file, bundle.code);
    if (bundle.map.length > 0) writeFileSync(`${file}.map`, bundle.map);
    await runCommands(given?.afterBundling(projectRoot, dir) ?? [], bundle.entry);
    assets.push({ name: bundle.name, entry: bundle.entry, dir, file, bundle });
  }
  return assets;
}
