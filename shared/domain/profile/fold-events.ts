import { TailorError } from "#shared/errors.js";
import type { TailorEvent } from "../events/index.js";
import { applyEvent } from "./apply-event.js";
import { capDedup, pruneDedup, rememberedHashes, rememberHash, shortHash } from "./dedup.js";
import { lifecycleAt } from "./lifecycle.js";
import { emptyProfile, type Profile } from "./profile.js";
import { reanchorWindows } from "./windows.js";

/** What one fold did. */
export interface FoldResult {
  /** The new profile (a fresh object; the input profile is never mutated). */
  readonly profile: Profile;
  /** Events applied. */
  readonly applied: number;
  /** Events skipped because their `messageId` was already applied (earlier, or earlier in this batch). */
  readonly duplicates: number;
  /** False when nothing was applied: the ingest can skip the write. */
  readonly changed: boolean;
}

/** A caller bug: folding events of one customer into another's profile. Never retryable. */
export class FoldInputError extends TailorError {
  constructor(message: string) {
    super(message, { retryable: false });
  }
}

/**
 * Folds a customer's events into their profile, purely: same inputs, same output. Events are applied in time
 * order; events with the same time keep the order they are given in, which is the order the producer sent them
 * (stream order, then position inside an aggregated or array record), never an order of their ids. Each
 * `messageId` is applied at most once within {@link DEDUP_WINDOW_MS} of processing time;
 * windows and dedup memory are pruned relative to `now` (epoch ms, processing time), and the lifecycle stage is
 * evaluated at `now`. The profile's `version` is left as it is: the store bumps it.
 */
export function foldEvents(
  current: Profile | undefined,
  customerId: string,
  events: readonly TailorEvent[],
  now: number,
): FoldResult {
  if (current !== undefined && current.customerId !== customerId) {
    throw new FoldInputError(`profile of ${current.customerId} given to fold events of ${customerId}`);
  }
  const stranger = events.find((event) => event.customerId !== customerId);
  if (stranger !== undefined) {
    throw new FoldInputError(
      `event ${stranger.messageId} of ${stranger.customerId} folded into ${customerId}`,
    );
  }
  const base = current ?? emptyProfile(customerId, now);
  const memory = pruneDedup(base.dd, now);
  const seen = rememberedHashes(memory);
  const fresh: { event: TailorEvent; hash: string }[] = [];
  // Array.prototype.sort is stable: events with the same time stay in delivery order.
  for (const event of [...events].sort(byTime)) {
    const hash = shortHash(event.messageId);
    if (seen.has(hash)) continue;
    seen.add(hash);
    fresh.push({ event, hash });
  }
  const duplicates = events.length - fresh.length;
  if (fresh.length === 0) return { profile: structuredClone(base), applied: 0, duplicates, changed: false };

  const profile = structuredClone(base);
  profile.dd = memory;
  reanchorWindows(profile, now);
  for (const { event, hash } of fresh) {
    applyEvent(profile, event, now);
    rememberHash(profile.dd, hash, now);
  }
  capDedup(profile.dd);
  profile.lc = lifecycleAt(profile, now);
  dropUndefined(profile);
  return { profile, applied: fresh.length, duplicates, changed: true };
}

function byTime(a: TailorEvent, b: TailorEvent): number {
  return a.timestamp - b.timestamp;
}

/** The item must hold no `undefined` values: helpers may leave some behind when a field empties. */
export function dropUndefined(value: unknown): void {
  if (typeof value !== "object" || value === null) return;
  for (const [key, child] of Object.entries(value)) {
    if (child === undefined) Reflect.deleteProperty(value, key);
    else dropUndefined(child);
  }
}
