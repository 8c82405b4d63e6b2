import { beforeAll, describe, expect, it } from "vitest";
import type { CatalogChange } from "#shared/domain/catalog/index.js";
import { catalogChangeView } from "#shared/render/build-context.js";
import { compileTemplates } from "#shared/render/compile/index.js";
import {
  PREVIEW_LINKS,
  type RenderedEmail,
  verifyLinkToken,
  verifyUnsubscribeToken,
} from "#shared/render/index.js";
import { simulatorCatalogProducts } from "#shared/sim/index.js";
import { loadSegmentLibrary } from "#shared/templates/segment-files.js";
import { priceDropChange, type Shipped, shipped, TEMPLATES_DIR } from "./helpers.js";

const TEMPLATES = [
  "back-in-stock",
  "browse-abandonment",
  "cart-abandonment",
  "confirm-subscription",
  "newsletter",
  "post-purchase",
  "price-drop",
  "welcome",
  "win-back",
] as const;

let ship: Shipped;
beforeAll(async () => {
  ship = await shipped();
});

function render(template: string, sample: string, variant = "a"): RenderedEmail {
  const result = ship.renderer.render({ template, variant, context: ship.sample(sample).context });
  if (!result.ok) throw result.error;
  return result.email;
}

/** Visible text of the HTML: tags removed, entities of the escaper decoded. */
function visible(html: string): string {
  return html
    .replace(/<style[\s\S]*?<\/style>/g, " ")
    .replace(/<[^>]+>/g, " ")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ");
}

