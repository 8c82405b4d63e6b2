import type { EvaluationContext, SegmentTransition } from "../domain/segments/contracts.js";
import type { SegmentLibrary } from "../domain/segments/index.js";
import type {
  Clock,
  OutboxStore,
  ProfileStore,
  SegmentMemberWriter,
  SegmentStore,
  SizeDelta,
  Timers,
  TransitionPublisher,
} from "../ports.js";
import type { SendScheduling } from "./schedule-intents.js";

/** What every use case that evaluates segments needs besides the profiles. */
export interface SegmentDeps {
  readonly library: SegmentLibrary;
  readonly outbox: OutboxStore;
  readonly store: SegmentStore;
  readonly timers: Timers;
  readonly transitions: TransitionPublisher;
  /** The segment membership index, written with the outbox (absent: no index is kept). */
  readonly members?: SegmentMemberWriter;
  /** The evaluation context (RFM thresholds); see {@link cachedEvaluationContext}. */
  readonly context: () => Promise<EvaluationContext>;
}

/** Use cases that load, re-evaluate and write profiles outside the stream (timers, batch, imports). */
export interface ResettleDeps {
  readonly profiles: ProfileStore;
  readonly segments: SegmentDeps;
  readonly clock: Clock;
  /** Optimistic write attempts per customer. @default 5 */
  readonly maxWriteAttempts?: number;
  /** Where send intents found in an outbox go; without it they stay for a writer that has it. */
  readonly sends?: SendScheduling;
}

/** How long the RFM thresholds are reused before being read again. */
export const CONTEXT_TTL_MS = 60_000;

/**
 * The evaluation context, read from the segment store at most once per `ttlMs` (a batch reads it once; the
 * batch path recomputes the thresholds daily, so a minute of staleness is harmless). When a reload fails and an
 * older value is at hand, the older value is used.
 */
export function cachedEvaluationContext(
  store: Pick<SegmentStore, "rfmThresholds">,
  clock: Clock,
  ttlMs = CONTEXT_TTL_MS,
): () => Promise<EvaluationContext> {
  let cached: { context: EvaluationContext; at: number } | undefined;
  return async () => {
    const now = clock.now();
    if (cached !== undefined && now - cached.at < ttlMs) return cached.context;
    try {
      const rfm = await store.rfmThresholds();
      cached = { context: rfm === undefined ? {} : { rfm }, at: now };
    } catch (error) {
      if (cached === undefined) throw error;
    }
    return cached.context;
  };
}

/** The size changes that transitions make: +1 per entry, -1 per exit. */
export function sizeDeltas(transitions: readonly SegmentTransition[]): SizeDelta[] {
  return transitions.map((t) => ({
    segmentId: t.segmentId,
    customerId: t.customerId,
    delta: t.kind === "entered" ? 1 : -1,
  }));
}
