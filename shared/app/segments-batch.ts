import type { Profile } from "../domain/profile/index.js";
import type { RfmMonetaryBasis, RfmScores, RfmThresholds } from "../domain/segments/contracts.js";
import { rfmSample, rfmScores, rfmThresholds, type SegmentLibrary } from "../domain/segments/index.js";
import type { ProfileScan, ScanSlice, SegmentStore, StoredProfile } from "../ports.js";
import { countingSizes, resettleProfile } from "./resettle-profile.js";
import type { ResettleDeps } from "./segment-deps.js";

/** The batch jobs' dependencies: the re-evaluation ones, plus a way to read every profile. */
export interface SegmentsBatchDeps extends ResettleDeps {
  readonly scan: ProfileScan;
}

/** Every slice of a scan split in `totalSegments`. */
export function allSlices(totalSegments: number): ScanSlice[] {
  return Array.from({ length: totalSegments }, (_, segment) => ({ segment, totalSegments }));
}

/** Counts the stored members of every segment of `library` in one slice (0 for a segment nobody is in). */
export async function countMembers(
  deps: { readonly scan: ProfileScan; readonly library: SegmentLibrary },
  slice: ScanSlice,
): Promise<Map<string, number>> {
  const counts = new Map<string, number>(deps.library.definitions.map((d) => [d.id, 0]));
  for await (const { profile } of deps.scan.scan(slice)) {
    for (const segmentId of Object.keys(profile.sg ?? {})) {
      const n = counts.get(segmentId);
      if (n !== undefined) counts.set(segmentId, n + 1);
    }
  }
  return counts;
}

/** Sums per-slice counts. */
export function sumCounts(parts: Iterable<ReadonlyMap<string, number>>): Map<string, number> {
  const total = new Map<string, number>();
  for (const part of parts) {
    for (const [id, n] of part) total.set(id, (total.get(id) ?? 0) + n);
  }
  return total;
}

/**
 * Counts every segment's members exactly over all slices (scanned in parallel) and writes the exact sizes,
 * replacing what the real-time counters had drifted to. Returns the sizes.
 */
export async function recountSegments(
  deps: SegmentsBatchDeps,
  options: { readonly totalSegments: number },
): Promise<Map<string, number>> {
  const countedAt = deps.clock.now();
  const parts = await Promise.all(
    allSlices(options.totalSegments).map((slice) =>
      countMembers({ scan: deps.scan, library: deps.segments.library }, slice),
    ),
  );
  const sizes = sumCounts(parts);
  await deps.segments.store.putExactSizes(sizes, countedAt);
  return sizes;
}

/** One buyer's RFM inputs: whole days since the last order, orders, revenue (minor units). */
export type RfmSample = NonNullable<ReturnType<typeof rfmSample>>;

/** The RFM inputs of every buyer in one slice, monetary on `basis`. */
export async function rfmSamples(
  scan: ProfileScan,
  slice: ScanSlice,
  now: number,
  basis?: RfmMonetaryBasis,
): Promise<RfmSample[]> {
  const samples: RfmSample[] = [];
  for await (const { profile } of scan.scan(slice)) {
    const sample = rfmSample(profile, now, basis);
    if (sample !== undefined) samples.push(sample);
  }
  return samples;
}

/** How the RFM batch runs: over how many scan slices, and what monetary value it reads. */
export interface RfmBatchOptions {
  readonly totalSegments: number;
  /** `total` (`o.r`) or `revenue` (`o.v`); stored with the thresholds. @default "total" */
  readonly monetaryBasis?: RfmMonetaryBasis;
}

/**
 * Computes the population's quintile thresholds over every slice and stores them (with their monetary basis)
 * for real-time evaluation.
 */
export async function computeRfmThresholds(
  deps: { readonly scan: ProfileScan; readonly store: SegmentStore },
  options: RfmBatchOptions,
  now: number,
): Promise<RfmThresholds> {
  const basis = options.monetaryBasis;
  const parts = await Promise.all(
    allSlices(options.totalSegments).map((slice) => rfmSamples(deps.scan, slice, now, basis)),
  );
  const thresholds = rfmThresholds(parts.flat(), now, basis);
  await deps.store.putRfmThresholds(thresholds);
  return thresholds;
}

/** What a batch pass over one slice did. */
export interface SliceSummary {
  profiles: number;
  profilesWritten: number;
  transitions: number;
  transitionsPublished: number;
  timerWrites: number;
  counterWrites: number;
  conflicts: number;
}

