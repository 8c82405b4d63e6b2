/**
 * The layers of ../shared/ARCHITECTURE.md as rules (`npm run lint:layers`, part of `npm test`): dependencies
 * point down only. Each rule names the layer it keeps and what that layer may not import.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "domain-is-pure",
      comment:
        "shared/domain imports only itself and zod: no I/O, no AWS SDK, no Node built-ins, no other layer.",
      severity: "error",
      from: { path: "^shared/domain/" },
      to: {
        // Two exceptions, both without I/O: shared/errors.ts holds the error base classes every layer throws,
        // and Node's crypto gives the domain its hashing (dedup keys); neither reads the clock or the world.
        pathNot: ["^shared/domain/", "^node_modules/zod/", "^shared/errors[.]ts$", "^(node:)?crypto$"],
      },
    },
    {
      name: "ports-import-domain-types-only",
      comment: "shared/ports.ts names the ports in terms of domain types.",
      severity: "error",
      from: { path: "^shared/ports[.]ts$" },
      // Exception: the ports may name the error base classes of shared/errors.ts (no I/O) in their contracts.
      to: { pathNot: ["^shared/domain/", "^shared/errors[.]ts$"] },
    },
    {
      name: "render-imports-domain",
      comment: "shared/render may import the domain and rendering libraries, never a use case or an adapter.",
      severity: "error",
      from: { path: "^shared/render/" },
      to: {
        path: ["^shared/(app|aws|sim|lambda|model-server)/", "^functions/", "^infra/", "^cli/", "^bin/"],
      },
    },
    {
      name: "use-cases-import-domain-and-ports",
      comment:
        "shared/app imports the domain, the ports and rendering; never an adapter, a handler or the simulator.",
      severity: "error",
      from: { path: "^shared/app/" },
      to: {
        path: [
          "^shared/(aws|sim|lambda|model-server)/",
          "^functions/",
          "^infra/",
          "^cli/",
          "^bin/",
          "^node_modules/@aws-sdk/",
        ],
      },
    },
    {
      name: "adapters-import-ports",
      comment:
        "shared/aws implements ports with the AWS SDK; it never imports a use case, a handler or the simulator.",
      severity: "error",
      from: { path: "^shared/aws/" },
      to: { path: ["^shared/(app|sim|lambda)/", "^functions/", "^infra/", "^cli/", "^bin/"] },
    },
    {
      name: "handlers-import-shared",
      comment: "functions/<name> imports shared code, never another function's folder.",
      severity: "error",
      from: { path: "^functions/([^/]+)/" },
      to: { path: "^functions/", pathNot: "^functions/$1/" },
    },
    {
      name: "no-infra-from-runtime",
      comment: "Code that ships in a Lambda bundle never imports the wiring, the entry points or the tests.",
      severity: "error",
      from: { path: ["^functions/", "^shared/"] },
      to: { path: ["^infra/", "^cli/", "^bin/", "^test/", "^bench/"] },
    },
    {
      name: "no-build-time-in-functions",
      comment:
        "A handler never reaches the template compiler (MJML, html-to-text), the simulator or a compiler: the build " +
        "and the local stack run them, the deployed function reads what they wrote (test/bundles checks the sizes).",
      severity: "error",
      from: { path: "^functions/[^/]+/handler[.]ts$" },
      to: {
        path: [
          "^shared/render/compile/",
          "^shared/sim/",
          "^node_modules/(mjml|mjml-core|html-to-text|typescript)/",
        ],
        reachable: true,
      },
    },
    {
      name: "console-page-is-browser-code",
      comment:
        "The console's page (shared/console) imports only itself, Preact, uPlot and oidc-client-ts; the admin API's " +
        "response types it shows, only as types (erased from the bundle).",
      severity: "error",
      from: { path: "^shared/console/" },
      to: {
        pathNot: ["^shared/console/", "^node_modules/(preact|uplot|oidc-client-ts)/"],
        dependencyTypesNot: ["type-only"],
      },
    },
    {
      name: "console-page-stays-in-the-browser",
      comment: "Nothing that ships in a Lambda imports the console's page.",
      severity: "error",
      from: { path: ["^functions/", "^shared/(?!console/)"] },
      to: { path: "^shared/console/" },
    },
    {
      name: "simulator-stays-local",
      comment: "The simulator feeds the local stack, tests and benchmarks only: never a deployed function.",
      severity: "error",
      from: {
        path: [
          "^functions/",
          "^shared/(app|aws|render|domain|lambda)/",
          "^infra/components/",
          "^infra/[^/]+[.]ts$",
        ],
      },
      to: { path: "^shared/sim/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    // A git worktree's node_modules may be a symlink to the main checkout's: keep the path as imported
    // (node_modules/zod/...) rather than the resolved ../main/node_modules/..., so the rules read the same everywhere.
    preserveSymlinks: true,
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default"],
    },
    exclude: { path: ["^node_modules/", "^cdk[.]out", "^[.]tailor/"] },
  },
};
