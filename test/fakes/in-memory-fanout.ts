import { addFanOutCounts, NO_FANOUT_COUNTS } from "#shared/app/fanout/index.js";
import type {
  FanOutCheckpoint,
  FanOutCounts,
  FanOutPartState,
  FanOutRun,
  FanOutRunKey,
  FanOutRunPlan,
  FanOutRuns,
  ProfilePage,
  ProfilePages,
  ScanSlice,
  SegmentMemberIndex,
  StoredProfile,
} from "#shared/ports.js";

const runId = (key: FanOutRunKey) => `${key.campaignId}#${key.occurrence}`;

interface StoredRun {
  plan: FanOutRunPlan;
  starts: number;
  finishedAt?: number;
  errors: string[];
  errorCount: number;
  parts: Map<number, FanOutPartState & { counts: FanOutCounts }>;
}

/** Fan-out run records in memory, with the DynamoDB adapter's contract (conditional checkpoints). */
export class InMemoryFanOutRuns implements FanOutRuns {
  readonly runs = new Map<string, StoredRun>();

  async start(plan: FanOutRunPlan): Promise<FanOutRunPlan> {
    const found = this.runs.get(runId(plan));
    if (found !== undefined) {
      found.starts++;
      delete found.finishedAt;
      return found.plan;
    }
    this.runs.set(runId(plan), { plan, starts: 1, errors: [], errorCount: 0, parts: new Map() });
    return plan;
  }

  async part(key: FanOutRunKey, part: number): Promise<FanOutPartState> {
    const found = this.runs.get(runId(key))?.parts.get(part);
    if (found === undefined) return { step: 0, done: false };
    return {
      step: found.step,
      done: found.done,
      ...(found.cursor === undefined ? {} : { cursor: found.cursor }),
    };
  }

  async advance(key: FanOutRunKey, part: number, checkpoint: FanOutCheckpoint): Promise<boolean> {
    const run = this.runs.get(runId(key));
    if (run === undefined) throw new Error(`no run ${runId(key)}`);
    const current = run.parts.get(part) ?? { step: 0, done: false, counts: NO_FANOUT_COUNTS };
    if (current.done || current.step !== checkpoint.step) return false;
    const counts = addFanOutCounts(current.counts, checkpoint.counts);
    run.parts.set(part, {
      step: checkpoint.step + 1,
      done: checkpoint.done,
      counts,
      ...(checkpoint.done || checkpoint.cursor === undefined ? {} : { cursor: checkpoint.cursor }),
    });
    return true;
  }

  async recordError(key: FanOutRunKey, message: string): Promise<void> {
    const run = this.runs.get(runId(key));
    if (run === undefined) return;
    run.errorCount++;
    if (run.errors.length < 10) run.errors.push(message);
  }

  async finish(key: FanOutRunKey, at: number): Promise<void> {
    const run = this.runs.get(runId(key));
    if (run !== undefined) run.finishedAt = at;
  }

  async get(key: FanOutRunKey): Promise<FanOutRun | undefined> {
    const run = this.runs.get(runId(key));
    if (run === undefined) return undefined;
    const parts = [...run.parts.values()];
    return {
      ...run.plan,
      starts: run.starts,
      ...(run.finishedAt === undefined ? {} : { finishedAt: run.finishedAt }),
      counts: parts.reduce((total, p) => addFanOutCounts(total, p.counts), NO_FANOUT_COUNTS),
      partsDone: parts.filter((p) => p.done).length,
      errors: [...run.errors],
      errorCount: run.errorCount,
    };
  }

  async latest(campaignId: string): Promise<FanOutRun | undefined> {
    const keys = [...this.runs.values()]
      .map((run) => run.plan)
      .filter((plan) => plan.campaignId === campaignId)
      .sort((a, b) => a.occurrence.localeCompare(b.occurrence));
    const last = keys.at(-1);
    return last === undefined ? undefined : this.get(last);
  }
}

/**
 * Paged reads over any profile scan (the cursor is the position in the slice), and a fixed item count.
 * `failPages` makes that many page reads throw (a child that fails).
 */
export class PagedProfiles implements ProfilePages {
  failPages = 0;
  pagesRead = 0;

  constructor(
    private readonly source: { scan(slice: ScanSlice): AsyncIterable<StoredProfile> },
    private readonly count: number,
  ) {}

  async page(slice: ScanSlice, options: { limit: number; cursor?: string }): Promise<ProfilePage> {
    if (this.failPages > 0) {
      this.failPages--;
      throw new Error("scan throttled");
    }
    this.pagesRead++;
    const all: StoredProfile[] = [];
    for await (const stored of this.source.scan(slice)) all.push(stored);
    const from = options.cursor === undefined ? 0 : Number(options.cursor);
    const profiles = all.slice(from, from + options.limit);
    const next = from + options.limit;
    return next < all.length ? { profiles, cursor: String(next) } : { profiles };
  }

  async approximateCount(): Promise<number> {
    return this.count;
  }
}

/** A segment membership index in memory: members split into parts by their position in sorted order. */
export class InMemorySegmentMemberIndex implements SegmentMemberIndex {
  readonly reads: { segmentId: string; part: number; parts: number }[] = [];

  constructor(private readonly members: ReadonlyMap<string, readonly string[]>) {}

  async page(
    segmentId: string,
    options: { part: number; parts: number; limit: number; cursor?: string },
  ): Promise<{ customerIds: readonly string[]; cursor?: string }> {
    this.reads.push({ segmentId, part: options.part, parts: options.parts });
    const ids = [...(this.members.get(segmentId) ?? [])]
      .sort()
      .filter((_, index) => index % options.parts === options.part);
    const from = options.cursor === undefined ? 0 : Number(options.cursor);
    const next = from + options.limit;
    const customerIds = ids.slice(from, next);
    return next < ids.length ? { customerIds, cursor: String(next) } : { customerIds };
  }
}
