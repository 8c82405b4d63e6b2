import { TailorError } from "./errors.js";

/** The provider is throttling (sending rate or quota): retry later, within the rate. */
export class MailerThrottledError extends TailorError {
  constructor(message: string, cause?: unknown) {
    super(message, { retryable: true, cause });
  }
}

/**
 * The provider could not be reached or failed on its side (5xx, network, credentials): retry later.
 * `maybeSent` is true when the request may have reached the provider before the failure (a timeout or a reset
 * connection): the email may have gone out, so a caller that must never send twice keeps its claim.
 */
export class MailerUnavailableError extends TailorError {
  readonly maybeSent: boolean;

  constructor(message: string, options: { cause?: unknown; maybeSent: boolean }) {
    super(message, { retryable: true, cause: options.cause });
    this.maybeSent = options.maybeSent;
  }
}

/** The provider refused this email for good (rejected content, unverified sender, suspended account, bad request). */
export class MailerRejectedError extends TailorError {
  constructor(message: string, cause?: unknown) {
    super(message, { retryable: false, cause });
  }
}

export type MailerError = MailerThrottledError | MailerUnavailableError | MailerRejectedError;
