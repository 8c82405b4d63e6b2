import type { Profile } from "../domain/profile/index.js";
import { ProfileConflictError } from "../errors.js";
import type { SegmentStore, SizeDelta, StoredProfile } from "../ports.js";
import { flushOutbox } from "./flush-outbox.js";
import { type ResettleDeps, sizeDeltas } from "./segment-deps.js";
import { settleSegments } from "./settle-segments.js";

/**
 * Runs `work`, which collects the segment size changes of the profiles it writes, and adds them to the counters
 * whether it finishes or throws: the profiles written before a failure did change their segments' sizes, and a
 * retry finds them already moved (no transition, no change to count). Resolves the work's result and the counter
 * writes of a finished run; a failed one is thrown after its changes are added.
 */
export async function countingSizes<T>(
  store: Pick<SegmentStore, "addToSizes">,
  work: (deltas: SizeDelta[]) => Promise<T>,
): Promise<{ readonly result: T; readonly counterWrites: number }> {
  const deltas: SizeDelta[] = [];
  const add = async () => (deltas.length > 0 ? store.addToSizes(deltas) : 0);
  let result: T;
  try {
    result = await work(deltas);
  } catch (error) {
    await add();
    throw error;
  }
  return { result, counterWrites: await add() };
}

/** What re-evaluating one stored profile did. */
export interface ResettleOutcome {
  /** `missing`: no such profile; `unchanged`: nothing to write; `written`: the profile was written. */
  readonly status: "missing" | "unchanged" | "written";
  readonly transitions: number;
  readonly published: number;
  readonly profileWrites: number;
  readonly outboxWrites: number;
  readonly timerWrites: number;
  readonly conflicts: number;
}

export interface ResettleOptions {
  /** The profile as already loaded (e.g. by a scan); loaded when absent, and again after a conflict. */
  readonly initial?: StoredProfile;
  /** A change to make before evaluating (e.g. new RFM scores); `undefined`: nothing to change. */
  readonly mutate?: (profile: Profile) => Profile | undefined;
  /**
   * Receives the size changes of a written profile's transitions as soon as the write succeeds (before the
   * outbox is published, which may throw), so the caller can sum a whole run's before writing the counters.
   */
  readonly deltas?: SizeDelta[];
}

/**
 * Re-evaluates one customer's segments at `now` outside the stream (a due timer, a batch job, an import):
 * loads the profile, applies `mutate`, evaluates, and writes it with a version check (reloading on a conflict)
 * only when something changed. A timer the evaluation needs is put first; when nothing else changed no profile
 * write is spent on `tm` (see {@link settleSegments} for why that is safe). After a write, and whenever a stored
 * outbox is found non-empty, the outbox is published and cleared.
 */
export async function resettleProfile(
  deps: ResettleDeps,
  customerId: string,
  now: number,
  options: ResettleOptions = {},
): Promise<ResettleOutcome> {
  const { segments } = deps;
  const outboxDeps = deps.sends === undefined ? segments : { ...segments, sends: deps.sends };
  const context = await segments.context();
  const attempts = deps.maxWriteAttempts ?? 5;
  const tally = { published: 0, outboxWrites: 0, timerWrites: 0, conflicts: 0 };
  const scheduled = new Set<number>();
  const schedule = async (at: number | undefined) => {
    if (at === undefined || scheduled.has(at)) return;
    tally.timerWrites += await segments.timers.schedule(customerId, at);
    scheduled.add(at);
  };

  let stored = options.initial ?? (await deps.profiles.get(customerId));
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (stored === undefined) {
      return { status: "missing", transitions: 0, profileWrites: 0, ...tally };
    }
    const mutated = options.mutate?.(stored.profile);
    const settled = settleSegments(mutated ?? stored.profile, segments.library, now, context);
    if (mutated === undefined && !settled.membershipChanged) {
      await schedule(settled.scheduleAt);
      const flushed = await flushOutbox(outboxDeps, { ...stored.profile, itemBytes: stored.itemBytes }, now);
      tally.published += flushed.published;
      tally.outboxWrites += flushed.outboxWrites;
      return { status: "unchanged", transitions: 0, profileWrites: 0, ...tally };
    }
    await schedule(settled.scheduleAt);
    const outcome = await deps.profiles.put(settled.profile, stored);
    if (outcome.ok) {
      options.deltas?.push(...sizeDeltas(settled.transitions));
      const flushed = await flushOutbox(
        outboxDeps,
        { ...settled.profile, version: outcome.version, itemBytes: outcome.itemBytes },
        now,
      );
      return {
        status: "written",
        transitions: settled.transitions.length,
        profileWrites: 1,
        ...tally,
        published: tally.published + flushed.published,
        outboxWrites: tally.outboxWrites + flushed.outboxWrites,
      };
    }
    tally.conflicts++;
    stored = await deps.profiles.get(customerId);
  }
  throw new ProfileConflictError(customerId, attempts);
}
