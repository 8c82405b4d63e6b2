import type { SendIntent } from "../../domain/campaigns/contracts.js";
import type { Mailer, MailReceipt, OutgoingEmail, SendTimers } from "../../ports.js";
import type { RateLimiter } from "../rate-limiter.js";

/**
 * The mailer of a dry run: nothing leaves; every email handed to it is remembered until {@link drain}, so the
 * dry run can count it and keep a sample.
 */
export class RecordingMailer implements Mailer {
  #emails: OutgoingEmail[] = [];

  async send(email: OutgoingEmail): Promise<MailReceipt> {
    this.#emails.push(email);
    return { messageId: `dry-run:${email.sendKey}` };
  }

  /** The emails handed over since the last drain, forgotten here. */
  drain(): OutgoingEmail[] {
    const emails = this.#emails;
    this.#emails = [];
    return emails;
  }
}

/** The send timers of a dry run: a deferred send is counted (its reason is in the ledger entry), not kept. */
export class RecordingSendTimers implements SendTimers {
  scheduled = 0;

  async schedule(_intent: SendIntent): Promise<number> {
    this.scheduled++;
    return 0;
  }

  async due(_now: number, _limit: number): Promise<SendIntent[]> {
    return [];
  }

  async complete(_intent: SendIntent): Promise<void> {}
}

/** No pacing: a dry run calls no provider. */
export const unlimited: RateLimiter = { acquire: async () => {} };
