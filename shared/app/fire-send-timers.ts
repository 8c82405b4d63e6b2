import type { SendIntent } from "../domain/campaigns/contracts.js";
import type { Clock, SendQueue, SendTimers } from "../ports.js";

/** What {@link fireSendTimers} needs. */
export interface FireSendTimersDeps {
  readonly timers: SendTimers;
  readonly queue: SendQueue;
  readonly clock: Clock;
}

export interface FireSendTimersOptions {
  /** Timers read per round. @default 200 */
  readonly limit?: number;
  /** Rounds per run (a backlog beyond `limit × maxRounds` waits for the next run). @default 10 */
  readonly maxRounds?: number;
}

/** What one run did, for metrics and logs. */
export interface FireSendTimersSummary {
  /** Send timers found due. */
  due: number;
  /** Intents the queue accepted. */
  enqueued: number;
  /** Timers deleted after their intent was accepted. */
  completed: number;
  /** Intents the queue did not take: their timers stay due for the next run. */
  notEnqueued: number;
  /** Timers whose delete failed: they fire again (the send ledger makes the second delivery harmless). */
  completeFailures: number;
  /** The first few failures, for the log. */
  failures: string[];
}

const FAILURES_KEPT = 10;

/**
 * Moves the send timers due at the clock's `now` to the sends queue, then deletes the timers of the intents the
 * queue accepted; the others stay due and are tried again next run (and not again in this one). Delivery is at
 * least once: a timer whose delete fails fires again, and dispatch drops the duplicate through the send ledger.
 */
export async function fireSendTimers(
  deps: FireSendTimersDeps,
  options: FireSendTimersOptions = {},
): Promise<FireSendTimersSummary> {
  const now = deps.clock.now();
  const limit = options.limit ?? 200;
  const summary: FireSendTimersSummary = {
    due: 0,
    enqueued: 0,
    completed: 0,
    notEnqueued: 0,
    completeFailures: 0,
    failures: [],
  };
  const fail = (message: string) => {
    if (summary.failures.length < FAILURES_KEPT) summary.failures.push(message);
  };
  const kept = new Set<string>();
  for (let round = 0; round < (options.maxRounds ?? 10); round++) {
    // The timers kept back this run come first again (oldest first): read past them.
    const asked = limit + kept.size;
    const read = await deps.timers.due(now, asked);
    const intents = read.filter((intent) => !kept.has(timerKey(intent)));
    if (intents.length === 0) break;
    summary.due += intents.length;
    let accepted: ReadonlySet<string>;
    try {
      accepted = await deps.queue.enqueue(intents);
    } catch (error) {
      summary.notEnqueued += intents.length;
      fail(`enqueue: ${error instanceof Error ? error.message : String(error)}`);
      break;
    }
    const done = intents.filter((intent) => accepted.has(intent.key));
    for (const intent of intents) if (!accepted.has(intent.key)) kept.add(timerKey(intent));
    summary.enqueued += done.length;
    summary.notEnqueued += intents.length - done.length;
    const completions = await Promise.allSettled(done.map((intent) => deps.timers.complete(intent)));
    completions.forEach((outcome, index) => {
      if (outcome.status === "fulfilled") {
        summary.completed++;
        return;
      }
      summary.completeFailures++;
      const intent = done[index];
      if (intent !== undefined) kept.add(timerKey(intent));
      fail(`complete ${intent?.key ?? "?"}: ${String(outcome.reason)}`);
    });
    if (read.length < asked) break;
  }
  return summary;
}

const timerKey = (intent: SendIntent) => `${intent.key}@${intent.dueAt}`;
