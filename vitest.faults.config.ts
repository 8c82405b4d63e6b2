import { defineConfig } from "vitest/config";

/**
 * The crash tests (`npm run test:faults`): each file starts the local stack as a child process, kills it with
 * SIGKILL at chosen moments and restarts it on the same data dir. Minutes, not seconds, so apart from `npm test`;
 * one file at a time (each runs a whole stack).
 */
export default defineConfig({
  test: {
    include: ["test/faults/**/*.faults.ts"],
    testTimeout: 60_000,
    hookTimeout: 240_000,
    pool: "forks",
    fileParallelism: false,
    reporters: ["default"],
  },
});
