import type { SendIntent } from "../domain/campaigns/contracts.js";
import type { CounterOutboxEntry } from "../domain/profile/index.js";
import type { SegmentTransition } from "../domain/segments/contracts.js";
import type { ExperimentCounters, OutboxStore, SegmentMemberWriter, TransitionPublisher } from "../ports.js";
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
  /** Outbox entries of experiment counts added to the counters. */
  readonly counted: number;
  /** Writes of experiment counters. */
  readonly counterWrites: number;
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
  counted: 0,
  counterWrites: 0,
  outboxWrites: 0,
  writeUnits: 0,
  clearConflict: false,
};

/**
 * Where outbox entries go. Without `sends`, send intents stay in their outbox for a writer that has them; without
 * `experiments`, so do experiment counts.
 */
export interface OutboxDeps {
  readonly outbox: OutboxStore;
  readonly transitions: TransitionPublisher;
  readonly sends?: SendScheduling;
  readonly experiments?: ExperimentCounters;
  /** The segment membership index, brought to the profile's memberships before its transitions are published. */
  readonly members?: SegmentMemberWriter;
}

/** The part of a stored profile a flush reads. */
export interface StoredOutboxes {
  readonly customerId: string;
  readonly version: number;
  readonly itemBytes: number;
  /** The memberships at `version`: what the index is brought to for the segments of `ob`. */
  readonly sg?: Readonly<Record<string, unknown>>;
  readonly ob?: readonly SegmentTransition[];
  readonly oi?: readonly SendIntent[];
  readonly ox?: readonly CounterOutboxEntry[];
}

/** The counters' name for one outbox entry of experiment counts: the customer and the write that made it. */
export const counterFlushId = (customerId: string, writeVersion: number): string =>
  `${customerId}#${writeVersion}`;

/**
 * Publishes a stored profile's outboxes — transitions to the transitions queue, send intents to the sends queue
 * or send timers, experiment counts to the counters — then clears what was published with a write conditional on
 * the stored `version`. Delivery is at least once: a crash or a lost race leaves entries that the next writer of
 * the profile publishes again (the transitions' consumers de-duplicate on the transition id, the sends on the
 * send key, the counters on the entry's flush id).
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
  const counts = deps.experiments === undefined ? [] : (stored.ox ?? []);
  if (transitions.length === 0 && intents.length === 0 && counts.length === 0) return NOTHING;
  let published: ReadonlySet<string> = new Set();
  let cause: unknown;
  if (transitions.length > 0) {
    try {
      // The index first: a transition leaves the outbox only once its segment's entry is written.
      await syncMembers(deps.members, stored, transitions);
      published = await deps.transitions.publish(transitions);
    } catch (error) {
      cause = error;
    }
  }
  const scheduled =
    deps.sends === undefined || intents.length === 0
      ? { accepted: new Set<string>(), enqueued: 0, timed: 0, timerWrites: 0 }
      : await scheduleIntents(deps.sends, intents, now);
  const counted = new Set<number>();
  let counterWrites = 0;
  if (deps.experiments !== undefined) {
    const { experiments } = deps;
    await Promise.all(
      counts.map(async (entry) => {
        try {
          counterWrites += await experiments.add(counterFlushId(stored.customerId, entry.id), entry.i);
          counted.add(entry.id);
        } catch (error) {
          cause ??= error;
        }
      }),
    );
  }
  const remainingTransitions = transitions.filter((t) => !published.has(t.id));
  const remainingIntents = (stored.oi ?? []).filter((i) => !scheduled.accepted.has(i.key));
  const remainingCounts = (stored.ox ?? []).filter((entry) => !counted.has(entry.id));
  const left =
    remainingTransitions.length +
    (intents.length === 0 ? 0 : remainingIntents.length) +
    (counts.length === 0 ? 0 : remainingCounts.length);
  if (published.size === 0 && scheduled.accepted.size === 0 && counted.size === 0) {
    throw new TransitionPublishError(stored.customerId, left, cause);
  }
  const cleared = await deps.outbox.clearOutbox(
    stored.customerId,
    stored.version,
    { transitions: remainingTransitions, intents: remainingIntents, counts: remainingCounts },
    stored.itemBytes,
  );
  if (left > 0) throw new TransitionPublishError(stored.customerId, left, cause);
  return {
    published: published.size,
    enqueued: scheduled.enqueued,
    timed: scheduled.timed,
    sendTimerWrites: scheduled.timerWrites,
    counted: counted.size,
    counterWrites,
    outboxWrites: 1,
    writeUnits: cleared.ok ? cleared.writeUnits : 0,
    clearConflict: !cleared.ok,
  };
}

/**
 * Brings the membership index to the stored memberships for every segment the transitions touch: the state at
 * the stored version, not the transitions' kinds, so a redelivered or reordered flush writes the same thing, and a
 * flush of an older version than the index holds writes nothing.
 */
async function syncMembers(
  members: SegmentMemberWriter | undefined,
  stored: StoredOutboxes,
  transitions: readonly SegmentTransition[],
): Promise<void> {
  if (members === undefined) return;
  const state = new Map<string, boolean>();
  for (const { segmentId } of transitions) state.set(segmentId, Object.hasOwn(stored.sg ?? {}, segmentId));
  await members.sync(stored.customerId, stored.version, state);
}
