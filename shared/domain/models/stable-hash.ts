/**
 * A stable 32-bit hash of a text: FNV-1a, then murmur3's finaliser so texts that differ only in their last
 * characters (c-000001, c-000002…) still spread over the whole range. The same on every run and platform.
 */
export function stableHash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** {@link stableHash32} as a share of 2³², in [0, 1). */
export function stableShare(text: string): number {
  return stableHash32(text) / 0x1_0000_0000;
}
