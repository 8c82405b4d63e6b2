import type { CatalogProduct } from "#shared/ports.js";
import { PREVIEW_SHOP } from "#shared/render/preview-settings.js";
import { simulatorCatalogProducts } from "#shared/sim/index.js";
import type { ApiFunction, ApiServer } from "./api-server.js";
import { startApiServer } from "./api-server.js";
import { DEMO_IMAGES_PATH, demoImages, withDemoImages } from "./demo-images.js";
import { withLocalReplacements } from "./function-env.js";
import { prepareLocalConsole, type ServedFile, withLocalAdminRoutes } from "./local-console.js";
import { LocalStackError } from "./local-errors.js";
import { localSecretFile } from "./local-secrets.js";
import { localTemplatesDir, watchLocalTemplates, writeLocalTemplates } from "./local-templates.js";
import type { FunctionSpec, HttpApiSpec, ResourcePlan } from "./resource-plan.js";

/** What the local stack serves in place of API Gateway and Secrets Manager. */
export interface LocalEndpoints {
  /** The plan's functions with their environments pointed at the local API URLs and secret files. */
  readonly functions: readonly FunctionSpec[];
  /** One server per HTTP API of the plan. */
  readonly apis: readonly { readonly spec: HttpApiSpec; readonly server: ApiServer }[];
  /** Secret name → local file. */
  readonly secretFiles: ReadonlyMap<string, string>;
  /** The functions behind the routes, filled in once their handlers are loaded. */
  readonly apiFunctions: Map<string, ApiFunction>;
  /** The simulator's shop with its pictures served by the first API (see `demo-images.ts`). */
  readonly demoProducts: readonly CatalogProduct[];
  close(): Promise<void>;
}

/**
 * Creates the plan's secrets as local files (kept across runs), starts a loopback HTTP server per HTTP API (the
 * first on `apiPort`, any others on free ports, the first also serving the demo shop's pictures under
 * `/demo-images`), writes the templates compiled (what a bundle carries), and points the functions' environments
 * at all of them; `demoProducts` is the simulator's shop with its pictures pointed at that route (what the local
 * stack seeds its catalog table with).
 */
export async function startLocalEndpoints(
  plan: ResourcePlan,
  options: {
    readonly dataDir: string;
    readonly apiPort: number;
    readonly log: (line: string) => void;
    readonly now: () => number;
    /**
     * Compile the templates into the data dir for the functions that read a `TEMPLATES_FILE`; off when they run
     * their bundles, which carry their own.
     * @default true
     */
    readonly templates?: boolean;
    /** Compile the templates again when they change on disk (the console's previews show the edit). @default true */
    readonly watchTemplates?: boolean;
  },
): Promise<LocalEndpoints> {
  // First, so that a template that does not build stops the start before a server listens.
  const templatesFile =
    options.templates === false ? undefined : await writeLocalTemplates(plan.functions, options.dataDir);
  const consoleFiles = await prepareLocalConsole(options.dataDir);
  const templatesDir = localTemplatesDir(plan.functions);
  const stopWatching =
    templatesFile === undefined || templatesDir === undefined || options.watchTemplates === false
      ? () => undefined
      : watchLocalTemplates(templatesDir, templatesFile, options.log);
  const secretFiles = new Map<string, string>();
  const byArn = new Map<string, string>();
  for (const secret of plan.secrets) {
    const file = localSecretFile(options.dataDir, secret.name, secret.generateInto);
    secretFiles.set(secret.name, file);
    byArn.set(secret.arn, file);
  }
  const apiFunctions = new Map<string, ApiFunction>();
  const apis: { spec: HttpApiSpec; server: ApiServer }[] = [];
  const products = simulatorCatalogProducts();
  const close = async () => {
    stopWatching();
    await Promise.all(apis.map((api) => api.server.close()));
  };
  try {
    for (const [index, spec] of plan.httpApis.entries()) {
      const port = index === 0 ? options.apiPort : 0;
      const server = await startApiServer({
        // The console's admin routes on loopback (the first API's function, as the console's page calls it).
        api: index === 0 ? withLocalAdminRoutes(spec) : spec,
        functions: apiFunctions,
        port,
        log: options.log,
        now: options.now,
        // The demo shop's pictures, served by the first API (no network needed to see them).
        // and the console's page.
        ...(index === 0 ? { assets: servedBy(demoImages(products, PREVIEW_SHOP.name), consoleFiles) } : {}),
      }).catch((error: unknown) => {
        throw new LocalStackError(
          `cannot listen on 127.0.0.1:${port} for the HTTP API: is another stack running? ` +
            "Pick another port with --port-api or TAILOR_PORT_API (0 = any free port)",
          error,
        );
      });
      apis.push({ spec, server });
    }
  } catch (error) {
    await close();
    throw error;
  }
  const apiEndpoints = new Map(apis.map((api) => [api.spec.endpoint, api.server.url]));
  const first = apis[0]?.server.url;
  const imagesUrl = first === undefined ? undefined : `${first}${DEMO_IMAGES_PATH}`;
  const demoProducts = imagesUrl === undefined ? products : withDemoImages(products, imagesUrl);
  const functions = withLocalReplacements(
    plan.functions,
    {
      secretFiles: byArn,
      apiEndpoints,
      templatesFile,
      ...(imagesUrl === undefined ? {} : { demoImagesUrl: imagesUrl }),
    },
    options.log,
  );
  return { functions, apis, secretFiles, apiFunctions, demoProducts, close };
}

/** The first of the file servers that has the path. */
function servedBy(
  ...servers: readonly ((path: string) => ServedFile | undefined)[]
): (path: string) => ServedFile | undefined {
  return (requested) => {
    for (const serve of servers) {
      const found = serve(requested);
      if (found !== undefined) return found;
    }
    return undefined;
  };
}
