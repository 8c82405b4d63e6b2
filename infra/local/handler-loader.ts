import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Context } from "aws-lambda";
import { FUNCTION_BUNDLING } from "../components/function-bundling.js";
import { localFunctionEnvironment } from "./function-env.js";
import { LocalStackError } from "./local-errors.js";
import type { FunctionSpec } from "./resource-plan.js";
import { applyEnvironment } from "./sdk-env.js";

/**
 * A Lambda handler as the local stack calls it: with the event its trigger makes (a Kinesis or SQS batch, a
 * Scheduled Event, an HTTP API request, a task state's input), so any JSON. Declared as a method signature so
 * that a handler typed for the event it expects is accepted: the handler validates its event itself.
 */
export type LambdaHandler = {
  handle(event: unknown, context: Context): Promise<unknown>;
}["handle"];

/** Loads a function's handler (each once), resolving `undefined` for a function the template gives no entry. */
export type HandlerLoader = (fn: FunctionSpec) => Promise<LambdaHandler | undefined>;

/** What a {@link handlerLoader} loads, and with what. */
export interface HandlerLoaderOptions {
  /** Variables set after each function's own while its module loads (the model server's endpoint, log levels). */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Handlers by function local name, called instead of the function's own (tests): the one way to stand in for
   * a function, whatever invokes it.
   * @default - every function runs its own handler
   */
  readonly handlers?: Readonly<Record<string, LambdaHandler>>;
  /**
   * Load each function's deployed bundle instead of its sources: the module `<bundlesDir>/<name>/index.mjs` of
   * the entry `functions/<name>/handler.ts`, in the code asset `writeFunctionAssets` (`infra/function-assets.ts`)
   * wrote, which is then the function's task root: relative `*_DIR` and `*_FILE` paths of its environment
   * resolve there, as they do in `/var/task` on Lambda.
   * @default - the sources
   */
  readonly bundlesDir?: string;
  /** Called with each function and the module file its handler was imported from, once loaded. */
  readonly onLoad?: (fn: FunctionSpec, moduleFile: string) => void;
}

/** Where `ProjectFunction` entries live: a handler module per function folder. */
const ENTRY = /^functions\/([a-z0-9][a-z0-9-]*)\/handler\.ts$/;

/**
 * Loads each function's handler from what the template says of it: the module of its `tailor:entry` metadata
 * (`functions/<name>/handler.ts`, the entry `ProjectFunction` bundles) and the export its `Handler` names. A
 * module loads with that function's own environment (then `env`) in `process.env`, because handlers read their
 * environment when their module loads and two functions may set a variable differently (their service names);
 * `process.env` is put back afterwards. A function without an entry resolves `undefined`; an entry elsewhere,
 * or one without the export, rejects with a {@link LocalStackError} naming it.
 */
export function handlerLoader(options: HandlerLoaderOptions = {}): HandlerLoader {
  const loaded = new Map<string, Promise<LambdaHandler | undefined>>();
  return (fn) => {
    const given = options.handlers?.[fn.name];
    if (given !== undefined) return Promise.resolve(given);
    const known = loaded.get(fn.name);
    if (known !== undefined) return known;
    const loading = load(fn, options);
    loaded.set(fn.name, loading);
    return loading;
  };
}

async function load(fn: FunctionSpec, options: HandlerLoaderOptions): Promise<LambdaHandler | undefined> {
  if (fn.entry === undefined) return undefined;
  const folder = ENTRY.exec(fn.entry)?.[1];
  if (folder === undefined) {
    throw new LocalStackError(`${fn.name}: its entry ${fn.entry} is not functions/<name>/handler.ts`);
  }
  const bundle =
    options.bundlesDir === undefined
      ? undefined
      : path.resolve(options.bundlesDir, folder, FUNCTION_BUNDLING.outFile);
  const taskRoot = bundle === undefined ? undefined : path.dirname(bundle);
  const restore = applyEnvironment({ ...localFunctionEnvironment(fn, taskRoot), ...options.env });
  let module: unknown;
  try {
    // A pattern the CLI's bundler (esbuild) follows: every functions/*/handler.ts becomes a lazy chunk.
    module =
      bundle === undefined
        ? await import(`../../functions/${folder}/handler.ts`)
        : await import(/* @vite-ignore */ pathToFileURL(bundle).href);
  } catch (error) {
    if (bundle === undefined) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new LocalStackError(`${fn.name}: its bundle ${bundle} did not load: ${reason}`, error);
  } finally {
    restore();
  }
  options.onLoad?.(
    fn,
    bundle ?? fileURLToPath(new URL(`../../functions/${folder}/handler.ts`, import.meta.url)),
  );
  const exported: unknown =
    typeof module === "object" && module !== null ? Reflect.get(module, fn.handler) : undefined;
  if (typeof exported !== "function") {
    throw new LocalStackError(`${fn.name}: ${fn.entry} exports no handler function "${fn.handler}"`);
  }
  return async (event, context) => {
    const result: unknown = await Reflect.apply(exported, undefined, [event, context]);
    return result;
  };
}
