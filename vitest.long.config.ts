import { defineConfig } from "vitest/config";

/**
 * The long runs (`npm run test:long`, which CI runs after `npm test`): whole runs of the product that take
 * minutes, not seconds, so apart from `npm test`'s loop; one file at a time (each runs a whole stack).
 *
 * - `test/long/*.long.ts`: `tailor start` (what `npm start` runs) end to end on a tiny shop, four times, at chosen
 *   wall-clock hours, compared run with run; an A/B test end to end on the local stack, from the sends to the
 *   report's verdict, on enough customers for the statistics; and the nightly rescoring state machine end to end
 *   (models trained, three runs: scores, drift, an endpoint down).
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
    testTimeout: 180_000,
    hookTimeout: 240_000,
    pool: "forks",
    fileParallelism: false,
    reporters: ["default"],
  },
});
