import { TailorError } from "../errors.js";

/**
 * Some outbox entries (segment transitions, send intents) could not be published: they stay in the outbox and are
 * published by the next attempt.
 */
export class TransitionPublishError extends TailorError {
  constructor(customerId: string, unpublished: number, cause?: unknown) {
    super(
      `${unpublished} outbox entr${unpublished === 1 ? "y" : "ies"} of ${customerId} not published; they stay in the outbox`,
      {
        retryable: true,
        cause,
      },
    );
  }
}

/** A command named a segment the library does not have, or one it cannot act on (e.g. import into a rule). */
export class SegmentUsageError extends TailorError {
  constructor(message: string) {
    super(message, { retryable: false });
  }
}
