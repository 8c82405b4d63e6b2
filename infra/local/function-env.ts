import path from "node:path";
import { fileURLToPath } from "node:url";
import type { FunctionSpec } from "./resource-plan.js";

/** The repository root: the local counterpart of Lambda's task root, which holds the bundled folders. */
export const repositoryRoot = fileURLToPath(new URL("../../", import.meta.url));

// Lambda runtime options, not application configuration: meaningless inside this process.
const RUNTIME_ONLY_VARIABLES = new Set(["NODE_OPTIONS", "AWS_NODEJS_CONNECTION_REUSE_ENABLED"]);

/**
 * A function's environment as the local stack applies it: runtime-only variables left out, and a relative path
 * in a variable named `*_DIR` made absolute against `root`. On Lambda such a path is relative to the task root
 * (`/var/task`, the working directory), where the bundle carries the folder at the same relative path as the
 * repository does; resolving it here keeps it right whatever directory the local stack is started from.
 */
export function localFunctionEnvironment(
  fn: FunctionSpec,
  root: string = repositoryRoot,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(fn.environment)) {
    if (RUNTIME_ONLY_VARIABLES.has(key)) continue;
    env[key] =
      key.endsWith("_DIR") && value !== "" && !path.isAbsolute(value) ? path.resolve(root, value) : value;
  }
  return env;
}

/**
 * The union of the functions' local environments, for `process.env`. Where two functions set a variable
 * differently the first wins there, and it is reported; each handler module is still loaded under its own
 * function's environment (see `startLocalStack`), which is where handlers read it.
 */
export function functionsEnvironment(
  functions: readonly FunctionSpec[],
  log: (line: string) => void,
  root: string = repositoryRoot,
): Record<string, string> {
  const env: Record<string, string> = {};
  const owner = new Map<string, string>();
  for (const fn of functions) {
    for (const [key, value] of Object.entries(localFunctionEnvironment(fn, root))) {
      const previous = env[key];
      if (previous !== undefined && previous !== value) {
        log(
          `note: ${key} is "${previous}" for ${owner.get(key)} but "${value}" for ${fn.name}: ` +
            "each handler is loaded with its own; process.env keeps the first",
        );
        continue;
      }
      env[key] = value;
      owner.set(key, fn.name);
    }
  }
  return env;
}
