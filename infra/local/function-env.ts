import path from "node:path";
import { fileURLToPath } from "node:url";
import { PREVIEW_SHOP } from "#shared/render/preview-settings.js";
import { LOCAL_NAMES } from "../local-names.js";
import type { FunctionSpec } from "./resource-plan.js";

/** The repository root: the local counterpart of Lambda's task root, which holds the bundled folders. */
export const repositoryRoot = fileURLToPath(new URL("../../", import.meta.url));

// Lambda runtime options, not application configuration: meaningless inside this process.
const RUNTIME_ONLY_VARIABLES = new Set(["NODE_OPTIONS", "AWS_NODEJS_CONNECTION_REUSE_ENABLED"]);

/**
 * A function's environment as the local stack applies it: runtime-only variables left out, and a relative path
 * in a variable named `*_DIR` or `*_FILE` made absolute against `root`. On Lambda such a path is relative to the
 * task root (`/var/task`, the working directory), where the bundle carries the folder (or the file its hooks
 * wrote, such as `TEMPLATES_FILE`) at the same relative path as the repository does; resolving it here keeps it
 * right whatever directory the local stack is started from. `root` is the function's code asset when the local
 * stack runs the bundles.
 */
export function localFunctionEnvironment(
  fn: FunctionSpec,
  root: string = repositoryRoot,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(fn.environment)) {
    if (RUNTIME_ONLY_VARIABLES.has(key)) continue;
    env[key] =
      (key.endsWith("_DIR") || key.endsWith("_FILE")) && value !== "" && !path.isAbsolute(value)
        ? path.resolve(root, value)
        : value;
  }
  return env;
}

/** Variables every function sets to its own value by design. */
const PER_FUNCTION_VARIABLES: ReadonlySet<string> = new Set(["POWERTOOLS_SERVICE_NAME"]);

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
        // Every function names its own service: expected, not worth a line.
        if (PER_FUNCTION_VARIABLES.has(key)) continue;
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

/** What the local stack serves in place of a cloud resource a function's environment points at. */
export interface LocalReplacements {
  /** Secret ARN → the local secret file. */
  readonly secretFiles: ReadonlyMap<string, string>;
  /** An HTTP API's cloud endpoint (`https://<id>.execute-api.<region>.amazonaws.com`) → the local server's URL. */
  readonly apiEndpoints: ReadonlyMap<string, string>;
  /**
   * The templates compiled by the local stack (`writeLocalTemplates`), set as `TEMPLATES_FILE` of every function
   * that names one: the template's value is a path inside the bundle, which the local stack does not build.
   */
  readonly templatesFile?: string;
  /**
   * Where the local stack serves the demo shop's pictures (`<api url>/demo-images`): the dispatch function's
   * `SHOP_IMAGES_URL` when it names none, and its `SHOP_LOGO_URL` when that is the demo shop's (`example.com`).
   */
  readonly demoImagesUrl?: string;
}

/**
 * The functions with their environments pointed at what the local stack serves: `LINK_SECRET_ARN` of a local
 * secret becomes `LINK_SECRET_FILE` (the ARN is removed, so the function reads the file), and every value
 * holding an HTTP API's endpoint (`PUBLIC_API_URL` and the like) gets the local server's URL instead, and a
 * function reading compiled templates the local ones as `TEMPLATES_FILE`. (The catalog is a table like any
 * other: the local stack seeds it, `seedLocalCatalog`.)
 */
export function withLocalReplacements(
  functions: readonly FunctionSpec[],
  replacements: LocalReplacements,
  log: (line: string) => void,
): FunctionSpec[] {
  return functions.map((fn) => {
    const environment: Record<string, string> = {};
    for (const [key, value] of Object.entries(fn.environment)) {
      let local = value;
      for (const [endpoint, url] of replacements.apiEndpoints) local = local.replaceAll(endpoint, url);
      environment[key] = local;
    }
    const arn = environment.LINK_SECRET_ARN;
    if (arn !== undefined) {
      const file = replacements.secretFiles.get(arn);
      if (file === undefined) log(`${fn.name}: LINK_SECRET_ARN ${arn} is not a secret of the local stack`);
      else {
        delete environment.LINK_SECRET_ARN;
        environment.LINK_SECRET_FILE = file;
      }
    }
    if (replacements.demoImagesUrl !== undefined && fn.name === LOCAL_NAMES.dispatchFunction) {
      if (environment.SHOP_LOGO_URL === PREVIEW_SHOP.logo_url) {
        environment.SHOP_LOGO_URL = `${replacements.demoImagesUrl}/logo.svg`;
      }
      environment.SHOP_IMAGES_URL ??= replacements.demoImagesUrl;
    }
    if (replacements.templatesFile !== undefined && environment.TEMPLATES_FILE !== undefined) {
      environment.TEMPLATES_FILE = replacements.templatesFile;
    }
    return { ...fn, environment };
  });
}
