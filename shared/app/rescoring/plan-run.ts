import type { ScanSlice } from "#shared/ports.js";
import { allSlices } from "../segments-batch.js";

/** Slices of a run when the schedule does not say. */
export const DEFAULT_TOTAL_SEGMENTS = 8;

/** A rescoring run's plan: when it started and the slices the state machine rescores in parallel. */
export interface RescorePlan {
  readonly startedAt: number;
  /** Slices of the profile table, scanned in parallel by the run's steps. */
  readonly totalSegments: number;
  readonly slices: ScanSlice[];
}

/** Plans a run started at `now` over `totalSegments` slices (at least 1, a whole number). */
export function planRescoreRun(now: number, totalSegments = DEFAULT_TOTAL_SEGMENTS): RescorePlan {
  const total = Math.max(1, Math.floor(totalSegments));
  return { startedAt: now, totalSegments: total, slices: allSlices(total) };
}
