import { MailerRejectedError, MailerThrottledError, MailerUnavailableError } from "./mailer-errors.js";

/**
 * The SMS provider's errors. They are the mailer's (`shared/mailer-errors.ts`) by another name, so the send path
 * (backoff, "maybe sent", permanent failures) treats a text exactly as an email.
 */

/** The SMS provider is throttling (rate or quota): retry later, within the rate. */
export class SmsThrottledError extends MailerThrottledError {}

/**
 * The SMS provider could not be reached or failed on its side (5xx, network, credentials): retry later.
 * `maybeSent`: the request may have reached the provider, so the text may have gone out.
 */
export class SmsUnavailableError extends MailerUnavailableError {}

/**
 * The provider refused this text for good (invalid number, blocked country, price over `MaxPrice`, unknown
 * origination identity or configuration set). `optedOut` is true when the number is on the provider's opt-out
 * list (the recipient replied STOP): SMS consent is then withdrawn for the customer.
 */
export class SmsRejectedError extends MailerRejectedError {
  readonly optedOut: boolean;

  constructor(message: string, options: { cause?: unknown; optedOut?: boolean } = {}) {
    super(message, options.cause);
    this.optedOut = options.optedOut ?? false;
  }
}

/** Any error an `SmsSender` throws. */
export type SmsError = SmsThrottledError | SmsUnavailableError | SmsRejectedError;
