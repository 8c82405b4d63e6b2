import type { Variant } from "./definition.js";

const TWO_POW_53 = 2 ** 53;

/**
 * A uniform number in [0, 1) from a text: cyrb53, a 53-bit hash with good avalanche, so similar ids (`c-1`,
 * `c-2`) land far apart. Deterministic across processes and platforms.
 */
export function unitHash(text: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)) / TWO_POW_53;
}

/** What a customer gets in an experiment. */
export type Assignment =
  | { readonly kind: "holdout" }
  | { readonly kind: "variant"; readonly variant: Variant };

/**
 * Assigns a customer to the holdout or to a variant, by weight. Two independent hashes of
 * (experiment, customer) decide, so the holdout does not move when variants or weights change, and the same
 * customer always gets the same answer. `variants` must not be empty.
 */
export function assign(
  experiment: string,
  customerId: string,
  holdout: number,
  variants: readonly Variant[],
): Assignment {
  if (holdout > 0 && unitHash(`${experiment}#holdout#${customerId}`) < holdout) return { kind: "holdout" };
  const total = variants.reduce((sum, variant) => sum + variant.weight, 0);
  let point = unitHash(`${experiment}#variant#${customerId}`) * total;
  for (const variant of variants) {
    if (point < variant.weight) return { kind: "variant", variant };
    point -= variant.weight;
  }
  const last = variants[variants.length - 1];
  if (last === undefined) throw new RangeError("assign needs at least one variant");
  return { kind: "variant", variant: last };
}
