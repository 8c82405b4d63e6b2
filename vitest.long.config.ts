import { defineConfig } from "vitest/config";

/** A function's bundle in a code asset written by `writeFunctionAssets` under a `tailor-bundles-*` folder. */
const BUNDLE_MODULES = /\/tailor-bundles-[^/]+\/[a-z0-9-]+\/index\.mjs$/;

/**
 * The long runs (`npm run test:long`, which CI runs after `npm test`): whole runs of the product that take
 * minutes, not seconds, so apart from `npm test`'s loop; one file at a time (each runs a whole stack).
 *
 * - `test/long/*.long.ts`: `tailor start` (what `npm start` runs) end to end on a tiny shop, four times, at chosen
 *   wall-clock hours, compared run with run; an A/B test end to end on the local stack, from the sends to the
 *   report's verdict, on enough customers for the statistics; and the nightly rescoring state machine end to end
 *   (models trained, three runs: scores, drift, an endpoint down); every function's deployed bundle, alone, through
 *   sign-up, email and one-click unsubscribe (`bundles-alone.long.ts`), and the code assets it runs checked
 *   against the CDK's own (`function-assets.long.ts`, a bundled synth of its own); ingest poisoned for a while,
 *   then `tailor replay` from the archive, profiles equal to a run without the fault (`replay.long.ts`); every
 *   image of every email sent on the local stack loaded in headless Chromium with the network refused
 *   (`sent-images.long.ts`); the segment jobs' and the scheduled campaigns' workflows from their synthesised
 *   definitions with the real handlers (`segment-jobs.long.ts`, `fanout.long.ts`: each member once through a
 *   failed part and a stopped run); journeys that show their trigger (two orders, two emails) and the catalog's
 *   back-in-stock journeys (`journey-trigger.long.ts`, `catalog-triggers.long.ts`); the models trained from the
 *   stack's own archive, served and rescored (`train-from-stack.long.ts`, `train-and-serve.long.ts`, and the models' hold-out figures, `train.long.ts`), the training
 *   workflow from its definition (`training-workflow.long.ts`); the console in headless Chromium with axe
 *   (`console.long.ts`); a dry run against the real run it predicts (`dry-run.long.ts`); an SMS journey with STOP
 *   (`sms-journey.long.ts`); one customer on every channel: a frequency cap across email and SMS, on-site content
 *   equal to the email, fatigue and best-time sends (`channels.long.ts`); and the stacks with optional parts on, each a checked synth of its own
 *   (`console-stack.long.ts`, `model-endpoints-stack.long.ts`, `sms-stack.long.ts`).
 * - `test/faults/*.faults.ts`: the crash tests; each file starts the local stack as a child process, kills it
 *   with SIGKILL at chosen moments and restarts it on the same data dir.
 */
export default defineConfig({
  test: {
    include: ["test/long/**/*.long.ts", "test/faults/**/*.faults.ts"],
    // One synth of the app for every file and every child process (TAILOR_TEMPLATE_FILE), as in `npm test`.
    globalSetup: ["test/support/template-global-setup.ts"],
    setupFiles: ["test/support/template-env-setup.ts"],
    env: { TAILOR_PORT_API: "0" },
    // The deployed bundles that bundles-alone.long.ts writes (`tailor-bundles-*` in the temp folder) are imported
    // by Node itself, as Lambda imports them, not transformed by Vite.
    server: { deps: { external: [BUNDLE_MODULES] } },
    testTimeout: 180_000,
    hookTimeout: 240_000,
    pool: "forks",
    fileParallelism: false,
    reporters: ["default"],
  },
});
