import { TailorError } from "#shared/errors.js";

/** A statistic was asked of impossible counts or parameters (negative counts, a rate outside 0–1, …). */
export class StatisticsInputError extends TailorError {
  constructor(message: string) {
    super(message, { retryable: false });
  }
}