const sameScores = (a: RfmScores | undefined, b: RfmScores | undefined) =>
  a?.r === b?.r && a?.f === b?.f && a?.m === b?.m;

/** The profile with its RFM scores under `thresholds`, or undefined when they did not change. */
export function withRfmScores(profile: Profile, thresholds: RfmThresholds, now: number): Profile | undefined {
  const scores = rfmScores(profile, thresholds, now);
  if (sameScores(scores, profile.rfm)) return undefined;
  const next: Profile = { ...profile };
  if (scores === undefined) Reflect.deleteProperty(next, "rfm");
  else next.rfm = scores;
  return next;
}

/**
 * Writes every profile's RFM scores under `thresholds` in one slice (a conditional write per profile whose
 * scores changed) and re-evaluates its segments, emitting the transitions the new scores cause.
 */
export async function scoreRfmSlice(
  deps: SegmentsBatchDeps,
  slice: ScanSlice,
  thresholds: RfmThresholds,
): Promise<SliceSummary> {
  const now = deps.clock.now();
  return resettleSlice(deps, slice, (profile) => withRfmScores(profile, thresholds, now));
}

/** `computeRfmThresholds`, then `scoreRfmSlice` over every slice in parallel. */
export async function recomputeRfm(
  deps: SegmentsBatchDeps,
  options: RfmBatchOptions,
): Promise<{ thresholds: RfmThresholds; summary: SliceSummary }> {
  const thresholds = await computeRfmThresholds(
    { scan: deps.scan, store: deps.segments.store },
    options,
    deps.clock.now(),
  );
  const parts = await Promise.all(
    allSlices(options.totalSegments).map((slice) => scoreRfmSlice(deps, slice, thresholds)),
  );
  return { thresholds, summary: sumSummaries(parts) };
}

/**
 * Re-evaluates every profile of one slice against the current library at the clock's `now` and writes those
 * whose memberships changed: a definition's new version, a new definition, a removed one, or time. Only
 * members are stored, so evaluation is the one sound test of staleness; it is cheap next to the scan.
 */
export async function reevaluateStale(deps: SegmentsBatchDeps, slice: ScanSlice): Promise<SliceSummary> {
  return resettleSlice(deps, slice, undefined);
}

async function resettleSlice(
  deps: SegmentsBatchDeps,
  slice: ScanSlice,
  mutate: ((profile: Profile) => Profile | undefined) | undefined,
): Promise<SliceSummary> {
  return resettleProfiles(deps, deps.scan.scan(slice), mutate);
}

/**
 * Re-evaluates (after `mutate`, when given) and writes each profile whose memberships changed, then adds the
 * transitions' size changes to the counters at once: a slice's or one page's worth.
 */
export async function resettleProfiles(
  deps: ResettleDeps,
  profiles: AsyncIterable<StoredProfile> | Iterable<StoredProfile>,
  mutate: ((profile: Profile) => Profile | undefined) | undefined,
): Promise<SliceSummary> {
  const now = deps.clock.now();
  const summary: SliceSummary = {
    profiles: 0,
    profilesWritten: 0,
    transitions: 0,
    transitionsPublished: 0,
    timerWrites: 0,
    counterWrites: 0,
    conflicts: 0,
  };
  const { counterWrites } = await countingSizes(deps.segments.store, async (deltas) => {
    for await (const stored of profiles) {
      summary.profiles++;
      const outcome = await resettleProfile(deps, stored.profile.customerId, now, {
        initial: stored,
        deltas,
        ...(mutate === undefined ? {} : { mutate }),
      });
      if (outcome.status === "written") summary.profilesWritten++;
      summary.transitions += outcome.transitions;
      summary.transitionsPublished += outcome.published;
      summary.timerWrites += outcome.timerWrites;
      summary.conflicts += outcome.conflicts;
    }
  });
  summary.counterWrites += counterWrites;
  return summary;
}

/** Sums slice summaries. */
export function sumSummaries(parts: readonly SliceSummary[]): SliceSummary {
  const sum = (pick: (part: SliceSummary) => number) => parts.reduce((n, part) => n + pick(part), 0);
  return {
    profiles: sum((p) => p.profiles),
    profilesWritten: sum((p) => p.profilesWritten),
    transitions: sum((p) => p.transitions),
    transitionsPublished: sum((p) => p.transitionsPublished),
    timerWrites: sum((p) => p.timerWrites),
    counterWrites: sum((p) => p.counterWrites),
    conflicts: sum((p) => p.conflicts),
  };
}
