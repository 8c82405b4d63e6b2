import { BaseSequencer, type TestSpecification } from "vitest/node";

/**
 * The order the projects' files are queued in: the emulator and end-to-end files first (the longest, so they
 * never start last and leave a worker idle at the end), then the CDK files (by then their shared synth, started
 * by their global setup at the beginning, is done, so no worker waits for it), the browser files, and the many
 * short unit files last, which even out the two workers' ends.
 */
const PROJECT_ORDER: readonly string[] = ["integration", "emulators", "cdk", "browser", "unit"];

const rank = (spec: TestSpecification): number => {
  const index = PROJECT_ORDER.indexOf(spec.project.name);
  return index < 0 ? PROJECT_ORDER.length : index;
};

/**
 * Vitest's own order within a project (failed first, then the longest by the last run's durations, or the
 * largest files when there is none), with the projects in {@link PROJECT_ORDER} instead of by name.
 */
export class ProjectOrderSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    // Array sort is stable: each project keeps Vitest's order.
    return [...sorted].sort((a, b) => rank(a) - rank(b));
  }
}
