/** A source of uniform numbers in [0, 1), like `Math.random`; pass a seeded one for reproducible runs. */
export type Random = () => number;

/**
 * A seeded pseudo-random generator (mulberry32, 32-bit state): fast and good enough for simulations and
 * allocation draws, not for anything secret. The same seed gives the same sequence on every platform.
 */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal draw (Box–Muller; one of the pair is discarded to keep the generator stateless). */
export function normalDraw(random: Random): number {
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** A Gamma(shape, 1) draw by Marsaglia & Tsang (2000); shapes below 1 use the boost Gamma(k + 1)·U^(1/k). */
export function gammaDraw(shape: number, random: Random): number {
  if (shape < 1) return gammaDraw(shape + 1, random) * (1 - random()) ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = normalDraw(random);
    const v0 = 1 + c * x;
    if (v0 <= 0) continue;
    const v = v0 * v0 * v0;
    const u = 1 - random();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

/** A Beta(α, β) draw as X / (X + Y) with X ~ Gamma(α), Y ~ Gamma(β). */
export function betaDraw(alpha: number, beta: number, random: Random): number {
  const x = gammaDraw(alpha, random);
  const y = gammaDraw(beta, random);
  return x / (x + y);
}
