import { describe, expect, it } from "vitest";
import { decodeEvent } from "#shared/domain/events/index.js";
import { foldEvents } from "#shared/domain/profile/index.js";
import type { ShortLink } from "#shared/domain/sms/short-links.js";
import { parseLinkKeyRing } from "#shared/render/link-keys.js";
import { shortLinkId, signShortLink } from "#shared/render/short-link-token.js";
import { harness, NOW, profileWith, SECRET } from "./api-harness.js";

const TARGET = "https://shop.example.com/products/linen-shirt?utm_source=sms&utm_campaign=price-drop";

/** The API with a short link store holding one link; `reads` counts the store's reads. */
function world() {
  const h = harness();
  const { current } = parseLinkKeyRing(SECRET);
  const link: ShortLink = {
    id: shortLinkId("price-drop#c-42#o-1#0", 0, TARGET),
    target: TARGET,
    customerId: "c-42",
    campaignId: "price-drop",
    variant: "b",
    sendKey: "price-drop#c-42#o-1#0",
    expiresAt: NOW + 60 * 86_400_000,
  };
  const store = new Map([[link.id, link]]);
  let reads = 0;
  const deps = {
    ...h.deps,
    shortLinks: {
      store: {
        get: async (id: string, now: number) => {
          reads++;
          const found = store.get(id);
          return found !== undefined && now <= found.expiresAt ? found : undefined;
        },
      },
    },
  };
  Object.assign(h, { deps });
  const token = signShortLink(link.id, current.secret, current.id);
  return { h, link, token, reads: () => reads };
}

describe("GET /l/{token}: a text's short link", () => {
  it("redirects to the link's target, uncached, and records an SMS click the fold counts in the profile", async () => {
    const { h, token, link } = world();
    h.profiles.set("c-42", profileWith("c-42", {}));

    const res = await h.call({ method: "GET", path: `/l/${token}` });

    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe(TARGET);
    expect(res.headers["cache-control"]).toBe("no-store");
    expect(h.events.records).toHaveLength(1);
    const decoded = decodeEvent(h.events.records[0]?.data ?? new Uint8Array(), NOW);
    if (!decoded.ok) throw new Error(decoded.error.message);
    expect(decoded.event).toMatchObject({
      kind: "sms_clicked",
      customerId: "c-42",
      sms: { messageId: link.sendKey, campaignId: "price-drop", variant: "b", url: TARGET },
    });
    const folded = foldEvents(profileWith("c-42", {}), "c-42", [decoded.event], NOW).profile;
    expect(folded.k.sc?.n).toBe(1);
    expect(folded.ls).toBe(NOW);
  });

  it("answers a forged, altered or malformed token with 404 before any lookup", async () => {
    const { h, token, link, reads } = world();
    const forged = signShortLink(
      link.id,
      "another-secret-of-at-least-32-bytes-long!",
      token.split(".")[0] ?? "",
    );
    const altered = `${token.slice(0, -1)}${token.endsWith("A") ? "B" : "A"}`;
    for (const bad of [forged, altered, "k0.short", "nothing-like-a-token", `${token}${token}`]) {
      const res = await h.call({ method: "GET", path: `/l/${bad}` });
      expect(res.statusCode).toBe(404);
    }
    expect(reads()).toBe(0);
    expect(h.events.records).toHaveLength(0);
  });

  it("answers a well-signed token of a link never stored, or expired, with 404 and records nothing", async () => {
    const { h, reads } = world();
    const { current } = parseLinkKeyRing(SECRET);
    const unknown = signShortLink(shortLinkId("x#y#z#0", 0, TARGET), current.secret, current.id);
    expect((await h.call({ method: "GET", path: `/l/${unknown}` })).statusCode).toBe(404);
    const { h: later, token } = world();
    later.now = NOW + 61 * 86_400_000;
    expect((await later.call({ method: "GET", path: `/l/${token}` })).statusCode).toBe(404);
    expect(reads()).toBe(1);
    expect([...h.events.records, ...later.events.records]).toHaveLength(0);
  });

  it("is not found where short links are off", async () => {
    const h = harness();
    const { token } = world();
    expect((await h.call({ method: "GET", path: `/l/${token}` })).statusCode).toBe(404);
  });
});
