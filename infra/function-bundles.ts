/**
 * Every function's bundle built the way `ProjectFunction` has the CDK build it (esbuild with
 * {@link FUNCTION_BUNDLING}: one ES module, minified, with its source map), in memory, with esbuild's metafile
 * to say which inputs make it up. For the bundle budgets (`test/bundles/bundle-budgets.test.ts`) and the bundle
 * benchmark (`npm run bench:bundles`); `cdk synth` bundles through the CDK itself.
 *
 * @module
 */
import { readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build, type Metafile } from "esbuild";
import { FUNCTION_BUNDLING } from "./components/function-bundling.js";
import { InfraConfigError } from "./components/infra-config-error.js";

/** The repository root, where esbuild runs, as the CDK runs it (`projectRoot`). */
const projectRoot = fileURLToPath(new URL("../", import.meta.url));

/** One input of a bundle, or a package's inputs together. */
export interface BundleInput {
  /** A project file (`shared/render/email-renderer.ts`) or a package (`node_modules/mjml-core`). */
  readonly name: string;
  /** Bytes it adds to the minified bundle. */
  readonly bytes: number;
  /** How the entry reaches it: the first import chain found, entry first. */
  readonly via: readonly string[];
}

/** A function's bundle. */
export interface FunctionBundle {
  /** The function's folder under `functions/`. */
  readonly name: string;
  /** Its entry, relative to the repository root (`functions/<name>/handler.ts`). */
  readonly entry: string;
  /** The bundle (`index.mjs`). */
  readonly code: Uint8Array;
  /** Its source map (`index.mjs.map`), as deployed beside it; empty when not asked for. */
  readonly map: Uint8Array;
  /** Inputs grouped by package (project files one by one), largest first. */
  readonly inputs: readonly BundleInput[];
  /** What the bundle imports from outside itself (`node:module`, …), in order: all the runtime must provide. */
  readonly externals: readonly string[];
}

/** The functions' entries: `functions/<name>/handler.ts`, the one entry `ProjectFunction` takes per folder. */
export function functionEntries(root: string = projectRoot): { name: string; entry: string }[] {
  const folder = path.join(root, "functions");
  return readdirSync(folder, { withFileTypes: true })
    .filter((dirent) => dirent.isDirectory())
    .map((dirent) => ({ name: dirent.name, entry: `functions/${dirent.name}/handler.ts` }))
    .filter(({ entry }) => readdirSync(path.join(root, path.dirname(entry))).includes("handler.ts"))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** `node_modules/<package>` (scoped or not) of an input path, whatever precedes it (a worktree's `../main/`). */
function packageOf(input: string): string | undefined {
  const match = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  return match?.[1] === undefined ? undefined : `node_modules/${match[1]}`;
}

/** The first import chain (breadth first) from `entry` to each input of the metafile. */
function importChains(metafile: Metafile, entry: string): Map<string, string[]> {
  const previous = new Map<string, string | undefined>([[entry, undefined]]);
  const queue = [entry];
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    for (const imported of metafile.inputs[file]?.imports ?? []) {
      if (metafile.inputs[imported.path] !== undefined && !previous.has(imported.path)) {
        previous.set(imported.path, file);
        queue.push(imported.path);
      }
    }
  }
  const chains = new Map<string, string[]>();
  for (const file of previous.keys()) {
    const chain: string[] = [];
    for (let at: string | undefined = file; at !== undefined; at = previous.get(at)) chain.unshift(at);
    chains.set(file, chain);
  }
  return chains;
}

/** The output's inputs grouped by package, largest first, each with the chain to its first-reached file. */
function groupInputs(metafile: Metafile, entry: string, output: Metafile["outputs"][string]): BundleInput[] {
  const chains = importChains(metafile, entry);
  const groups = new Map<string, { bytes: number; via: string[] }>();
  for (const [file, { bytesInOutput }] of Object.entries(output.inputs)) {
    const name = packageOf(file) ?? file;
    const via = (chains.get(file) ?? [file]).map((step) => packageOf(step) ?? step);
    const group = groups.get(name);
    if (group === undefined) groups.set(name, { bytes: bytesInOutput, via });
    else {
      group.bytes += bytesInOutput;
      if (via.length < group.via.length) group.via = via;
    }
  }
  return [...groups]
    .map(([name, { bytes, via }]) => ({
      name,
      bytes,
      // Consecutive files of one package read as the package once.
      via: via.filter((step, i) => step !== via[i - 1]),
    }))
    .sort((a, b) => b.bytes - a.bytes);
}

/** Options of {@link bundleFunctions}. */
export interface BundleFunctionsOptions {
  /** @default the repository root */
  readonly root?: string;
  /** @default every function */
  readonly only?: readonly string[];
  /**
   * Write the source maps, as deployed. Off, the code is the same but for its last line (the map's URL), and
   * esbuild is about twice as fast: what the budgets need.
   * @default true
   */
  readonly sourceMap?: boolean;
}

/**
 * Bundles every function (or those `only` names) in one esbuild run, in memory. Rejects with esbuild's error
 * when an entry does not build.
 */
export async function bundleFunctions(options: BundleFunctionsOptions = {}): Promise<FunctionBundle[]> {
  const sourceMap = options.sourceMap ?? FUNCTION_BUNDLING.sourceMap;
  const root = options.root ?? projectRoot;
  const entries = functionEntries(root).filter(({ name }) => options.only?.includes(name) ?? true);
  const outdir = path.join(root, ".tailor", "bundles");
  const result = await build({
    absWorkingDir: root,
    entryPoints: entries.map(({ name, entry }) => ({ in: entry, out: `${name}/index` })),
    outdir,
    outExtension: { ".js": ".mjs" },
    bundle: true,
    platform: FUNCTION_BUNDLING.platform,
    format: FUNCTION_BUNDLING.format,
    target: FUNCTION_BUNDLING.target,
    mainFields: [...FUNCTION_BUNDLING.mainFields],
    banner: { js: FUNCTION_BUNDLING.banner },
    minify: FUNCTION_BUNDLING.minify,
    sourcemap: sourceMap,
    metafile: true,
    write: false,
    logLevel: "silent",
  });
  const fileAt = (relative: string) =>
    result.outputFiles.find((file) => file.path === path.join(outdir, relative))?.contents;
  return entries.map(({ name, entry }) => {
    const codePath = `${name}/${FUNCTION_BUNDLING.outFile}`;
    const code = fileAt(codePath);
    const map = sourceMap ? fileAt(`${codePath}.map`) : new Uint8Array();
    const output = Object.entries(result.metafile.outputs).find(([file]) => file.endsWith(codePath))?.[1];
    if (code === undefined || map === undefined || output === undefined) {
      throw new InfraConfigError(`esbuild wrote no ${codePath} for ${entry}`);
    }
    const externals = [...new Set(output.imports.filter((i) => i.external).map((i) => i.path))].sort();
    return { name, entry, code, map, inputs: groupInputs(result.metafile, entry, output), externals };
  });
}
