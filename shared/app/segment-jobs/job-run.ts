import { z } from "zod";
import {
  learnOpenHourPrior,
  mergeOpenHourTotals,
  type OpenHourTotals,
} from "#shared/domain/campaigns/open-hour-prior.js";
import type { RfmMonetaryBasis, RfmThresholds } from "#shared/domain/segments/contracts.js";
import type { SegmentLibrary } from "#shared/domain/segments/index.js";
import { mergeRfmHistograms, thresholdsFromHistogram } from "#shared/domain/segments/rfm-histogram.js";
import type { Clock, MemberIndexStatus, OpenHourPriorStore, SegmentStore } from "#shared/ports.js";
import {
  type JobPartStore,
  type JobPhase,
  type PartState,
  SEGMENT_JOBS,
  type SegmentJob,
} from "#shared/ports.js";
import { type SliceSummary, sumSummaries } from "../segments-batch.js";
import {
  countAccSchema,
  histogramAccSchema,
  JOB_PHASES_OF,
  reindexAccSchema,
  SegmentJobError,
  summaryAccSchema,
} from "./job-step.js";

/** Parts a run splits the profile table in when the input does not say. */
export const DEFAULT_JOB_PARTS = 8;
/** Items a step reads per scan page when the input does not say. */
export const DEFAULT_PAGE_SIZE = 500;

/** What starts a run: the job, and optionally the parts and the page size. */
export const jobPlanInputSchema = z.object({
  job: z.enum(SEGMENT_JOBS, { error: `job must be one of ${SEGMENT_JOBS.join(", ")}` }),
  parts: z.number().int().min(1).max(1000).optional(),
  pageSize: z.number().int().min(1).max(10_000).optional(),
  /**
   * `reindex` only: run only when the index was never rebuilt (the nightly start: the first night after an
   * upgrade rebuilds it, later nights skip).
   */
  unlessRebuilt: z.boolean().optional(),
});

/** A run's plan: what every later state reads. */
export interface JobPlan {
  readonly runId: string;
  readonly job: SegmentJob;
  readonly startedAt: number;
  readonly parts: number;
  readonly pageSize: number;
  /** The phase of the `Work` map (the `Samples` map always runs `samples`). */
  readonly workPhase: JobPhase;
  /** One item per part, for the maps. */
  readonly items: readonly { readonly part: number }[];
  /** Nothing to do (a `reindex` `unlessRebuilt` of an index already rebuilt): the run ends at once. */
  readonly skip: boolean;
}

/** Plans a run of `input` started at `now` under the id `runId`. */
export function planSegmentJob(input: unknown, now: number, runId: string): JobPlan {
  const parsed = jobPlanInputSchema.parse(input);
  const parts = parsed.parts ?? DEFAULT_JOB_PARTS;
  const phases = JOB_PHASES_OF[parsed.job];
  return {
    runId,
    job: parsed.job,
    startedAt: now,
    parts,
    pageSize: parsed.pageSize ?? DEFAULT_PAGE_SIZE,
    workPhase: phases[phases.length - 1] ?? "count",
    items: Array.from({ length: parts }, (_, part) => ({ part })),
    skip: false,
  };
}

/**
 * {@link planSegmentJob}, skipping a `reindex` started `unlessRebuilt` when the index was already rebuilt
 * (`status` says when; absent, nothing is skipped).
 */
export async function planSegmentJobRun(
  status: Pick<MemberIndexStatus, "rebuiltAt"> | undefined,
  input: unknown,
  now: number,
  runId: string,
): Promise<JobPlan> {
  const plan = planSegmentJob(input, now, runId);
  const { unlessRebuilt } = jobPlanInputSchema.parse(input);
  if (plan.job !== "reindex" || unlessRebuilt !== true || status === undefined) return plan;
  return (await status.rebuiltAt()) === undefined ? plan : { ...plan, items: [], skip: true };
}

/** The input of `Thresholds` and `Finish`: the plan's fields they read. */
export const jobRunInputSchema = z.object({
  runId: z.string().min(1),
  job: z.enum(SEGMENT_JOBS),
  startedAt: z.number(),
  parts: z.number().int().min(1),
});

/** What `Thresholds` and `Finish` read and write. */
export interface JobRunDeps {
  readonly parts: JobPartStore;
  readonly store: Pick<SegmentStore, "putRfmThresholds" | "putExactSizes">;
  readonly library: SegmentLibrary;
  /** Where a finished `reindex` records that the index is complete (read by the fan-out before using it). */
  readonly indexStatus?: Pick<MemberIndexStatus, "markRebuilt">;
  /** When a run finishes. @default the run's start */
  readonly clock?: Clock;
  /**
   * Where an `rfm` run stores the open-hour prior learned from the population's opens (beside the thresholds).
   * @default - not stored (dispatch keeps the default prior)
   */
  readonly openHourPriors?: Pick<OpenHourPriorStore, "put">;
}

