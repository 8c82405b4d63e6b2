import { stableHash32 } from "../domain/models/stable-hash.js";
/**
 * mulberry32: a 32-bit state PRNG, tiny and fast. Its period (2^32) is ample because every stream we use is
 * derived afresh from (seed, label) and draws far fewer than 2^32 numbers.
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Mixes a seed and labels into a new 32-bit seed (FNV-1a over the text, then the murmur3 finaliser), so that
 * independent parts of the simulation (catalog, customers, each day) get uncorrelated streams.
 */
export function deriveSeed(seed: number, ...labels: readonly (string | number)[]): number {
  return stableHash32(`${seed >>> 0}:${labels.join(":")}`);
}

/** A seeded random source with the draws the simulator needs. The simulator never uses `Math.random`. */
export class Rng {
  readonly #next: () => number;

  constructor(seed: number) {
    this.#next = mulberry32(seed);
  }

  /** A stream derived from `seed` and `labels` (see {@link deriveSeed}). */
  static derive(seed: number, ...labels: readonly (string | number)[]): Rng {
    return new Rng(deriveSeed(seed, ...labels));
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.#next();
  }

  /** Uniform in [min, max). */
  between(min: number, max: number): number {
    return min + (max - min) * this.#next();
  }

  /** Uniform integer in [0, maxExclusive). */
  int(maxExclusive: number): number {
    return Math.floor(this.#next() * maxExclusive);
  }

  /** Uniform integer in [min, max] (both inclusive). */
  intBetween(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.#next() < p;
  }

  /** One element, uniformly. Throws on an empty list. */
  pick<T>(items: readonly T[]): T {
    const item = items[this.int(items.length)];
    if (item === undefined) throw new RangeError("Rng.pick: the list is empty");
    return item;
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    const u = 1 - this.#next();
    const v = this.#next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Log-normal with the given median and log-space standard deviation. */
  logNormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }

  /** Exponential with the given mean. */
  exponential(mean: number): number {
    return -mean * Math.log(1 - this.#next());
  }

  /** Poisson count with mean `lambda` (Knuth; the simulator only uses small means). */
  poisson(lambda: number): number {
    if (lambda <= 0) return 0;
    const limit = Math.exp(-lambda);
    let k = 0;
    let p = this.#next();
    while (p > limit) {
      k++;
      p *= this.#next();
    }
    return k;
  }

  /** `length` lower-case hex digits. */
  hex(length: number): string {
    let out = "";
    for (let i = 0; i < length; i++) out += this.int(16).toString(16);
    return out;
  }
}

/** A weighted choice over fixed items, drawn in O(log n) by bisecting the cumulative weights. */
export class WeightedTable<T> {
  readonly #items: readonly T[];
  readonly #cumulative: number[];

  constructor(items: readonly T[], weights: readonly number[]) {
    if (items.length === 0 || items.length !== weights.length) {
      throw new RangeError("WeightedTable: items and weights must be non-empty and of equal length");
    }
    this.#items = items;
    let sum = 0;
    this.#cumulative = weights.map((w) => {
      sum += Math.max(0, w);
      return sum;
    });
    if (sum <= 0) throw new RangeError("WeightedTable: the weights sum to zero");
  }

  /** One item, with probability proportional to its weight. */
  draw(rng: Rng): T {
    const total = this.#cumulative[this.#cumulative.length - 1] ?? 0;
    const target = rng.float() * total;
    let lo = 0;
    let hi = this.#cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.#cumulative[mid] ?? 0) > target) hi = mid;
      else lo = mid + 1;
    }
    const item = this.#items[lo];
    if (item === undefined) throw new RangeError("WeightedTable: index out of range");
    return item;
  }
}
