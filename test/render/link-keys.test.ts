import { describe, expect, it } from "vitest";
import {
  formatLinkKeyRing,
  LinkKeyRingError,
  linkKeyStatuses,
  parseLinkKeyRing,
  rotateLinkKeyRing,
  signLinkToken,
  verifyUnsubscribeToken,
} from "#shared/render/index.js";
import {
  DAY,
  GENERATED,
  GRACE_MS,
  K1,
  K2,
  K3,
  PLAIN,
  rotatedOnce,
  T0,
} from "../support/link-key-fixtures.js";

const NOW = T0;
const GRACE = GRACE_MS;
const generated = GENERATED;

const claims = (expiresAt: number) =>
  ({ purpose: "unsubscribe", customerId: "c-42", campaignId: "winback", expiresAt }) as const;

describe("the link key ring", () => {
  it("reads the shape the stack generates: one current key k1", () => {
    const ring = parseLinkKeyRing(generated);
    expect(ring.current).toEqual({ id: "k1", secret: K1 });
    expect(ring.keys).toHaveLength(1);
  });

  it("reads a plain-string secret (stacks and data dirs from before rings) as the one key k0", () => {
    const ring = parseLinkKeyRing(`${PLAIN}\n`);
    expect(ring.current).toEqual({ id: "k0", secret: PLAIN });
    expect(ring.keys).toEqual([ring.current]);
  });

  it("refuses a malformed ring with the field and the rule", () => {
    const refused = (value: unknown) => () => parseLinkKeyRing(JSON.stringify(value));
    expect(refused({ k1: K1 })).toThrow(/"current" must name a key id/);
    expect(refused({ current: "k2", k1: K1 })).toThrow(/has no key k2/);
    expect(refused({ current: "k1", k1: "short" })).toThrow(/link key k1: must be at least 32 bytes/);
    expect(refused({ current: "k2", k2: K2, k1: K1 })).toThrow(/retired.k1 needs its time/);
    expect(refused({ current: "k1", k1: K1, retired: { k1: "2026-01-01T00:00:00Z" } })).toThrow(
      /current key k1 cannot be retired/,
    );
    expect(refused({ current: "k2", k2: K2, k1: K1, retired: { k1: "yesterday" } })).toThrow(
      /retired.k1 must be an ISO time/,
    );
    expect(refused({ current: "k1", k1: K1, retired: { k7: "2026-01-01T00:00:00Z" } })).toThrow(
      /retired.k7 names no key/,
    );
    expect(refused({ current: "k1", k1: K1, password: K2 })).toThrow(/unknown field "password"/);
    expect(() => parseLinkKeyRing("{not json")).toThrow(LinkKeyRingError);
  });

  it("rotation adds the next key as current, retires the old one at now, and round-trips through the secret", () => {
    const rotation = rotateLinkKeyRing(parseLinkKeyRing(generated), { secret: K2, now: NOW, graceMs: GRACE });
    expect(rotation).toMatchObject({ added: "k2", retired: "k1", removed: [] });
    const stored = formatLinkKeyRing(rotation.ring);
    expect(JSON.parse(stored)).toEqual({
      current: "k2",
      k2: K2,
      k1: K1,
      retired: { k1: new Date(NOW).toISOString() },
    });
    expect(parseLinkKeyRing(stored)).toEqual(rotation.ring);
  });

  it("a plain secret rotates into a ring that keeps it as k0", () => {
    const rotation = rotateLinkKeyRing(parseLinkKeyRing(PLAIN), { secret: K1, now: NOW, graceMs: GRACE });
    expect(JSON.parse(formatLinkKeyRing(rotation.ring))).toMatchObject({ current: "k1", k1: K1, k0: PLAIN });
  });

  it("rotation removes keys past their grace and keeps those within it", () => {
    const first = rotatedOnce();
    // Within k1's grace: kept.
    const early = rotateLinkKeyRing(first, { secret: K3, now: NOW + 10 * DAY, graceMs: GRACE });
    expect(early.removed).toEqual([]);
    expect(early.ring.keys.map((key) => key.id).sort()).toEqual(["k1", "k2", "k3"]);
    // Past it: removed; k2, retired now, kept.
    const late = rotateLinkKeyRing(first, { secret: K3, now: NOW + GRACE + 1, graceMs: GRACE });
    expect(late.removed).toEqual(["k1"]);
    expect(late.ring.keys.map((key) => key.id).sort()).toEqual(["k2", "k3"]);
  });

  it("rotation with dropRetired keeps only the new key (after a leak)", () => {
    const first = rotatedOnce();
    const leak = rotateLinkKeyRing(first, { secret: K3, now: NOW + DAY, graceMs: GRACE, dropRetired: true });
    expect(leak.ring.keys.map((key) => key.id)).toEqual(["k3"]);
    expect([...leak.removed].sort()).toEqual(["k1", "k2"]);
  });

  it("lists ids, states and expiry, never the secrets", () => {
    const ring = rotatedOnce();
    expect(linkKeyStatuses(ring, NOW + DAY, GRACE)).toEqual([
      { id: "k2", state: "current" },
      { id: "k1", state: "retired", retiredAt: NOW, expiresAt: NOW + GRACE },
    ]);
    expect(linkKeyStatuses(ring, NOW + GRACE + 1, GRACE)[1]?.state).toBe("expired");
    expect(JSON.stringify(linkKeyStatuses(ring, NOW, GRACE))).not.toContain(K1.slice(0, 10));
  });
});

