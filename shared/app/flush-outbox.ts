import type { SendIntent } from "../domain/campaigns/contracts.js";
import type { SegmentTransition } from "../domain/segments/contracts.js";
import type { OutboxStore, TransitionPublisher } from "../ports.js";
import { type SendScheduling, scheduleIntents } from "./schedule-intents.js";
import { TransitionPublishError } from "./segment-errors.js";

/** What flushing one profile's outboxes did. */
export interface FlushResult {
  /** Transitions published to the transitions queue. */
  readonly published: number;
  /** Send intents handed to the sends queue (due now). */
  readonly enqueued: number;
  /** Send intents handed to send timers (due later). */
  readonly timed: number;
  /** Writes of send timers (and their index). */
  readonly sendTimerWrites: number;
  /** Profile writes made to clear the outboxes (0 or 1). */
  readonly outboxWrites: number;
  readonly writeUnits: number;
  /** The clear lost a race with another writer: the entries will be published again (consumers de-dup). */
  readonly clearConflict: boolean;
}

const NOTHING: FlushResult = {
  published: 0,
  enqueued: 0,
  timed: 0,
  sendTimerWrites: 0,
  outboxWrites: 0,
  writeUnits: 0,
  clearConflict: false,
};

/** Where outbox entries go. Without `sends`, send intents stay in their outbox for a writer that has them. */
export interface OutboxDeps {
  readonly outbox: OutboxStore;
  readonly transitions: TransitionPublisher;
  readonly sends?: SendScheduling;
}

/** The part of a stored profile a flush reads. */
export interface StoredOutboxes {
  readonly customerId: string;
  readonly version: number;
  readonly itemBytes: number;
  readonly ob?: readonly SegmentTransition[];
  readonly oi?: readonly SendIntent[];
}

/**
 * Publishes a stored profile's outboxes — transitions to the transitions queue, send intents to the sends queue
 * or send timers — then clears what was published with a write conditional on the stored `version`. Delivery is
 * at least once: a crash or a lost race leaves entries that the next writer of the profile publishes again.
 * Throws {@link TransitionPublishError} (retryable) when some entries could not be published, after clearing the
 * others.
 */
export async function flushOutbox(
  deps: OutboxDeps,
  stored: StoredOutboxes,
  now: number,
): Promise<FlushResult> {
  const transitions = stored.ob ?? [];
  const intents = deps.sends === undefined ? [] : (stored.oi ?? []);
  if (transitions.length === 0 && intents.length === 0) return NOTHING;
  let published: ReadonlySet<string> = new Set();
  let cause: unknown;
  if (transitions.length > 0) {
    try {
      published = await deps.transitions.publish(transitions);
    } catch (error) {
      cause = error;
    }
  }
  const scheduled =
    deps.sends === undefined || intents.length === 0
      ? { accepted: new Set<string>(), enqueued: 0, timed: 0, timerWrites: 0 }
      : await scheduleIntents(deps.sends, intents, now);
  const remainingTransitions = transitions.filter((t) => !published.has(t.id));
  const remainingIntents = (stored.oi ?? []).filter((i) => !scheduled.accepted.has(i.key));
  const left = remainingTransitions.length + (intents.length === 0 ? 0 : remainingIntents.length);
  if (published.size === 0 && scheduled.accepted.size === 0) {
    throw new TransitionPublishError(stored.customerId, left, cause);
  }
  const cleared = await deps.outbox.clearOutbox(
    stored.customerId,
    stored.version,
    { transitions: remainingTransitions, intents: remainingIntents },
    stored.itemBytes,
  );
  if (left > 0) throw new TransitionPublishError(stored.customerId, left, cause);
  return {
    published: published.size,
    enqueued: scheduled.enqueued,
    timed: scheduled.timed,
    sendTimerWrites: scheduled.timerWrites,
    outboxWrites: 1,
    writeUnits: cleared.ok ? cleared.writeUnits : 0,
    clearConflict: !cleared.ok,
  };
}
