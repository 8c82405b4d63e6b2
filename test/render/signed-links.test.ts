import { describe, expect, it } from "vitest";
import {
  buildLinks,
  PREVIEW_LINKS,
  signLinkToken,
  verifyLinkToken,
  verifyUnsubscribeToken,
} from "#shared/render/index.js";

const SECRET = "0123456789abcdef0123456789abcdef-test";
const NOW = Date.parse("2026-11-20T12:00:00Z");
const claims = {
  purpose: "unsubscribe" as const,
  customerId: "c-42",
  campaignId: "winback",
  expiresAt: NOW + 1000,
};

describe("signed links", () => {
  it("verifies a token it signed and returns its claims", () => {
    expect(verifyUnsubscribeToken(signLinkToken(claims, SECRET), SECRET, NOW)).toEqual({
      ok: true,
      claims,
      keyId: "k0",
    });
  });

  it("refuses a forged token: changed customer, changed campaign, other secret, swapped signature", () => {
    const token = signLinkToken(claims, SECRET);
    const [, signature] = token.split(".");
    const forge = (patch: object) =>
      `${Buffer.from(JSON.stringify({ p: "unsubscribe", c: "c-42", k: "winback", e: claims.expiresAt, ...patch })).toString("base64url")}.${signature}`;
    expect(verifyUnsubscribeToken(forge({ c: "c-43" }), SECRET, NOW)).toEqual({
      ok: false,
      reason: "bad-signature",
    });
    expect(verifyUnsubscribeToken(forge({ k: "other" }), SECRET, NOW)).toEqual({
      ok: false,
      reason: "bad-signature",
    });
    expect(verifyUnsubscribeToken(forge({ e: claims.expiresAt + 86_400_000 }), SECRET, NOW)).toEqual({
      ok: false,
      reason: "bad-signature",
    });
    expect(verifyUnsubscribeToken(token, `${SECRET}-other`, NOW)).toEqual({
      ok: false,
      reason: "bad-signature",
    });
    const other = signLinkToken({ ...claims, customerId: "c-43" }, SECRET);
    expect(verifyUnsubscribeToken(`${token.split(".")[0]}.${other.split(".")[1]}`, SECRET, NOW)).toEqual({
      ok: false,
      reason: "bad-signature",
    });
  });

  it("refuses an expired token, a token for another purpose and malformed input", () => {
    const token = signLinkToken(claims, SECRET);
    expect(verifyUnsubscribeToken(token, SECRET, claims.expiresAt)).toMatchObject({ ok: true });
    expect(verifyUnsubscribeToken(token, SECRET, claims.expiresAt + 1)).toEqual({
      ok: false,
      reason: "expired",
    });
    expect(verifyLinkToken(token, SECRET, NOW, "preferences")).toEqual({
      ok: false,
      reason: "wrong-purpose",
    });
    for (const bad of ["", "abc", "a.b.c", ".sig", `${token}x`]) {
      expect(verifyUnsubscribeToken(bad, SECRET, NOW).ok).toBe(false);
    }
  });

  it("refuses secrets shorter than 32 bytes", () => {
    expect(() => signLinkToken(claims, "too-short")).toThrow("at least 32 bytes");
  });

  it("builds unsubscribe, preferences and view links that verify for their own purpose only", () => {
    const links = buildLinks(PREVIEW_LINKS, "c-1", "camp", NOW);
    const token = (url: string) => new URL(url).searchParams.get("t") ?? "";
    expect(links.unsubscribe.startsWith(`${PREVIEW_LINKS.unsubscribeUrl}?t=`)).toBe(true);
    expect(verifyLinkToken(token(links.unsubscribe), PREVIEW_LINKS.secret, NOW, "unsubscribe").ok).toBe(true);
    expect(verifyLinkToken(token(links.preferences), PREVIEW_LINKS.secret, NOW, "preferences").ok).toBe(true);
    expect(verifyLinkToken(token(links.view_in_browser), PREVIEW_LINKS.secret, NOW, "view").ok).toBe(true);
    expect(verifyLinkToken(token(links.preferences), PREVIEW_LINKS.secret, NOW, "unsubscribe").ok).toBe(
      false,
    );
    expect(
      verifyLinkToken(
        token(links.unsubscribe),
        PREVIEW_LINKS.secret,
        NOW + PREVIEW_LINKS.ttlMs + 1,
        "unsubscribe",
      ),
    ).toEqual({
      ok: false,
      reason: "expired",
    });
  });
});
