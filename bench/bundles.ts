/**
 * `npm run bench:bundles`: each function's code package as deployed (`writeFunctionAssets`: the bundle, esbuild
 * with the `ProjectFunction` settings, minified, with its source map, and what the CDK's hooks add beside it: the
 * definitions, dispatch's compiled templates) — its size unzipped and zipped — and its cold start: a fresh Node
 * process (`--enable-source-maps`, as the functions run) that imports the bundle alone, in its code package
 * (no node_modules), with the function's environment from the synthesised template (its paths inside the
 * package), and so runs its init (environment checks, SDK clients, definitions read, dispatch's templates parsed). The median of `BENCH_BUNDLE_RUNS` runs
 * (default 5) per function; a benchmark, not a test. `BENCH_BUNDLES_ROOT` bundles another checkout (e.g. an
 * older commit, for a before and after); `BENCH_BUNDLES_SOURCE_MAPS=0` starts Node without
 * `--enable-source-maps`, to see what the maps cost.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { deflateRawSync } from "node:zlib";
import { synthTemplate } from "../infra/app.js";
import { type FunctionAsset, writeFunctionAssets } from "../infra/function-assets.js";
import { bundleFunctions, type FunctionBundle } from "../infra/function-bundles.js";
import { localFunctionEnvironment, withLocalReplacements } from "../infra/local/function-env.js";
import { type FunctionSpec, planResources } from "../infra/local/resource-plan.js";
import { localAccountId, localRegion } from "../infra/local/sdk-env.js";
import { writeCompiledTemplates } from "../shared/render/compile/index.js";

const repositoryRoot = fileURLToPath(new URL("..", import.meta.url));

/** Nothing listens there: an init that called AWS would fail fast instead of hanging. */
const NO_AWS = "http://127.0.0.1:9";

/** A child's output: how long the import of the bundle took, in ms, seen from inside the process. */
const CHILD = `const t0 = performance.now();
await import(${JSON.stringify("./index.mjs")});
process.stdout.write(JSON.stringify({ importMs: performance.now() - t0 }));`;

interface ColdStart {
  /** Spawn to exit of the whole process: Node's own start, the import, the init. */
  readonly processMs: number;
  /** The import of the bundle alone (loading, evaluating, the init at module scope). */
  readonly importMs: number;
}

/** Node's flags, as the functions' `NODE_OPTIONS` set them (unless told to leave the maps out). */
const NODE_FLAGS = process.env.BENCH_BUNDLES_SOURCE_MAPS === "0" ? [] : ["--enable-source-maps"];

/** Runs one cold start of the bundle in `dir`. */
function coldStart(dir: string, env: Readonly<Record<string, string>>): Promise<ColdStart> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ["--enable-source-maps", "--input-type=module", "--eval", CHILD], {
      cwd: dir,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      err += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) => {
      const processMs = performance.now() - started;
      const importMs: unknown = code === 0 ? Reflect.get(JSON.parse(out), "importMs") : undefined;
      if (typeof importMs === "number") resolve({ processMs, importMs });
      else reject(new Error(`${dir}: the bundle's init failed (exit ${code}):\n${err.trim().slice(-2000)}`));
    });
  });
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
};

/** The median of `runs` cold starts, one after the other. */
async function medianColdStart(
  dir: string,
  env: Readonly<Record<string, string>>,
  runs: number,
): Promise<ColdStart> {
  const times: ColdStart[] = [];
  for (let i = 0; i < runs; i++) times.push(await coldStart(dir, env));
  return {
    processMs: median(times.map((t) => t.processMs)),
    importMs: median(times.map((t) => t.importMs)),
  };
}

/**
 * The functions of the template with a local environment: the link secret as a file in `dir`, and, for bundles
 * without their code packages (`packages` off), the templates compiled into `dir`.
 */
async function functionSpecs(dir: string, packages: boolean): Promise<FunctionSpec[]> {
  const plan = planResources(synthTemplate(), {
    region: localRegion,
    accountId: localAccountId,
    sqsEndpoint: NO_AWS,
  });
  const secretFiles = new Map<string, string>();
  for (const secret of plan.secrets) {
    const file = path.join(dir, `secret-${secret.name}`);
    writeFileSync(file, "s".repeat(48));
    secretFiles.set(secret.arn, file);
  }
  // Without the package: the templates the dispatch bundle carries, compiled as its bundling hook compiles them.
  const templatesFile = packages ? undefined : path.join(dir, "compiled-templates.json");
  if (templatesFile !== undefined) {
    await writeCompiledTemplates(path.join(repositoryRoot, "templates"), templatesFile);
  }
  return withLocalReplacements(
    plan.functions,
    { secretFiles, apiEndpoints: new Map(), templatesFile },
    () => undefined,
  );
}