describe("shipped templates", () => {
  it("ships the nine templates, with variants where A/B tests are set up", () => {
    expect(ship.renderer.templates().map((t) => t.name)).toEqual([...TEMPLATES]);
    expect(ship.renderer.templates().find((t) => t.name === "newsletter")?.variants).toEqual(["a", "b"]);
  });

  it("names only segments of the segment library in in_segment", async () => {
    const library = loadSegmentLibrary(`${TEMPLATES_DIR}/segments`);
    const knownSegments = library.definitions.map((definition) => definition.id);
    expect(knownSegments).toEqual(expect.arrayContaining(["champions", "loyal", "at-risk", "hibernating"]));
    await expect(compileTemplates(TEMPLATES_DIR, { knownSegments })).resolves.toMatchObject({ format: 1 });
  });

  it("renders every template × variant × sample with no Liquid left, a text part and a hidden preheader", () => {
    let count = 0;
    for (const { name, variants } of ship.renderer.templates()) {
      for (const variant of variants) {
        for (const sample of ship.samples) {
          const email = render(name, sample.name, variant);
          count++;
          for (const part of [email.subject, email.preheader, email.html, email.text]) {
            expect(part).not.toMatch(/\{\{|\{%|%\}|\}\}/);
          }
          expect(email.subject.length).toBeGreaterThan(5);
          expect(email.subject).not.toMatch(/[\r\n]/);
          expect(email.text.length).toBeGreaterThan(200);
          expect(email.text).not.toMatch(/<(div|table|td|mj-)/);
          expect(email.text).toContain(" [https://example.com/email/unsubscribe?t=");
          expect(email.html).toMatch(/<div style="display:none;[^"]*">([^<]*)<\/div>/);
          const hidden = /<div style="display:none;[^"]*">([^<]*)<\/div>/.exec(email.html)?.[1] ?? "";
          expect(visible(hidden).trim()).toBe(email.preheader);
          for (const img of email.html.match(/<img\b[^>]*>/g) ?? []) expect(img).toMatch(/\balt="[^"]+"/);
          expect(email.html).toContain(ship.sample(sample.name).context.shop.postal_address);
        }
      }
    }
    expect(count).toBe(11 * 9); // 9 templates and 2 extra variants, × 9 samples
  });

  it("escapes a name with HTML in it everywhere in the HTML, and keeps it literal in the plain text", () => {
    const email = render("welcome", "html-name");
    expect(email.html).not.toContain("<b>Zoë</b>");
    expect(email.html).not.toContain("<script>");
    // The sample is French (fr-FR): the copy is French.
    expect(email.html).toContain("Bienvenue, &lt;b&gt;Zoë&lt;/b&gt; !");
    expect(email.html).toContain("<title>Bienvenue chez Tailor Demo Shop, &lt;b&gt;Zoë&lt;/b&gt; !</title>");
    expect(email.subject).toBe("Bienvenue chez Tailor Demo Shop, <b>Zoë</b> !");
    expect(email.text).toContain("Bienvenue, <b>Zoë</b> !");
  });

  it("uses the fallbacks of merge tags when the name is unknown", () => {
    expect(render("welcome", "no-name").subject).toBe("Welcome to Tailor Demo Shop, friend!");
    expect(render("welcome", "anonymous").subject).toBe("Welcome to Tailor Demo Shop, friend!");
    expect(render("welcome", "big-spender").subject).toBe("Welcome to Tailor Demo Shop, Margaret!");
    expect(render("welcome", "big-spender", "b").subject).toBe(
      "Margaret, your first look at Tailor Demo Shop is here",
    );
    expect(visible(render("newsletter", "no-name").html)).toContain("Hi there, here is what is new in books");
    expect(visible(render("post-purchase", "anonymous").html)).toContain("Thank you for your order!");
  });

  it("claims recommendations go with the order only when they came from it (recommendations_basis)", () => {
    const withBasis = (basis: "order" | "activity" | "interests" | "popular") => {
      const { context } = ship.sample("big-spender");
      expect(context.recommendations.length).toBeGreaterThan(0);
      const result = ship.renderer.render({
        template: "post-purchase",
        variant: "a",
        context: { ...context, recommendations_basis: basis },
      });
      if (!result.ok) throw result.error;
      return { text: visible(result.email.html), preheader: result.email.preheader };
    };
    const fromOrder = withBasis("order");
    expect(fromOrder.text).toContain("Goes well with your order");
    expect(fromOrder.preheader).toBe("Your order is confirmed. Here are a few things that go well with it.");
    for (const basis of ["activity", "interests", "popular"] as const) {
      const other = withBasis(basis);
      expect(other.text).not.toMatch(/go(es)? well with/i);
      expect(other.preheader).toBe("Your order is confirmed.");
      expect(other.text).toContain(basis === "popular" ? "Popular right now" : "Picked for you");
    }
  });

  it("chooses the offer block by segment and lifecycle: frequent buyers, dormant, new leads", () => {
    const offers = (sample: string) => {
      const text = visible(render("newsletter", sample).html);
      return ["VIP15", "COMEBACK20", "WELCOME10"].filter((code) => text.includes(code));
    };
    expect(offers("big-spender")).toEqual(["VIP15"]);
    expect(offers("lapsed")).toEqual(["COMEBACK20"]);
    expect(offers("no-purchases")).toEqual(["WELCOME10"]);
    expect(offers("anonymous")).toEqual(["WELCOME10"]);
    expect(offers("no-name")).toEqual([]);
    expect(offers("unknown-locale")).toEqual([]);
  });

  it("picks hero imagery by age group", () => {
    const hero = (sample: string) => /images\/hero\/([a-z-]+)\.jpg/.exec(render("welcome", sample).html)?.[1];
    expect(hero("big-spender")).toBe("street-style"); // 30
    expect(hero("html-name")).toBe("street-style"); // 21
    expect(hero("lapsed")).toBe("garden-afternoon"); // 61
    expect(hero("no-name")).toBe("new-arrivals"); // unknown
  });

  it("formats money and dates in the customer's locale, currency and time zone, with safe defaults", () => {
    expect(visible(render("cart-abandonment", "no-purchases").html)).toContain("Total $80.97");
    expect(render("cart-abandonment", "no-purchases").subject).toBe("You left 3 items in your cart, Priya");
    expect(visible(render("win-back", "lapsed").html)).toContain("Your last order was on July 15, 2026.");
    expect(visible(render("post-purchase", "big-spender").html)).toContain("Ordered on 19 November 2026.");
    const unknown = render("post-purchase", "unknown-locale");
    expect(unknown.html).toContain('lang="en"');
    expect(visible(unknown.html)).toContain("Ordered on September 5, 2026.");
    expect(render("welcome", "html-name").html).toContain('<html lang="fr"');
    // Product prices are in the shop's currency, written the customer's way.
    expect(visible(render("newsletter", "big-spender").html)).toMatch(/US\$\d+\.\d\d/);
  });

  it("lists the order that started the post-purchase journey: number, lines with image, quantity, price, totals", () => {
    const email = render("post-purchase", "big-spender");
    const text = visible(email.html);
    expect(text).toContain("We are getting order #1042 ready");
    expect(text).toContain("Order #1042 (2 items)");
    expect(text).toMatch(/Voltra Everyday Phone Charger × 2 £627\.98/);
    expect(text).toMatch(/Subtotal £627\.98 Shipping Free Total £627\.98/);
    // The catalog's picture of the ordered product, not a placeholder.
    const image = ship.sample("big-spender").context.trigger?.order?.lines[0]?.image_url;
    expect(image).toMatch(/^https?:\/\//);
    expect(email.html).toContain(`src="${image}"`);
    // Without an order number the order id is shown; without a trigger the email says nothing of lines.
    expect(visible(render("post-purchase", "no-name").html)).toContain("Order nn-1 (1 item)");
    expect(visible(render("post-purchase", "lapsed").html)).not.toContain("Order lp-");
  });

  it("shows the cart lines in the cart abandonment email, and a generic text when the cart is empty", () => {
    const full = visible(render("cart-abandonment", "no-purchases").html);
    expect(full).toContain("Your cart (3 items)");
    expect(full).toContain("Pure Ritual Ultra Face Serum");
    expect(full).toContain("× 2");
    const empty = visible(render("cart-abandonment", "lapsed").html);
    expect(empty).not.toContain("Your cart (");
    expect(empty).toContain("Your cart is empty now");
  });

  it("shows recently viewed products in browse abandonment, and 8 personal picks in the newsletter", () => {
    expect(visible(render("browse-abandonment", "html-name").html)).toContain("Vous avez regardé");
    expect(visible(render("browse-abandonment", "anonymous").html)).not.toContain("You looked at");
    // The product whose view started the journey is the one named, not merely the latest viewed.
    const { context } = ship.sample("html-name");
    const own = context.recently_viewed.find((p) => p.id === context.trigger?.product?.product_id);
    expect(context.recently_viewed[0]?.id).not.toBe(own?.id);
    expect(own?.in_stock).toBe(true);
    expect(visible(render("browse-abandonment", "html-name").html)).toContain(
      `${own?.name}, que vous avez consulté, est toujours disponible.`,
    );
    const newsletter = render("newsletter", "big-spender");
    expect(newsletter.html.match(/>\s*View\s*<\/a>/g)).toHaveLength(8);
    expect(newsletter.preheader).toBe("8 new picks for you this week, Margaret.");
  });

  it("shows the product of a back-in-stock change, and old and new price of a price drop in its currency", () => {
    const product = simulatorCatalogProducts(42)[3];
    if (product === undefined) throw new Error("no product");
    const sample = ship.sample("big-spender");
    const renderWith = (template: string, change: CatalogChange) => {
      const context = { ...sample.context, catalog_change: catalogChangeView(change, product) };
      const result = ship.renderer.render({ template, variant: "a", context });
      if (!result.ok) throw result.error;
      return result.email;
    };
    const back = renderWith("back-in-stock", { kind: "back-in-stock", productId: product.productId, at: 0 });
    expect(back.subject).toBe(`${product.name} is back in stock`);
    expect(visible(back.html)).toContain(`The ${product.name} you had your eye on is available again`);
    expect(back.html).toContain(product.imageUrl);
    const drop = renderWith("price-drop", priceDropChange(product.productId));
    expect(drop.preheader).toMatch(/^Was €40\.00, now €30\.00: 25% off\.$/);
    expect(visible(drop.html)).toContain("€40.00 €30.00 (25% off)");
    // Without a change (every sample at build time) the emails fall back to generic copy.
    expect(render("price-drop", "big-spender").subject).toBe("Prices just dropped");
  });

  it("tags every link with UTM parameters and the campaign and variant, except the signed links", () => {
    const email = render("newsletter", "big-spender", "b");
    const hrefs = [...email.html.matchAll(/href="([^"]+)"/g)].map((m) => (m[1] ?? "").replace(/&amp;/g, "&"));
    expect(hrefs.length).toBeGreaterThan(20);
    for (const href of hrefs) {
      const url = new URL(href);
      if (href.startsWith("https://example.com/email/")) {
        expect(url.searchParams.has("utm_source")).toBe(false);
        continue;
      }
      expect(url.searchParams.get("utm_source")).toBe("tailor");
      expect(url.searchParams.get("utm_medium")).toBe("email");
      expect(url.searchParams.get("utm_campaign")).toBe("preview");
      expect(url.searchParams.get("utm_content")).toBe("b");
      expect(url.searchParams.get("utm_term")).toBe("newsletter");
    }
    expect(email.text).toContain("utm_content=b");
  });

  it("signs the unsubscribe link for this customer and campaign, in the body and the List-Unsubscribe header", () => {
    const email = render("win-back", "lapsed");
    const header = email.headers["List-Unsubscribe"] ?? "";
    expect(email.headers["List-Unsubscribe-Post"]).toBe("List-Unsubscribe=One-Click");
    const url = new URL(header.slice(1, -1));
    const token = url.searchParams.get("t") ?? "";
    expect(email.html).toContain(`href="${url.toString()}"`);
    const now = Date.parse("2026-11-21T00:00:00Z");
    const verified = verifyUnsubscribeToken(token, PREVIEW_LINKS.secret, now);
    expect(verified).toMatchObject({
      ok: true,
      claims: { customerId: "sample-lapsed", campaignId: "preview" },
    });
    expect(verifyLinkToken(token, PREVIEW_LINKS.secret, now, "preferences")).toEqual({
      ok: false,
      reason: "wrong-purpose",
    });
  });
});
