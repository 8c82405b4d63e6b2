import type { Clock } from "../ports.js";

/** What {@link BoundedAgeCache} needs. */
export interface BoundedAgeCacheOptions<T> {
  /** Loads a fresh value. */
  readonly load: () => Promise<T>;
  /** A value is served for at most this long after its load began (ms). */
  readonly maxAgeMs: number;
  readonly clock: Clock;
}

/**
 * One value held for a bounded age: `get` serves the value while it is younger than `maxAgeMs` (measured from
 * the start of its load, so a served value is never older than that), and loads again after. Concurrent callers
 * share one load; a failed load is not kept (the next `get` tries again) and its error reaches the callers.
 * Generic, for any store a warm Lambda container reads often and that changes rarely (the content library).
 */
export class BoundedAgeCache<T> {
  readonly #options: BoundedAgeCacheOptions<T>;
  #held: { readonly value: Promise<T>; readonly at: number } | undefined;

  constructor(options: BoundedAgeCacheOptions<T>) {
    if (!Number.isFinite(options.maxAgeMs) || options.maxAgeMs < 0) {
      throw new RangeError(`maxAgeMs must be a number of milliseconds ≥ 0, got ${options.maxAgeMs}`);
    }
    this.#options = options;
  }

  /** The held value while young enough, else a fresh one. */
  get(): Promise<T> {
    const now = this.#options.clock.now();
    const held = this.#held;
    if (held !== undefined && now - held.at < this.#options.maxAgeMs && now >= held.at) return held.value;
    const value = this.#options.load();
    const entry = { value, at: now };
    this.#held = entry;
    value.catch(() => {
      if (this.#held === entry) this.#held = undefined;
    });
    return value;
  }

  /** Forgets the held value: the next `get` loads. */
  clear(): void {
    this.#held = undefined;
  }
}
