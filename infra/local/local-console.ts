import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import type { ConsoleConfig } from "#shared/console/config.js";
import { ADMIN_API_ROUTE } from "../components/http-api.js";
import { buildConsoleAssets, CONSOLE_FILES } from "../console-assets.js";
import type { HttpApiSpec } from "./resource-plan.js";

/** Where the local API server serves the console: `<api url>/console/`. */
export const CONSOLE_PATH = "/console/";

/** A file the local API server answers a `GET` with. */
export interface ServedFile {
  readonly contentType: string;
  readonly body: Buffer;
  readonly cacheControl?: string;
}

const TYPES: Readonly<Record<string, string>> = {
  "index.html": "text/html; charset=utf-8",
  "app.js": "text/javascript; charset=utf-8",
  "app.css": "text/css; charset=utf-8",
  "config.json": "application/json",
};

/** The loopback console's configuration: the admin API on the page's own origin, no sign-in. */
export const LOCAL_CONSOLE_CONFIG: ConsoleConfig = { apiUrl: "", auth: { kind: "none" } };

/**
 * Builds the console into `<dataDir>/console` (esbuild, well under a second) with the loopback `config.json`, and
 * resolves what serves it: `/console/` (the page), `/console/app.js`, `/console/app.css`, `/console/config.json`.
 */
export async function prepareLocalConsole(
  dataDir: string,
): Promise<(path: string) => ServedFile | undefined> {
  const dir = path.join(dataDir, "console");
  await buildConsoleAssets(dir);
  await writeFile(path.join(dir, "config.json"), JSON.stringify(LOCAL_CONSOLE_CONFIG));
  const files = new Map<string, ServedFile>();
  for (const name of [...CONSOLE_FILES, "config.json"]) {
    files.set(name, {
      contentType: TYPES[name] ?? "application/octet-stream",
      body: await readFile(path.join(dir, name)),
      // Rebuilt at each start: never kept by the browser across starts.
      cacheControl: "no-cache",
    });
  }
  return (requested) => {
    if (!requested.startsWith(CONSOLE_PATH)) return undefined;
    const name = requested.slice(CONSOLE_PATH.length);
    return files.get(name === "" ? "index.html" : name);
  };
}

/** The route key of the console's admin API. */
const ADMIN_ROUTE_KEY = `${ADMIN_API_ROUTE.method} ${ADMIN_API_ROUTE.path}`;

/**
 * The API with the console's admin routes on the function that serves its other routes (the one behind
 * `POST /v1/events`), when the template does not route them (the console is off on AWS unless `console=on`,
 * which puts them behind its sign-in): on loopback the console needs them, and no one signs in.
 */
export function withLocalAdminRoutes(api: HttpApiSpec): HttpApiSpec {
  if (api.routes.some((route) => route.routeKey === ADMIN_ROUTE_KEY)) return api;
  const owner = api.routes.find((route) => route.routeKey === "POST /v1/events");
  if (owner === undefined) return api;
  return {
    ...api,
    routes: [
      ...api.routes,
      { routeKey: ADMIN_ROUTE_KEY, functionName: owner.functionName, authorizationType: "NONE" },
    ],
  };
}
