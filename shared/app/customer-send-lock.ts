import type { SendIntent } from "../domain/campaigns/contracts.js";
import { TailorError } from "../errors.js";
import type { Clock, SendLedger } from "../ports.js";
import { realSleep, type Sleep } from "./rate-limiter.js";

/** How long a send waits for another send to the same customer to finish before retrying later. */
export const CUSTOMER_LOCK_WAIT_MS_DEFAULT = 2_000;
/** The first pause between tries; it doubles up to {@link CUSTOMER_LOCK_PAUSE_MAX_MS}. */
const FIRST_PAUSE_MS = 25;
const CUSTOMER_LOCK_PAUSE_MAX_MS = 400;

/** How a send waits for the customer's send lock. */
export interface CustomerLockOptions {
  /** @default {@link CUSTOMER_LOCK_WAIT_MS_DEFAULT} */
  readonly waitMs?: number;
  /** @default real time */
  readonly sleep?: Sleep;
}

/** Another send to the customer held the lock all the while we waited: the intent is retried later. */
export class CustomerBusyError extends TailorError {
  constructor(customerId: string, waitedMs: number) {
    super(
      `another send to ${customerId} is being decided under its frequency cap (waited ${waitedMs} ms): retried later`,
      { retryable: true },
    );
  }
}

/**
 * Runs `decide` (read the cap's sends, decide, send, record) holding the customer's send lock, so two attempts
 * for one customer in parallel (two batches of the sends queue) never both count the same room under a frequency
 * cap. Waits for a lock another send holds (it is held for one decision, well under a second) up to `waitMs`,
 * then throws {@link CustomerBusyError} (retryable: the claim is released, the message comes back). The lock is
 * dropped afterwards whatever happened; a failure to drop it only delays the customer's next send until its
 * lease ends.
 */
export async function withCustomerLock<T>(
  deps: {
    readonly ledger: Pick<SendLedger, "lockCustomer" | "unlockCustomer">;
    readonly clock: Clock;
    readonly customerLock?: CustomerLockOptions;
  },
  intent: Pick<SendIntent, "customerId" | "key">,
  decide: () => Promise<T>,
): Promise<T> {
  const waitMs = deps.customerLock?.waitMs ?? CUSTOMER_LOCK_WAIT_MS_DEFAULT;
  const sleep = deps.customerLock?.sleep ?? realSleep;
  let waited = 0;
  let pause = FIRST_PAUSE_MS;
  while (!(await deps.ledger.lockCustomer(intent.customerId, intent.key, deps.clock.now()))) {
    if (waited >= waitMs) throw new CustomerBusyError(intent.customerId, waited);
    await sleep(pause);
    waited += pause;
    pause = Math.min(pause * 2, CUSTOMER_LOCK_PAUSE_MAX_MS);
  }
  try {
    return await decide();
  } finally {
    try {
      await deps.ledger.unlockCustomer(intent.customerId, intent.key);
    } catch {
      // The lease ends it.
    }
  }
}
