import { describe, expect, it } from "vitest";
import { dispatchSends } from "#shared/app/dispatch-sends.js";
import type { Profile } from "#shared/domain/profile/index.js";
import { replaceTextLinks, type ShortLink } from "#shared/domain/sms/short-links.js";
import { smsSegments } from "#shared/domain/sms/sms-segments.js";
import { parseLinkKeyRing } from "#shared/render/link-keys.js";
import { PREVIEW_LINKS } from "#shared/render/preview-settings.js";
import {
  BUILD_SHORT_LINK_BASE,
  shortLinkId,
  shortLinkUrl,
  signShortLink,
  standInShortLink,
  verifyShortLink,
} from "#shared/render/short-link-token.js";
import { checkSmsTemplates, parseSmsTemplate, SmsRenderer } from "#shared/render/sms-templates.js";
import { campaign, customer, harness, intent, messages } from "../dispatch/harness.js";

const SECRET = "a-test-link-secret-of-at-least-32-bytes!!";
const ring = parseLinkKeyRing(SECRET);
const NOW = Date.parse("2026-12-07T04:00:00Z");
/** A product page with its tracking parameters, as marketers paste them. */
const LONG = `https://shop.example.com/products/linen-shirt-relaxed-fit-sand?utm_source=sms&utm_medium=text&utm_campaign=cart-reminder&utm_content=a&ref=${"x".repeat(100)}`;

describe("short links: the token", () => {
  it("is 23 characters with key k1, so a link is the API's base plus 26", () => {
    const id = shortLinkId("cart#c-1#o-1#0", 0, LONG);
    const token = signShortLink(id, SECRET, "k1");
    expect(id).toMatch(/^[A-Za-z0-9_-]{12}$/);
    expect(token).toMatch(/^k1\.[A-Za-z0-9_-]{20}$/);
    const url = shortLinkUrl("http://127.0.0.1:8005/", token);
    expect(url).toBe(`http://127.0.0.1:8005/l/${token}`);
    expect(shortLinkUrl(BUILD_SHORT_LINK_BASE, token).length).toBe(BUILD_SHORT_LINK_BASE.length + 26);
    expect(standInShortLink().length).toBe(BUILD_SHORT_LINK_BASE.length + 26);
    expect(url.length).toBeLessThan(LONG.length / 3);
  });

  it("verifies against the ring, and refuses any altered character, another key or another shape", () => {
    const { current } = ring;
    const id = shortLinkId("cart#c-1#o-1#0", 0, LONG);
    const token = signShortLink(id, current.secret, current.id);
    expect(verifyShortLink(token, ring, NOW)).toEqual({ ok: true, id });
    const flip = (at: number) =>
      `${token.slice(0, at)}${token[at] === "A" ? "B" : "A"}${token.slice(at + 1)}`;
    const prefix = current.id.length + 1;
    expect(verifyShortLink(flip(prefix + 3), ring, NOW)).toEqual({ ok: false, reason: "bad-signature" });
    expect(verifyShortLink(flip(token.length - 2), ring, NOW)).toEqual({
      ok: false,
      reason: "bad-signature",
    });
    const other = signShortLink(id, "another-secret-of-at-least-32-bytes-long!", current.id);
    expect(verifyShortLink(other, ring, NOW)).toEqual({ ok: false, reason: "bad-signature" });
    expect(verifyShortLink(signShortLink(id, current.secret, "k77"), ring, NOW)).toEqual({
      ok: false,
      reason: "unknown-key",
    });
    expect(verifyShortLink(`${token}x`, ring, NOW)).toEqual({ ok: false, reason: "malformed" });
    expect(verifyShortLink("../../etc", ring, NOW)).toEqual({ ok: false, reason: "malformed" });
  });

  it("derives the same id for the same send, place and target (a retry), another for any other", () => {
    const id = shortLinkId("cart#c-1#o-1#0", 0, LONG);
    expect(shortLinkId("cart#c-1#o-1#0", 0, LONG)).toBe(id);
    expect(
      new Set([id, shortLinkId("cart#c-1#o-1#0", 1, LONG), shortLinkId("cart#c-2#o-1#0", 0, LONG)]).size,
    ).toBe(3);
  });
});

