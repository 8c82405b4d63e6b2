import type { ScanSlice } from "#shared/ports.js";
import { allSlices } from "../segments-batch.js";

/** Slices of a run at least, when the schedule does not say (a small table still rescores in parallel). */
export const DEFAULT_TOTAL_SEGMENTS = 8;
/**
 * Profiles a slice rescores at most when the plan sizes the run from the table: one slice is one invocation of
 * at most 15 minutes, and 100,000 profiles take a few minutes at the hundreds a second one slice writes.
 */
export const PROFILES_PER_SLICE = 100_000;
/** Slices of a run at most (the scan's segments; each slice's summary is kept in the segments table, not the state). */
export const MAX_TOTAL_SEGMENTS = 1000;

/** A rescoring run's plan: when it started and the slices the state machine rescores in parallel. */
export interface RescorePlan {
  readonly startedAt: number;
  /** Slices of the profile table, scanned in parallel by the run's steps. */
  readonly totalSegments: number;
  /** The table's approximate item count the slices were sized from, when they were. */
  readonly tableItems?: number;
  readonly slices: ScanSlice[];
}

/**
 * Plans a run started at `now`: over `totalSegments` slices when given (at least 1, a whole number), else sized
 * from the table's approximate item count (`tableItems`, which DynamoDB refreshes about every six hours):
 * {@link PROFILES_PER_SLICE} a slice, at least {@link DEFAULT_TOTAL_SEGMENTS}, at most {@link MAX_TOTAL_SEGMENTS}.
 */
export function planRescoreRun(
  now: number,
  sizing: { readonly totalSegments?: number; readonly tableItems?: number } = {},
): RescorePlan {
  const sized = sizing.totalSegments === undefined;
  const wanted = sized
    ? Math.max(DEFAULT_TOTAL_SEGMENTS, Math.ceil((sizing.tableItems ?? 0) / PROFILES_PER_SLICE))
    : Math.max(1, Math.floor(sizing.totalSegments ?? 1));
  const total = Math.min(MAX_TOTAL_SEGMENTS, wanted);
  return {
    startedAt: now,
    totalSegments: total,
    ...(sized && sizing.tableItems !== undefined ? { tableItems: sizing.tableItems } : {}),
    slices: allSlices(total),
  };
}
