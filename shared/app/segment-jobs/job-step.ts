import { z } from "zod";
import {
  addOpenHours,
  emptyOpenHourTotals,
  type OpenHourTotals,
  openHourTotalsSchema,
} from "#shared/domain/campaigns/open-hour-prior.js";
import { toJson } from "#shared/domain/privacy/json-value.js";
import type { RfmMonetaryBasis } from "#shared/domain/segments/contracts.js";
import { rfmSample } from "#shared/domain/segments/index.js";
import {
  addRfmSamples,
  emptyRfmHistogram,
  type RfmHistogram,
} from "#shared/domain/segments/rfm-histogram.js";
import { TailorError } from "#shared/errors.js";
import type { ProfilePages, SegmentMemberWriter, StoredProfile } from "#shared/ports.js";
import { JOB_PHASES, type JobPartStore, type JobPhase, SEGMENT_JOBS } from "#shared/ports.js";
import type { ResettleDeps } from "../segment-deps.js";
import { resettleProfiles, type SliceSummary, sumSummaries, withRfmScores } from "../segments-batch.js";

/** What a step of the segment jobs needs. */
export interface JobStepDeps extends ResettleDeps {
  readonly pages: Pick<ProfilePages, "page">;
  readonly parts: JobPartStore;
  /** The membership index the `reindex` phase writes. */
  readonly members?: SegmentMemberWriter;
  /** What RFM's monetary value reads in the `samples` phase. @default "total" */
  readonly monetaryBasis?: RfmMonetaryBasis;
}

/** The input of one step: a part of a phase of a run, and how many steps of it are done. */
export const jobStepInputSchema = z.object({
  runId: z.string().min(1),
  job: z.enum(SEGMENT_JOBS),
  phase: z.enum(JOB_PHASES),
  startedAt: z.number(),
  part: z.number().int().nonnegative(),
  parts: z.number().int().min(1),
  pageSize: z.number().int().min(1).max(10_000),
  seq: z.number().int().nonnegative(),
});

/** A step's input. */
export type JobStepInput = z.infer<typeof jobStepInputSchema>;

/** A step's output: the next step's input, and whether the part is done. */
export type JobStepOutput = JobStepInput & { readonly done: boolean };

/** The step's sequence and the stored one disagree in a way no retry explains. */
export class JobStepOutOfOrderError extends TailorError {
  constructor(input: JobStepInput, stored: number | undefined) {
    super(
      `run ${input.runId} ${input.phase} part ${input.part}: step ${input.seq} found ${stored === undefined ? "no state" : `step ${stored}`} stored`,
      { retryable: false },
    );
  }
}

/** A segment job cannot go on: what it needs is missing (not retried). */
export class SegmentJobError extends TailorError {
  constructor(message: string, cause?: unknown) {
    super(message, { retryable: false, cause });
  }
}

/** A part's accumulated counts in the `count` phase: profiles read, and members per segment. */
export const countAccSchema = z.object({ profiles: z.number(), members: z.record(z.string(), z.number()) });
/**
 * The `samples` phase's accumulated RFM histogram, and the population's open hours (every profile's decayed `oh`
 * summed: the learned prior of `sendTime: best`; absent in a part stored before it was counted).
 */
export const histogramAccSchema = z.object({
  recencyDays: z.record(z.string(), z.number()),
  frequency: z.record(z.string(), z.number()),
  monetary: z.record(z.string(), z.number()),
  population: z.number(),
  coarse: z.literal(true).optional(),
  openHours: openHourTotalsSchema.optional(),
});
/** What a part of the `samples` phase accumulates. */
type SamplesAcc = RfmHistogram & { readonly openHours?: OpenHourTotals };

/** The summary the `score`, `reevaluate` phases accumulate. */
export const summaryAccSchema = z.object({
  profiles: z.number(),
  profilesWritten: z.number(),
  transitions: z.number(),
  transitionsPublished: z.number(),
  timerWrites: z.number(),
  counterWrites: z.number(),
  conflicts: z.number(),
});
/** The `reindex` phase's counts: profiles read, index entries written. */
export const reindexAccSchema = z.object({ profiles: z.number(), entries: z.number() });

const NO_SUMMARY: SliceSummary = sumSummaries([]);

