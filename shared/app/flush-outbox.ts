import type { SegmentTransition } from "../domain/segments/contracts.js";
import type { OutboxStore, TransitionPublisher } from "../ports.js";
import { TransitionPublishError } from "./segment-errors.js";

/** What flushing one outbox did. */
export interface FlushResult {
  readonly published: number;
  /** Profile writes made to clear the outbox (0 or 1). */
  readonly outboxWrites: number;
  readonly writeUnits: number;
  /** The clear lost a race with another writer: the entries will be published again (consumers de-dup). */
  readonly clearConflict: boolean;
}

const NOTHING: FlushResult = { published: 0, outboxWrites: 0, writeUnits: 0, clearConflict: false };

/**
 * Publishes a stored profile's outbox, then clears what was published with a write conditional on the stored
 * `version`. Delivery is at least once: a crash or a lost race leaves entries that the next writer of the
 * profile publishes again. Throws {@link TransitionPublishError} (retryable) when some entries could not be
 * published, after clearing the others.
 */
export async function flushOutbox(
  deps: { readonly outbox: OutboxStore; readonly transitions: TransitionPublisher },
  stored: {
    readonly customerId: string;
    readonly version: number;
    readonly itemBytes: number;
    readonly ob?: readonly SegmentTransition[];
  },
): Promise<FlushResult> {
  const outbox = stored.ob ?? [];
  if (outbox.length === 0) return NOTHING;
  let accepted: ReadonlySet<string>;
  try {
    accepted = await deps.transitions.publish(outbox);
  } catch (error) {
    throw new TransitionPublishError(stored.customerId, outbox.length, error);
  }
  if (accepted.size === 0) throw new TransitionPublishError(stored.customerId, outbox.length);
  const remaining = outbox.filter((t) => !accepted.has(t.id));
  const cleared = await deps.outbox.clearOutbox(
    stored.customerId,
    stored.version,
    remaining,
    stored.itemBytes,
  );
  if (remaining.length > 0) throw new TransitionPublishError(stored.customerId, remaining.length);
  return {
    published: outbox.length,
    outboxWrites: 1,
    writeUnits: cleared.ok ? cleared.writeUnits : 0,
    clearConflict: !cleared.ok,
  };
}