describe("tokens across a rotation", () => {
  const ring1 = parseLinkKeyRing(generated);
  const ring2 = rotateLinkKeyRing(ring1, { secret: K2, now: NOW, graceMs: GRACE }).ring;

  it("carry the key id (version 2): k1's link verifies after the rotation, during the grace", () => {
    // GIVEN a link signed with k1 a day before the rotation, valid for 60 days
    const token = signLinkToken(claims(NOW + 59 * DAY), K1, "k1");
    expect(token.split(".")[0]).toBe("k1");
    // THEN it verifies against the rotated ring, with k1
    expect(verifyUnsubscribeToken(token, ring2, NOW + 30 * DAY, { graceMs: GRACE })).toMatchObject({
      ok: true,
      keyId: "k1",
    });
    // and a new link signed with the current key k2 too
    const fresh = signLinkToken(claims(NOW + 60 * DAY), ring2.current.secret, ring2.current.id);
    expect(verifyUnsubscribeToken(fresh, ring2, NOW + DAY)).toMatchObject({ ok: true, keyId: "k2" });
  });

  it("refuse k1's link once k1 is past its grace", () => {
    const token = signLinkToken(claims(NOW + 365 * DAY), K1, "k1");
    expect(verifyUnsubscribeToken(token, ring2, NOW + GRACE, { graceMs: GRACE })).toMatchObject({ ok: true });
    expect(verifyUnsubscribeToken(token, ring2, NOW + GRACE + 1, { graceMs: GRACE })).toEqual({
      ok: false,
      reason: "expired-key",
    });
  });

  it("a legacy token (version 1, no id) verifies against k0 of a ring made from a plain secret", () => {
    const legacy = signLinkToken(claims(NOW + 30 * DAY), PLAIN);
    expect(legacy.split(".")).toHaveLength(2);
    const rotated = rotateLinkKeyRing(parseLinkKeyRing(PLAIN), { secret: K1, now: NOW, graceMs: GRACE }).ring;
    expect(verifyUnsubscribeToken(legacy, parseLinkKeyRing(PLAIN), NOW)).toMatchObject({
      ok: true,
      keyId: "k0",
    });
    expect(verifyUnsubscribeToken(legacy, rotated, NOW + DAY)).toMatchObject({ ok: true, keyId: "k0" });
    // A ring that never had k0 (a stack generated with rings) does not know it.
    expect(verifyUnsubscribeToken(legacy, ring1, NOW)).toEqual({ ok: false, reason: "unknown-key" });
  });

  it("refuse an unknown key id, a tampered id and an id that is not one", () => {
    const token = signLinkToken(claims(NOW + DAY), K2, "k2");
    // Signed with a key the verifier has not loaded (yet): unknown-key (the API refetches on this).
    expect(verifyUnsubscribeToken(token, ring1, NOW)).toEqual({ ok: false, reason: "unknown-key" });
    // The id changed to another key of the ring: that key's HMAC does not match.
    const [, payload, signature] = token.split(".");
    expect(verifyUnsubscribeToken(`k1.${payload}.${signature}`, ring2, NOW)).toEqual({
      ok: false,
      reason: "bad-signature",
    });
    // A version 2 token re-spelt as version 1 (id dropped): the legacy key is not k2, and the MAC covered the id.
    expect(verifyUnsubscribeToken(`${payload}.${signature}`, ring2, NOW)).toEqual({
      ok: false,
      reason: "unknown-key",
    });
    expect(
      verifyUnsubscribeToken(
        `${payload}.${signature}`,
        { current: { id: "k0", secret: K2 }, keys: [{ id: "k0", secret: K2 }] },
        NOW,
      ),
    ).toEqual({
      ok: false,
      reason: "bad-signature",
    });
    for (const id of ["K2", "k02", "k-1", "key2", ""]) {
      expect(verifyUnsubscribeToken(`${id}.${payload}.${signature}`, ring2, NOW)).toEqual({
        ok: false,
        reason: "malformed",
      });
    }
  });

  it("refuse to sign with a key id that is not one", () => {
    expect(() => signLinkToken(claims(NOW), K1, "key-1")).toThrow(/link key id must look like k1/);
  });
});