describe("short links in texts", () => {
  it("replaces every URL, keeping punctuation that ends a sentence", () => {
    const text = "See https://shop.example.com/cart. Or (https://shop.example.com/wishlist)! Reply STOP";
    expect(replaceTextLinks(text, (_url, i) => `<${i}>`)).toBe("See <0>. Or (<1>)! Reply STOP");
  });

  it("counts segments on the short link: a long URL that would take 3 parts fits the template's 2", () => {
    const template = parseSmsTemplate(
      "drop",
      `---\nmaxSegments: 2\n---\n{{ shop.name }}: the shirt you liked is 20 % off today only. ${LONG} Reply STOP to opt out`,
    );
    const renderer = new SmsRenderer([template]);
    const context = { shop: { name: "Acme" } };
    const long = renderer.render("drop", context);
    expect(long.ok).toBe(false);
    if (!long.ok) expect(long.error.message).toMatch(/3 segments \(GSM-7, \d+ septets\) over its limit of 2/);
    const short = renderer.render("drop", context, () => standInShortLink());
    expect(short.ok && short.sms.segments.segments).toBeLessThanOrEqual(2);
    expect(short.ok && short.sms.body).toContain(`${BUILD_SHORT_LINK_BASE}/l/k1.`);
    // The build check counts the short link too: this template passes it.
    expect(checkSmsTemplates(renderer, [{ name: "s", context }])).toEqual([]);
  });

  it("the build check refuses a text whose short link itself goes over the limit", () => {
    const filler = "a".repeat(130);
    const template = parseSmsTemplate("tight", `---\nmaxSegments: 1\n---\n${filler} https://s.io/a`);
    const renderer = new SmsRenderer([template]);
    // As written it fits one part (145 septets); with the short link (85 characters) it does not.
    expect(smsSegments(`${filler} https://s.io/a`).segments).toBe(1);
    expect(checkSmsTemplates(renderer, [{ name: "s", context: {} }])).toEqual([
      expect.stringMatching(/sms template tight: 2 segments .* over its limit of 1 \(sample s\)/),
    ]);
  });
});

describe("dispatch sends texts with short links", () => {
  const texter = (id: string): Profile => ({
    ...customer(id, { first_name: "Ada", phone: "+33 6 12 34 56 78" }),
    c: { sms: { g: true, at: 0 } },
  });
  const text = campaign({ id: "text", steps: [{ channel: "sms", sms: "drop" }] });

  function textHarness() {
    const h = harness([text], [texter("c-1")]);
    const sent: string[] = [];
    const stored: ShortLink[][] = [];
    const deps = {
      ...h.deps,
      links: { ...PREVIEW_LINKS, secret: ring.current.secret, keyId: ring.current.id },
      sms: {
        sender: {
          send: async (sms: { body: string }) => {
            sent.push(sms.body);
            return { messageId: `sms-${sent.length}` };
          },
        },
        renderer: new SmsRenderer([parseSmsTemplate("drop", `20 % off: ${LONG} Reply STOP to opt out`)]),
        links: {
          store: { put: async (links: readonly ShortLink[]) => void stored.push([...links]) },
          apiBaseUrl: "https://api.example.com",
          ttlMs: 60 * 86_400_000,
        },
      },
    };
    return { ...h, deps, sent, stored };
  }

  it("sends the short link, stores its target with the send, and signs it with the batch's key", async () => {
    const { deps, sent, stored, time, ledger } = textHarness();
    const one = intent("text", "c-1");
    await dispatchSends(deps, messages(one));
    expect(sent).toHaveLength(1);
    const token = /https:\/\/api\.example\.com\/l\/(\S+)/.exec(sent[0] ?? "")?.[1] ?? "";
    expect(sent[0]).not.toContain("shop.example.com");
    const verified = verifyShortLink(token, ring, time.now());
    expect(verified.ok).toBe(true);
    expect(stored).toEqual([
      [
        {
          id: verified.ok ? verified.id : "",
          target: LONG,
          customerId: "c-1",
          campaignId: "text",
          variant: "a",
          sendKey: one.key,
          expiresAt: time.now() + 60 * 86_400_000,
        },
      ],
    ]);
    // Named on the text's ledger entry, so erasing the customer erases the link.
    expect(ledger.log.find((e) => e.outcome === "sent")?.linkIds).toEqual([verified.ok ? verified.id : "?"]);
  });

  it("a store that fails sends nothing and retries the message", async () => {
    const { deps, sent } = textHarness();
    const failing = {
      ...deps,
      sms: {
        ...deps.sms,
        links: {
          ...deps.sms.links,
          store: {
            put: async () => {
              throw new Error("ledger table throttled");
            },
          },
        },
      },
    };
    const { failed } = await dispatchSends(failing, messages(intent("text", "c-1")));
    expect(sent).toHaveLength(0);
    expect(failed.size).toBe(1);
  });
});
