/**
 * Whether a customer belongs to the hold-out set: a stable hash (FNV-1a, 32 bits) of the id, so the split is
 * the same on every run and does not depend on the order customers are seen in.
 */
export function isHoldout(customerId: string, share = 0.3): boolean {
  let hash = 0x811c9dc5;
  for (let i = 0; i < customerId.length; i++) {
    hash ^= customerId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash / 0x1_0000_0000 < share;
}
