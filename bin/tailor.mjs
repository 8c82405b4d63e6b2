#!/usr/bin/env node
// `npx tailor`: runs the CLI (bin/tailor.ts) compiled ahead into .tailor/cli/ by esbuild, rebuilt first whenever a
// file it was built from changed (size or modification time), so an edit is never run stale. Each command is a
// chunk of its own, loaded only when that command runs. When the build fails (or TAILOR_BUILD=0), it runs
// bin/tailor.ts through tsx instead, as before. It runs on Node ≥ 22.13 (node:sqlite); on an older Node it starts
// the Node 22 that `npm install` brings (the `node` package, in node_modules/.bin), except for the help.
import { spawn } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const bin = path.join(root, "node_modules", ".bin");
const buildRoot = path.join(root, ".tailor", "cli");
const stampFile = path.join(buildRoot, "current.json");
const args = process.argv.slice(2);
/** Bumped when the build options below change, so that older builds are not used. */
const BUILD_FORMAT = 1;
/** Builds other than the current one are removed once this old (a long-running `tailor up` may still use one). */
const KEEP_OLD_BUILDS_MS = 24 * 3_600_000;

const signature = (file) => {
  const stat = statSync(path.join(root, file), { throwIfNoEntry: false });
  return stat === undefined ? "missing" : `${stat.size}:${stat.mtimeMs}`;
};

/** The entry of the current build, if every file it was built from is as it was then. */
function freshBuild() {
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(stampFile, "utf8"));
  } catch {
    return undefined;
  }
  if (stamp?.format !== BUILD_FORMAT || typeof stamp.dir !== "string" || typeof stamp.inputs !== "object") {
    return undefined;
  }
  for (const [file, seen] of Object.entries(stamp.inputs)) if (signature(file) !== seen) return undefined;
  const entry = path.join(buildRoot, stamp.dir, "tailor.js");
  return existsSync(entry) ? entry : undefined;
}

/**
 * Keeps each module's `import.meta.url` its source file's (code finds the repository's folders from it): a
 * module that uses it gets a constant with its own URL, which `define` puts in place of the expression.
 */
const sourceUrls = {
  name: "tailor-source-urls",
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, async (args) => {
      const source = await readFile(args.path, "utf8");
      if (!source.includes("import.meta.url")) return { contents: source, loader: "ts" };
      const url = JSON.stringify(pathToFileURL(args.path).href);
      return { contents: `const __tailorSourceUrl = ${url};\n${source}`, loader: "ts" };
    });
  },
};

/** Builds the CLI into a new folder of .tailor/cli/, records it as the current build, and returns its entry. */
async function build() {
  const esbuild = await import("esbuild");
  const started = Date.now();
  const dir = `${started.toString(36)}-${process.pid}`;
  const outdir = path.join(buildRoot, dir);
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: { tailor: "bin/tailor.ts" },
    outdir,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    // Dependencies load from node_modules as they are: the emulators have native and optional parts.
    packages: "external",
    define: { "import.meta.url": "__tailorSourceUrl" },
    plugins: [sourceUrls],
    chunkNames: "chunks/[name]-[hash]",
    sourcemap: true,
    metafile: true,
    logLevel: "silent",
  });
  const inputs = {};
  let changedMeanwhile = false;
  for (const file of [...Object.keys(result.metafile.inputs), "tsconfig.json", "bin/tailor.mjs"]) {
    inputs[file] = signature(file);
    const stat = statSync(path.join(root, file), { throwIfNoEntry: false });
    if (stat !== undefined && stat.mtimeMs >= started) changedMeanwhile = true;
  }
  const entry = path.join(outdir, "tailor.js");
  // A file edited during the build: run this build once, but build again next time.
  if (changedMeanwhile) return entry;
  const temporary = `${stampFile}.${process.pid}`;
  writeFileSync(
    temporary,
    `${JSON.stringify({ format: BUILD_FORMAT, dir, builtAt: new Date(started), inputs })}\n`,
  );
  renameSync(temporary, stampFile);
  for (const old of readdirSync(buildRoot, { withFileTypes: true })) {
    if (!old.isDirectory() || old.name === dir) continue;
    const at = statSync(path.join(buildRoot, old.name)).mtimeMs;
    if (started - at > KEEP_OLD_BUILDS_MS)
      rmSync(path.join(buildRoot, old.name), { recursive: true, force: true });
  }
  return entry;
}

/** The compiled entry to run: the current build, or a new one; `undefined` when it cannot be built. */
async function compiledEntry() {
  if (process.env.TAILOR_BUILD === "0") return undefined;
  const fresh = freshBuild();
  if (fresh !== undefined) return fresh;
  try {
    mkdirSync(buildRoot, { recursive: true });
    return await build();
  } catch (error) {
    const first = error?.errors?.[0];
    const where =
      first?.location === undefined || first.location === null
        ? ""
        : ` (${first.location.file}:${first.location.line})`;
    const why =
      first === undefined ? String(error?.message ?? error).split("\n")[0] : `${first.text}${where}`;
    process.stderr.write(`tailor: could not compile the CLI ahead (${why}); running it through tsx\n`);
    return undefined;
  }
}

/** Runs `command` with the project's node_modules/.bin first on the PATH, and exits as it does. */
function run(command, commandArgs) {
  const child = spawn(command, commandArgs, {
    stdio: "inherit",
    // Windows runs the .cmd shims through a shell only.
    shell: process.platform === "win32",
    env: { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH ?? ""}` },
  });
  // Ctrl-C reaches the child through the terminal; a SIGTERM sent to this launcher is passed on.
  for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
  child.on("exit", (code, signal) => process.exit(code ?? (signal === null ? 1 : 128)));
}

const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
const nodeHasSqlite = major > 22 || (major === 22 && minor >= 13);
const entry = await compiledEntry();
if (entry === undefined) {
  run(path.join(bin, process.platform === "win32" ? "tsx.cmd" : "tsx"), [
    path.join(root, "bin", "tailor.ts"),
    ...args,
  ]);
} else if (nodeHasSqlite || args.length === 0 || ["help", "--help", "-h"].includes(args[0])) {
  // In this process: one Node start instead of two. bin/tailor.ts reads process.argv as given to this launcher.
  await import(pathToFileURL(entry).href);
} else {
  const projectNode = path.join(bin, process.platform === "win32" ? "node.cmd" : "node");
  run(existsSync(projectNode) ? projectNode : process.execPath, [entry, ...args]);
}
