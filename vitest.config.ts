import { defineConfig } from "vitest/config";
import { ProjectOrderSequencer } from "./test/support/project-order-sequencer.js";

/**
 * Five projects, one per kind of test (issue 14), each with the settings its tests need. Run one with
 * `npm run test:<name>`; `npm test` runs them all.
 *
 * - `unit`: pure tests and tests on in-memory fakes or a stub HTTP server; the inner loop.
 * - `integration`: tests against the local stack (or emulators with process-wide settings, or handler modules):
 *   `test/e2e/`, `test/integration/` and any `*.integration.test.ts`, each file in a process of its own.
 * - `emulators`: adapters against in-process emulators (dynalite, kinesalite, fauxqs, the SES emulator, the model
 *   server) on clients of their own: `*.emulators.test.ts`, sharing their workers' modules.
 * - `cdk`: the CDK assertion and cdk-nag tests of `test/infra/`, which share one synth of the app.
 * - `browser`: the `*.browser.test.ts` tests, in headless Chromium.
 *
 * A test that starts emulators with clients of its own is `*.emulators.test.ts`; one that starts the local stack,
 * imports a handler module or sets process-wide state is `*.integration.test.ts`.
 */
const emulators = ["test/**/*.emulators.test.ts"];
const integration = [
  "test/e2e/**/*.test.ts",
  "test/integration/**/*.test.ts",
  "test/**/*.integration.test.ts",
];
const cdk = ["test/infra/**/*.test.ts"];
const browser = ["test/**/*.browser.test.ts"];

export default defineConfig({
  test: {
    reporters: ["default"],
    pool: "forks",
    // Four workers on two cores: the local-stack and emulator files wait on timers and sockets much of the time, and
    // the extra workers fill those gaps (measured on this quiet 2-core machine: Vitest 167 s with four, 184 s with
    // three, 199 s with two).
    maxWorkers: 4,
    // The integration files first, the longest first, and the short unit files last (project-order-sequencer.ts).
    sequence: { sequencer: ProjectOrderSequencer },
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["test/**/*.test.ts"],
          exclude: [...integration, ...emulators, ...cdk, ...browser],
          // The files share their workers' modules (SDK clients, zod schemas, the domain): evaluated once per
          // worker, not once per file. Safe because a unit test touches no process-wide state it does not restore:
          // environment stubs are undone (`vi.unstubAllEnvs`), mocks restored, and no test starts a server it keeps.
          isolate: false,
          // Generous: a busy machine (other processes on the two cores) slows the heavier unit files several times.
          testTimeout: 90_000,
          hookTimeout: 120_000,
        },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: integration,
          exclude: emulators,
          // One synth of the app for every file (test/support/template-global-setup.ts): the local stack and the
          // CLIs the tests start read it through TAILOR_TEMPLATE_FILE instead of synthesising again.
          globalSetup: ["test/support/template-global-setup.ts"],
          setupFiles: ["test/support/template-env-setup.ts"],
          // Each file starts its own emulators and stubs the environment for them: kept apart.
          isolate: true,
          // The local stack's HTTP API on any free port, not 8006: two files run at once, and a developer's
          // `tailor start` may hold it. (Tests that pass their ports keep them; the other services' come from
          // the tests.)
          env: { TAILOR_PORT_API: "0", TAILOR_PORT_SMS: "0" },
          // Emulators and the local stack run in the test's process: a loaded machine slows them several times.
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
      {
        extends: true,
        test: {
          name: "emulators",
          include: emulators,
          globalSetup: ["test/support/template-global-setup.ts"],
          setupFiles: ["test/support/template-env-setup.ts"],
          // The files share their workers' modules (the AWS SDK, the emulators, the adapters): imported once per
          // worker, not once per file. Safe because each starts its emulators on free ports with clients of its
          // own, closes them after, and restores any environment variable it sets; a file that starts the local
          // stack, imports a handler module or leaves process-wide state belongs in `integration`.
          isolate: false,
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
      {
        extends: true,
        test: {
          name: "cdk",
          include: cdk,
          // The one checked synth of the app, in a child process (shared-app.ts).
          globalSetup: ["test/infra/global-setup.ts"],
          // The files share the default app and aws-cdk-lib's modules (test/infra/shared-app.ts).
          isolate: false,
          // A synth of the whole app takes seconds on a quiet machine and far more on a busy one; the tests that
          // wait for the shared checked synth set a longer timeout of their own.
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
      {
        extends: true,
        test: {
          name: "browser",
          include: browser,
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
