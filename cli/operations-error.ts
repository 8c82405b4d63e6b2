import { TailorError } from "#shared/errors.js";

/** `tailor doctor` or `tailor cost` cannot run as asked: a bad flag, a missing or stale outputs file. */
export class OperationsError extends TailorError {
  constructor(message: string, cause?: unknown) {
    super(message, { retryable: false, cause });
  }
}