/** One line of the table. */
interface Row {
  readonly name: string;
  readonly codeBytes: number;
  readonly unzippedBytes: number;
  readonly zippedBytes: number;
  readonly cold: ColdStart;
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(2)} MB`;

/** Every file of a folder, recursively. */
const filesOf = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((dirent) => dirent.isFile())
    .map((dirent) => path.join(dirent.parentPath, dirent.name));

/** A zip's bytes per file besides its deflated content and name: local header (30), central directory entry (46). */
const ZIP_ENTRY_BYTES = 76;

/** The sizes of a code package: its files, and a zip of them (deflate, as Lambda stores it). */
function packageSizes(dir: string): { unzipped: number; zipped: number } {
  let unzipped = 0;
  let zipped = 22; // the end of central directory record
  for (const file of filesOf(dir)) {
    const bytes = readFileSync(file);
    unzipped += bytes.length;
    zipped +=
      deflateRawSync(bytes).length + ZIP_ENTRY_BYTES + 2 * Buffer.byteLength(path.relative(dir, file));
  }
  return { unzipped, zipped };
}

/** A bundle without its package (another checkout): written alone into `<dir>/<name>/`. */
function writeBundleAlone(dir: string, bundle: FunctionBundle): string {
  const bundleDir = path.join(dir, bundle.name);
  mkdirSync(bundleDir);
  writeFileSync(path.join(bundleDir, "index.mjs"), bundle.code);
  writeFileSync(path.join(bundleDir, "index.mjs.map"), bundle.map);
  return bundleDir;
}

/** Measures every function: lines to print (a Markdown table). */
export async function bundlesBench(log: (line: string) => void): Promise<string[]> {
  const root = path.resolve(process.env.BENCH_BUNDLES_ROOT ?? repositoryRoot);
  const runs = Math.max(1, Number(process.env.BENCH_BUNDLE_RUNS ?? 5) || 5);
  const dir = mkdtempSync(path.join(tmpdir(), "tailor-bench-bundles-"));
  try {
    log(`bundling every function of ${root} (esbuild, minified, with source maps)…`);
    // This checkout: the code packages as `cdk deploy` ships them; another: its bundles alone (its hooks are
    // its app's, which this one cannot build).
    const packages: readonly FunctionAsset[] | undefined =
      root === path.resolve(repositoryRoot) ? await writeFunctionAssets({ dir }) : undefined;
    const bundles: readonly FunctionBundle[] =
      packages?.map((asset) => asset.bundle) ?? (await bundleFunctions({ root }));
    const specs = await functionSpecs(dir, packages !== undefined);
    const rows: Row[] = [];
    for (const bundle of bundles) {
      const spec = specs.find((fn) => fn.entry === bundle.entry);
      if (spec === undefined) throw new Error(`no function of the template has the entry ${bundle.entry}`);
      const packageDir = packages?.find((asset) => asset.name === bundle.name)?.dir;
      const bundleDir = packageDir ?? writeBundleAlone(dir, bundle);
      const env = {
        PATH: process.env.PATH ?? "",
        // In its package, the function's `*_DIR` and `*_FILE` resolve there, as in Lambda's task root.
        ...localFunctionEnvironment(spec, packageDir ?? repositoryRoot),
        AWS_REGION: localRegion,
        AWS_ACCESS_KEY_ID: "bench",
        AWS_SECRET_ACCESS_KEY: "bench",
        AWS_ENDPOINT_URL: NO_AWS,
      };
      const cold = await medianColdStart(bundleDir, env, runs);
      // Lambda's code package is a zip of the asset's files.
      const sizes = packageSizes(bundleDir);
      const zippedBytes = sizes.zipped;
      const row = {
        name: bundle.name,
        codeBytes: bundle.code.length,
        unzippedBytes: sizes.unzipped,
        zippedBytes,
        cold,
      };
      log(
        `  ${row.name}: ${mb(row.codeBytes)} code, ${mb(row.unzippedBytes)} package, ${mb(zippedBytes)} zipped; ` +
          `cold start ${cold.processMs.toFixed(0)} ms (import and init ${cold.importMs.toFixed(0)} ms)`,
      );
      rows.push(row);
    }
    // Node alone importing an empty module: the floor under every process figure.
    const empty = path.join(dir, "empty");
    mkdirSync(empty);
    writeFileSync(path.join(empty, "index.mjs"), "");
    const node = await medianColdStart(empty, { PATH: process.env.PATH ?? "" }, runs);
    return [
      `| function | bundle (index.mjs) | code package | zipped | cold start: process | of which import + init |`,
      `|---|---:|---:|---:|---:|---:|`,
      ...rows.map(
        (row) =>
          `| ${row.name} | ${mb(row.codeBytes)} | ${mb(row.unzippedBytes)} | ${mb(row.zippedBytes)} | ` +
          `${row.cold.processMs.toFixed(0)} ms | ${row.cold.importMs.toFixed(0)} ms |`,
      ),
      `| (node, empty module) | | | | ${node.processMs.toFixed(0)} ms | ${node.importMs.toFixed(0)} ms |`,
      "",
      `Median of ${runs} cold starts each, ${["node", process.version, ...NODE_FLAGS].join(" ")}, ` +
        `${new Date().toISOString().slice(0, 10)}.`,
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const lines = await bundlesBench((line) => process.stderr.write(`${line}\n`));
  process.stdout.write(`${lines.join("\n")}\n`);
}
