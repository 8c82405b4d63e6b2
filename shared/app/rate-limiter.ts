import type { Clock } from "../ports.js";

/** Waits `ms` milliseconds (injected, so tests drive a fake clock). */
export type Sleep = (ms: number) => Promise<void>;

export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Paces calls to a rate. */
export interface RateLimiter {
  /** Resolves when one more call may be made. */
  acquire(): Promise<void>;
}

/**
 * A token bucket: `ratePerSecond` tokens a second, at most `burst` saved up. Each `acquire` takes a token,
 * reserving one ahead when the bucket is empty (tokens go negative), so concurrent callers are served in order,
 * each spaced `1000 / ratePerSecond` ms apart, and nobody spins.
 *
 * The limit holds per instance: with several concurrent senders (Lambda containers), give each the account's
 * rate divided by their number (e.g. the dispatch function's reserved concurrency).
 */
export class TokenBucket implements RateLimiter {
  readonly #ratePerMs: number;
  readonly #burst: number;
  readonly #clock: Clock;
  readonly #sleep: Sleep;
  #tokens: number;
  #updatedAt: number;

  constructor(options: {
    /** The sends a second allowed (SES: the account's maximum send rate). */
    ratePerSecond: number;
    /** Tokens saved up at most. @default 1 (no bursts above the rate) */
    burst?: number;
    clock: Clock;
    /** @default real timers */
    sleep?: Sleep;
  }) {
    if (!(options.ratePerSecond > 0)) throw new RangeError("ratePerSecond must be above 0");
    const burst = options.burst ?? 1;
    if (!(burst >= 1)) throw new RangeError("burst must be at least 1");
    this.#ratePerMs = options.ratePerSecond / 1000;
    this.#burst = burst;
    this.#clock = options.clock;
    this.#sleep = options.sleep ?? realSleep;
    this.#tokens = burst;
    this.#updatedAt = options.clock.now();
  }

  /** Takes a token now; resolves how long (ms) the caller must wait before using it (0: at once). */
  reserve(): number {
    const now = this.#clock.now();
    const elapsed = Math.max(0, now - this.#updatedAt);
    this.#tokens = Math.min(this.#burst, this.#tokens + elapsed * this.#ratePerMs);
    this.#updatedAt = now;
    this.#tokens -= 1;
    // The epsilon keeps float dust (0.99 + 0.01 ≠ 1) from adding a millisecond.
    return this.#tokens >= 0 ? 0 : Math.ceil(-this.#tokens / this.#ratePerMs - 1e-9);
  }

  async acquire(): Promise<void> {
    const wait = this.reserve();
    if (wait > 0) await this.#sleep(wait);
  }
}
