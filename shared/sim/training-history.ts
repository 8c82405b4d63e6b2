import type { SimRecord } from "./records.js";
import { simulate } from "./simulate.js";

/** Simulated training history starts here unless told otherwise (2026-01-01, a Thursday). */
export const DEFAULT_TRAINING_START = Date.UTC(2026, 0, 1);

/** What to simulate for training. */
export interface TrainingHistoryOptions {
  readonly seed: number;
  readonly customers: number;
  /** Simulated days. */
  readonly days: number;
  /** @default {@link DEFAULT_TRAINING_START} */
  readonly start?: number;
}

/**
 * The simulator's history as the training use case takes it (`trainAll({ ...simulatedHistory(options) })`):
 * the records, and the start and length of the simulated time they cover.
 */
export function simulatedHistory(options: TrainingHistoryOptions): {
  readonly history: Iterable<SimRecord>;
  readonly start: number;
  readonly days: number;
} {
  const start = options.start ?? DEFAULT_TRAINING_START;
  const history = simulate({ seed: options.seed, customers: options.customers, days: options.days, start });
  return { history, start, days: options.days };
}
