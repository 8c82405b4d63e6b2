import type { SendIntent } from "../domain/campaigns/contracts.js";
import type { SendQueue, SendTimers } from "../ports.js";

/** Where send intents go: the queue for those due now, timers for the later ones. */
export interface SendScheduling {
  readonly queue: SendQueue;
  readonly timers: SendTimers;
}

/** What scheduling a set of intents did. */
export interface ScheduledIntents {
  /** Keys of the intents the queue or a timer accepted. */
  readonly accepted: ReadonlySet<string>;
  readonly enqueued: number;
  readonly timed: number;
  /** Timer writes made (a timer item, plus an index entry now and then). */
  readonly timerWrites: number;
}

/**
 * Hands intents on: due at or before `now` → the sends queue; later → a send timer at `dueAt`, moved to the
 * queue when due. Both are idempotent per send key downstream (the ledger), so handing an intent on twice is
 * harmless. An intent whose timer write failed is simply not accepted; the caller keeps it and tries again.
 */
export async function scheduleIntents(
  deps: SendScheduling,
  intents: readonly SendIntent[],
  now: number,
): Promise<ScheduledIntents> {
  const dueNow = intents.filter((intent) => intent.dueAt <= now);
  const later = intents.filter((intent) => intent.dueAt > now);
  const accepted = new Set<string>();
  let timerWrites = 0;
  let timed = 0;
  const [queued] = await Promise.all([
    dueNow.length === 0 ? new Set<string>() : deps.queue.enqueue(dueNow).catch(() => new Set<string>()),
    Promise.all(
      later.map(async (intent) => {
        try {
          timerWrites += await deps.timers.schedule(intent);
          timed++;
          accepted.add(intent.key);
        } catch {
          // Not accepted: the intent stays with the caller.
        }
      }),
    ),
  ]);
  for (const key of queued) accepted.add(key);
  return { accepted, enqueued: queued.size, timed, timerWrites };
}