/** Every part of `phase`, each done; throws when one is missing or unfinished (the run then fails, loudly). */
async function finishedParts(
  deps: JobRunDeps,
  run: z.infer<typeof jobRunInputSchema>,
  phase: JobPhase,
): Promise<PartState[]> {
  const states = await deps.parts.all(run.runId, phase);
  const done = new Set(states.filter((s) => s.done).map((s) => s.part));
  const missing = Array.from({ length: run.parts }, (_, part) => part).filter((part) => !done.has(part));
  if (missing.length > 0) {
    throw new SegmentJobError(`run ${run.runId}: ${phase} parts not done: ${missing.join(", ")}`);
  }
  return states.filter((s) => s.part < run.parts);
}

/**
 * Merges the parts' RFM histograms into the population's quintile thresholds, and stores them; with
 * `openHourPriors`, also the open-hour prior learned from the parts' open hours (with the opens it rests on and
 * the run's start; dispatch decides whether that is enough).
 */
export async function computeJobThresholds(
  deps: JobRunDeps,
  input: unknown,
  basis?: RfmMonetaryBasis,
): Promise<RfmThresholds> {
  const run = jobRunInputSchema.parse(input);
  const parts = (await finishedParts(deps, run, "samples")).map((p) => histogramAccSchema.parse(p.acc));
  const histogram = mergeRfmHistograms(parts);
  const thresholds = thresholdsFromHistogram(histogram, run.startedAt, basis);
  await deps.store.putRfmThresholds(thresholds);
  if (deps.openHourPriors !== undefined) {
    const counted = parts.flatMap((part): OpenHourTotals[] =>
      part.openHours === undefined ? [] : [part.openHours],
    );
    // Parts stored before open hours were counted leave the stored prior as it was.
    if (counted.length === parts.length) {
      const totals = mergeOpenHourTotals(counted, run.startedAt);
      await deps.openHourPriors.put(learnOpenHourPrior(totals, run.startedAt));
    }
  }
  return thresholds;
}

/** What a run did, as `Finish` reports it. */
export type JobReport =
  | { readonly job: "recount"; readonly profiles: number; readonly sizes: Record<string, number> }
  | { readonly job: "rfm" | "reevaluate"; readonly summary: SliceSummary }
  | { readonly job: "reindex"; readonly profiles: number; readonly entries: number };

/**
 * Sums the parts of the run's last phase (each part's result written whole under its id, so a retried step never
 * counts twice) and, for a recount, writes the exact sizes (every segment of the library; 0 for one nobody is in);
 * a reindex records that the membership index is complete.
 */
export async function finishSegmentJob(deps: JobRunDeps, input: unknown): Promise<JobReport> {
  const run = jobRunInputSchema.parse(input);
  const phases = JOB_PHASES_OF[run.job];
  const parts = await finishedParts(deps, run, phases[phases.length - 1] ?? "count");
  switch (run.job) {
    case "recount": {
      const counts = parts.map((p) => countAccSchema.parse(p.acc));
      const sizes = new Map(deps.library.definitions.map((d): [string, number] => [d.id, 0]));
      for (const part of counts) {
        for (const [segmentId, n] of Object.entries(part.members)) {
          sizes.set(segmentId, (sizes.get(segmentId) ?? 0) + n);
        }
      }
      await deps.store.putExactSizes(sizes, run.startedAt);
      return {
        job: "recount",
        profiles: counts.reduce((n, part) => n + part.profiles, 0),
        sizes: Object.fromEntries(sizes),
      };
    }
    case "rfm":
    case "reevaluate":
      return { job: run.job, summary: sumSummaries(parts.map((p) => summaryAccSchema.parse(p.acc))) };
    case "reindex": {
      const counts = parts.map((p) => reindexAccSchema.parse(p.acc));
      // Every part done: every profile written before the run started is in the index (later writes flushed
      // into it themselves), so from now on the index is the audience.
      await deps.indexStatus?.markRebuilt(run.startedAt, deps.clock?.now() ?? run.startedAt);
      return {
        job: "reindex",
        profiles: counts.reduce((n, part) => n + part.profiles, 0),
        entries: counts.reduce((n, part) => n + part.entries, 0),
      };
    }
  }
}
