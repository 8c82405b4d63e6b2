import { TailorError } from "../errors.js";
import { MailerUnavailableError } from "../mailer-errors.js";
import type { MailReceipt, OutgoingEmail } from "../ports.js";
import { type RateLimiter, realSleep, type Sleep } from "./rate-limiter.js";

/** How {@link sendWithBackoff} retries. */
export interface BackoffOptions {
  /** Attempts in all, the first included. */
  readonly maxAttempts: number;
  /** The first backoff's ceiling; it doubles after each retryable failure. */
  readonly baseMs: number;
  /** The ceiling of any one backoff. @default 20 000 */
  readonly maxMs?: number;
  /** Every attempt, retries included, takes a token first, so retries stay within the send rate. */
  readonly limiter: RateLimiter;
  /** @default real timers */
  readonly sleep?: Sleep;
  /** A number in [0, 1): the jitter. @default Math.random */
  readonly random?: () => number;
}

const isRetryable = (error: unknown) => error instanceof TailorError && error.retryable;

/**
 * Sends `email` (or a text, through an `SmsSender`), pacing every attempt through the limiter. A retryable failure (throttled, unavailable) waits a
 * random time below `min(maxMs, baseMs · 2^(attempt-1))` ("full jitter", so retrying senders spread out) and
 * tries again, up to `maxAttempts`; the last failure is then thrown. A permanent failure is thrown at once, and
 * so is an unavailable error that may already have sent the email (`maybeSent`): sending again could duplicate.
 */
export async function sendWithBackoff<M = OutgoingEmail, R = MailReceipt>(
  mailer: { send(message: M): Promise<R> },
  email: M,
  options: BackoffOptions,
): Promise<R> {
  const sleep = options.sleep ?? realSleep;
  const random = options.random ?? Math.random;
  const maxMs = options.maxMs ?? 20_000;
  for (let attempt = 1; ; attempt++) {
    await options.limiter.acquire();
    try {
      return await mailer.send(email);
    } catch (error) {
      const maybeSent = error instanceof MailerUnavailableError && error.maybeSent;
      if (!isRetryable(error) || maybeSent || attempt >= options.maxAttempts) throw error;
      const ceiling = Math.min(maxMs, options.baseMs * 2 ** (attempt - 1));
      await sleep(Math.floor(random() * ceiling));
    }
  }
}
