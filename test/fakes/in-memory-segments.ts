import type { RfmThresholds, SegmentTransition } from "#shared/domain/segments/contracts.js";
import type {
  DueTimer,
  SegmentSize,
  SegmentStore,
  SizeDelta,
  Timers,
  TransitionPublisher,
} from "#shared/ports.js";

/** Timers in memory: due ones oldest first, like the DynamoDB store. */
export class InMemoryTimers implements Timers {
  readonly items = new Map<string, DueTimer>();
  writes = 0;

  async schedule(customerId: string, dueAt: number): Promise<number> {
    this.writes++;
    this.items.set(`${customerId}@${dueAt}`, { customerId, dueAt });
    return 1;
  }

  async due(now: number, limit: number): Promise<DueTimer[]> {
    return [...this.items.values()]
      .filter((t) => t.dueAt <= now)
      .sort((a, b) => a.dueAt - b.dueAt)
      .slice(0, limit);
  }

  async complete(timer: DueTimer): Promise<void> {
    this.items.delete(`${timer.customerId}@${timer.dueAt}`);
  }

  /** Pending timers of one customer, by due time. */
  of(customerId: string): number[] {
    return [...this.items.values()]
      .filter((t) => t.customerId === customerId)
      .map((t) => t.dueAt)
      .sort((a, b) => a - b);
  }
}

/** Segment sizes (unsharded: one counter per segment) and RFM thresholds in memory. */
export class InMemorySegmentStore implements SegmentStore {
  readonly counters = new Map<string, number>();
  readonly countedAt = new Map<string, number>();
  thresholds: RfmThresholds | undefined;
  thresholdReads = 0;
  failAdds = false;

  async rfmThresholds(): Promise<RfmThresholds | undefined> {
    this.thresholdReads++;
    return this.thresholds;
  }

  async putRfmThresholds(thresholds: RfmThresholds): Promise<void> {
    this.thresholds = thresholds;
  }

  async addToSizes(deltas: readonly SizeDelta[]): Promise<number> {
    if (this.failAdds) throw new Error("segments table unreachable");
    const sums = new Map<string, number>();
    for (const { segmentId, delta } of deltas) sums.set(segmentId, (sums.get(segmentId) ?? 0) + delta);
    let writes = 0;
    for (const [segmentId, delta] of sums) {
      if (delta === 0) continue;
      this.counters.set(segmentId, (this.counters.get(segmentId) ?? 0) + delta);
      writes++;
    }
    return writes;
  }

  async sizes(segmentIds: readonly string[]): Promise<SegmentSize[]> {
    return segmentIds.map((segmentId) => ({
      segmentId,
      size: this.counters.get(segmentId) ?? 0,
      countedAt: this.countedAt.get(segmentId),
    }));
  }

  async putExactSizes(sizes: ReadonlyMap<string, number>, countedAt: number): Promise<void> {
    for (const [segmentId, size] of sizes) {
      this.counters.set(segmentId, size);
      this.countedAt.set(segmentId, countedAt);
    }
  }
}

/** A transitions queue in memory; `reject` makes matching transitions fail, `down` makes every call throw. */
export class InMemoryTransitionQueue implements TransitionPublisher {
  readonly messages: SegmentTransition[] = [];
  down = false;
  reject: ((transition: SegmentTransition) => boolean) | undefined;

  async publish(transitions: readonly SegmentTransition[]): Promise<ReadonlySet<string>> {
    if (this.down) throw new Error("queue unreachable");
    const accepted = new Set<string>();
    for (const transition of transitions) {
      if (this.reject?.(transition)) continue;
      this.messages.push(structuredClone(transition));
      accepted.add(transition.id);
    }
    return accepted;
  }

  /** Distinct transitions by id, as a de-duplicating consumer sees them. */
  distinct(): SegmentTransition[] {
    return [...new Map(this.messages.map((m) => [m.id, m])).values()];
  }
}
