import { type LinkKeyRing, parseLinkKeyRing, rotateLinkKeyRing } from "#shared/render/link-keys.js";

/** Fixtures of the link key tests: keys of 32+ bytes, the generated ring, one rotation. */
export const DAY = 86_400_000;
export const T0 = Date.parse("2026-12-01T09:00:00Z");
export const GRACE_MS = 90 * DAY;
export const K1 = "generated-at-deploy-0123456789abcdefghijklmn";
export const K2 = "added-by-tailor-links-rotate-0123456789abcdef";
export const K3 = "third-key-of-the-ring-0123456789abcdef!";
/** A secret as stacks and data dirs made before key rings hold it: one plain string. */
export const PLAIN = "a-plain-secret-deployed-before-key-rings-01234";
/** What CloudFormation's GenerateSecretString makes from the stack's template. */
export const GENERATED = JSON.stringify({ current: "k1", k1: K1 });

/** The generated ring rotated once at `now`: k2 current, k1 retired. */
export function rotatedOnce(now = T0): LinkKeyRing {
  return rotateLinkKeyRing(parseLinkKeyRing(GENERATED), { secret: K2, now, graceMs: GRACE_MS }).ring;
}