/** Folds one page of profiles into the part's accumulation, making the phase's writes on the way. */
async function foldPage(
  deps: JobStepDeps,
  input: JobStepInput,
  acc: unknown,
  profiles: readonly StoredProfile[],
): Promise<z.infer<typeof countAccSchema> | SamplesAcc | SliceSummary | z.infer<typeof reindexAccSchema>> {
  const library = deps.segments.library;
  switch (input.phase) {
    case "count": {
      const counts = countAccSchema.parse(acc ?? { profiles: 0, members: {} });
      const members = { ...counts.members };
      const known = new Set(library.definitions.map((d) => d.id));
      for (const { profile } of profiles) {
        for (const segmentId of Object.keys(profile.sg ?? {})) {
          if (known.has(segmentId)) members[segmentId] = (members[segmentId] ?? 0) + 1;
        }
      }
      return { profiles: counts.profiles + profiles.length, members };
    }
    case "samples": {
      const histogram: SamplesAcc = acc === undefined ? emptyRfmHistogram() : histogramAccSchema.parse(acc);
      const samples = profiles.flatMap(({ profile }) => {
        const sample = rfmSample(profile, input.startedAt, deps.monetaryBasis);
        return sample === undefined ? [] : [sample];
      });
      // The same read counts the open hours: one pass over the table learns both.
      const openHours = addOpenHours(
        histogram.openHours ?? emptyOpenHourTotals(input.startedAt),
        profiles.map(({ profile }) => profile.oh),
      );
      return { ...addRfmSamples(histogram, samples), openHours };
    }
    case "score": {
      const thresholds = await deps.segments.store.rfmThresholds();
      if (thresholds === undefined) {
        throw new SegmentJobError(`run ${input.runId}: no RFM thresholds stored to score with`);
      }
      const now = deps.clock.now();
      const page = await resettleProfiles(deps, profiles, (p) => withRfmScores(p, thresholds, now));
      return sumSummaries([acc === undefined ? NO_SUMMARY : summaryAccSchema.parse(acc), page]);
    }
    case "reevaluate": {
      const page = await resettleProfiles(deps, profiles, undefined);
      return sumSummaries([acc === undefined ? NO_SUMMARY : summaryAccSchema.parse(acc), page]);
    }
    case "reindex": {
      const counts = reindexAccSchema.parse(acc ?? { profiles: 0, entries: 0 });
      const { members } = deps;
      if (members === undefined) throw new SegmentJobError("reindex: no membership index is configured");
      const known = new Set(library.definitions.map((d) => d.id));
      const written = await Promise.all(
        profiles.map(({ profile }) => {
          const state = new Map(
            Object.keys(profile.sg ?? {})
              .filter((id) => known.has(id))
              .map((id): [string, boolean] => [id, true]),
          );
          return state.size === 0 ? 0 : members.sync(profile.customerId, profile.version, state);
        }),
      );
      return {
        profiles: counts.profiles + profiles.length,
        entries: counts.entries + written.reduce((a, b) => a + b, 0),
      };
    }
  }
}

/**
 * One step of one part: resumes the part's scan where the stored state left it, folds pages into the part's
 * accumulation while `hasTime()` (at least one page), and writes the new state by part id, conditional on the
 * step's sequence. A retried step whose first attempt's write landed finds the later sequence stored and
 * returns it without reading again, so a part's results are never counted twice.
 */
export async function runJobStep(
  deps: JobStepDeps,
  input: JobStepInput,
  hasTime: () => boolean,
): Promise<JobStepOutput> {
  const stored = await deps.parts.get(input.runId, input.phase, input.part);
  const storedSeq = stored?.seq ?? 0;
  if (stored !== undefined && storedSeq > input.seq) return { ...input, seq: storedSeq, done: stored.done };
  if (storedSeq !== input.seq) throw new JobStepOutOfOrderError(input, stored?.seq);
  if (stored?.done === true) return { ...input, done: true };
  let acc: unknown = stored?.acc;
  let cursor = stored?.cursor;
  const slice = { segment: input.part, totalSegments: input.parts };
  do {
    const page = await deps.pages.page(slice, {
      limit: input.pageSize,
      consistent: true,
      ...(cursor === undefined ? {} : { cursor }),
    });
    acc = await foldPage(deps, input, acc, page.profiles);
    cursor = page.cursor;
  } while (cursor !== undefined && hasTime());
  const done = cursor === undefined;
  const next = {
    part: input.part,
    seq: input.seq + 1,
    done,
    acc: toJson(acc) ?? null,
    ...(cursor === undefined ? {} : { cursor }),
  };
  if (!(await deps.parts.put(input.runId, input.phase, next, input.seq))) {
    const winner = await deps.parts.get(input.runId, input.phase, input.part);
    return { ...input, seq: winner?.seq ?? next.seq, done: winner?.done ?? done };
  }
  return { ...input, seq: next.seq, done };
}

/** The phases each job runs, in order. */
export const JOB_PHASES_OF: Readonly<Record<(typeof SEGMENT_JOBS)[number], readonly JobPhase[]>> = {
  recount: ["count"],
  rfm: ["samples", "score"],
  reevaluate: ["reevaluate"],
  reindex: ["reindex"],
};
