import { describe, expect, it } from "vitest";
import { emptyProfile, type Profile } from "#shared/domain/profile/index.js";
import { wrapBareLiquid } from "#shared/render/compile/wrap-liquid.js";
import { ageAt, ageGroupOf, createEngine, customerView } from "#shared/render/index.js";
import { resolveLocale, resolveTimeZone } from "#shared/render/intl-cache.js";
import { scanLiquidTags } from "#shared/render/liquid-tags.js";
import { tagHtmlLinks, tagTextLinks } from "#shared/render/tracking-links.js";

const html = createEngine("html");
const text = createEngine("text");
const render = (source: string, scope: object, engine = html) =>
  String(engine.parseAndRenderSync(source, scope));
const customer = (locale: string, currency: string, timezone = "UTC") => ({
  customer: { locale, currency, timezone },
});

describe("Liquid helpers", () => {
  it("money: the customer's locale and currency, or the currency named", () => {
    expect(render("{{ 1234.5 | money }}", customer("en-US", "USD"))).toBe("$1,234.50");
    expect(render("{{ 1234.5 | money }}", customer("de-DE", "EUR"))).toBe("1.234,50\u00a0€");
    expect(render('{{ 1234.5 | money: "JPY" }}', customer("ja-JP", "EUR"))).toBe("￥1,235");
    expect(render("{{ 10 | money }}", customer("en-GB", "GBP"))).toBe("£10.00");
    expect(() => render('{{ "ten" | money }}', customer("en-US", "USD"))).toThrow("money: expected a number");
  });

  it("date: the customer's locale and time zone", () => {
    const scope = (locale: string, timezone: string) => ({
      ...customer(locale, "USD", timezone),
      at: "2026-11-20T23:30:00Z",
    });
    expect(render("{{ at | date }}", scope("en-US", "UTC"))).toBe("Nov 20, 2026");
    expect(render("{{ at | date }}", scope("en-US", "Asia/Tokyo"))).toBe("Nov 21, 2026");
    expect(render('{{ at | date: "long" }}', scope("fr-FR", "Europe/Paris"))).toBe("21 novembre 2026");
    expect(render('{{ at | date: "datetime" }}', scope("en-GB", "Europe/London"))).toBe("20 Nov 2026, 23:30");
    expect(
      render('{{ "now" | date: "long" }}', { ...scope("en-US", "UTC"), now: "2026-01-02T03:04:05Z" }),
    ).toBe("January 2, 2026");
    expect(() => render('{{ at | date: "sometimes" }}', scope("en-US", "UTC"))).toThrow(
      "date: unknown style",
    );
  });

  it("pluralize: the locale's plural rules, the count formatted", () => {
    const en = customer("en-US", "USD");
    expect(render('{{ 1 | pluralize: "item", "items" }}', en)).toBe("1 item");
    expect(render('{{ 0 | pluralize: "item", "items" }}', en)).toBe("0 items");
    expect(render('{{ 1200 | pluralize: "point" }}', en)).toBe("1,200 points");
    expect(render('{{ 0 | pluralize: "article", "articles" }}', customer("fr-FR", "EUR"))).toBe("0 article");
  });

  it("in_segment: as a block tag (with else) and as a filter", () => {
    const scope = { segments: ["loyal", "high-engagement"] };
    const tag = '{% in_segment "champions", "loyal" %}VIP{% else %}regular{% endin_segment %}';
    expect(render(tag, scope)).toBe("VIP");
    expect(render(tag, { segments: ["at-risk"] })).toBe("regular");
    expect(render('{% assign v = segments | in_segment: "champions" %}{{ v }}', scope)).toBe("false");
    expect(() => html.parse("{% in_segment champions %}x{% endin_segment %}")).toThrow("quoted segment ids");
    expect(() => html.parse('{% in_segment "a" %}x')).toThrow("not closed");
  });

  it("in_groups_of cuts a list into rows; escaping is on by default and strict variables throw", () => {
    expect(
      render(
        "{% assign rows = list | in_groups_of: 2 %}{% for r in rows %}[{{ r | join: ',' }}]{% endfor %}",
        { list: [1, 2, 3] },
      ),
    ).toBe("[1,2][3]");
    expect(render("{{ name }}", { name: "<b>&" })).toBe("&lt;b&gt;&amp;");
    expect(render("{{ name }}", { name: "<b>&" }, text)).toBe("<b>&");
    expect(() => render("{{ missing.value }}", {})).toThrow("undefined variable: missing");
    expect(render('{{ missing.value | default: "x" }}{% if missing %}y{% endif %}', {})).toBe("x");
    // Scope lookups see own properties only.
    expect(render('{{ name.constructor | default: "hidden" }}', { name: "a" })).toBe("hidden");
  });

  it("resolves unknown locales and time zones to safe defaults", () => {
    expect(resolveLocale("tlh")).toBe("en-US");
    expect(resolveLocale("not a locale!")).toBe("en-US");
    expect(resolveLocale("fr_CA")).toBe("fr-CA");
    expect(resolveTimeZone("Mars/Olympus_Mons")).toBe("UTC");
    expect(resolveTimeZone("Europe/Paris")).toBe("Europe/Paris");
  });
});

describe("customer view", () => {
  const NOW = Date.parse("2026-11-20T12:00:00Z");

  it("computes age and age group in whole years, changing on the birthday", () => {
    expect(ageAt("1996-11-20", NOW)).toBe(30);
    expect(ageAt("1996-11-21", NOW)).toBe(29);
    expect(ageAt("2026-02-30", NOW)).toBeUndefined();
    expect(ageAt("2030-01-01", NOW)).toBeUndefined();
    expect([17, 18, 24, 25, 34, 35, 64, 65].map(ageGroupOf)).toEqual([
      "under-18",
      "18-24",
      "18-24",
      "25-34",
      "25-34",
      "35-44",
      "55-64",
      "65-plus",
    ]);
  });

  it("turns profile aggregates into merge fields, leaving unknown values absent", () => {
    const DAY = 86_400_000;
    const profile: Profile = {
      ...emptyProfile("c-9", NOW - 300 * DAY),
      t: {
        first_name: "Kenji",
        locale: "ja-JP",
        timezone: "Asia/Tokyo",
        birthday: "1980-01-01",
        x: { plan: "gold" },
      },
      o: { n: 3, r: 45000, c: "JPY", f: NOW - 200 * DAY, l: NOW - 100 * DAY },
      a: { t: NOW, s: { books: 2, home: 9 } },
      lc: { s: "repeat_buyer", at: NOW - 100 * DAY },
    };
    const view = customerView(profile, NOW);
    expect(view).toMatchObject({
      id: "c-9",
      first_name: "Kenji",
      full_name: "Kenji",
      locale: "ja-JP",
      language: "ja",
      currency: "JPY",
      timezone: "Asia/Tokyo",
      age: 46,
      age_group: "45-54",
      orders_count: 3,
      revenue: 45000,
      average_order_value: 15000,
      days_since_last_order: 100,
      // Time alone moved the customer on: 100 days without an order is lapsed.
      lifecycle_stage: "lapsed",
      favourite_category: "home",
      categories: ["home", "books"],
      traits: { plan: "gold" },
    });
    expect("last_name" in view).toBe(false);
    expect("email" in view).toBe(false);
    const blank = customerView(emptyProfile("c-0", NOW), NOW);
    expect(blank).toMatchObject({
      locale: "en-US",
      currency: "USD",
      timezone: "UTC",
      orders_count: 0,
      revenue: 0,
    });
    expect(Object.keys(blank)).not.toContain("favourite_category");
  });
});

describe("link tagging and Liquid scanning", () => {
  const tags = { source: "tailor", campaign: "spring sale", variant: "b", template: "newsletter" };

  it("adds UTM parameters, keeping query, fragment and hand-written tags, and skipping signed links", () => {
    const html = [
      '<a href="https://shop.example/p?id=1&amp;x=2#top">',
      '<a href="https://shop.example/q?utm_source=partner">',
      '<a href="https://example.com/email/unsubscribe?t=abc">',
      '<a href="mailto:help@example.com">',
    ].join("");
    const out = tagHtmlLinks(html, tags, ["https://example.com/email/"]);
    expect(out).toContain(
      'href="https://shop.example/p?id=1&amp;x=2&amp;utm_source=tailor&amp;utm_medium=email&amp;utm_campaign=spring+sale&amp;utm_content=b&amp;utm_term=newsletter#top"',
    );
    expect(out).toContain("utm_source=partner&amp;utm_medium=email");
    expect(out).not.toContain("utm_source=partner&amp;utm_source");
    expect(out).toContain('href="https://example.com/email/unsubscribe?t=abc"');
    expect(out).toContain('href="mailto:help@example.com"');
    expect(tagTextLinks("Shop [https://shop.example/]", tags, [])).toBe(
      "Shop [https://shop.example/?utm_source=tailor&utm_medium=email&utm_campaign=spring+sale&utm_content=b&utm_term=newsletter]",
    );
  });

  it("finds Liquid tags with quotes and inline comments, and wraps only those between body elements", () => {
    const tags = scanLiquidTags(`{{ "}}" | append: x }} {% # it's a comment %} {%- if a -%}`).map((t) => [
      t.kind,
      t.name,
      t.body,
    ]);
    expect(tags).toEqual([
      ["output", "", '"}}" | append: x'],
      ["tag", "", "# it's a comment"],
      ["tag", "if", "if a"],
    ]);
    const source = `<mjml><mj-head><mj-title>{{ t }}</mj-title></mj-head><mj-body>
{% if a %} {% assign b = 1 %}
<mj-section><mj-column><mj-text>{% if c %}x{% endif %}</mj-text><mj-image alt="{{ d }}" src="x" /></mj-column></mj-section>
{% endif %}</mj-body></mjml>`;
    const wrapped = wrapBareLiquid(source);
    expect(wrapped).toContain("<mj-raw>{% if a %} {% assign b = 1 %}</mj-raw>\n");
    expect(wrapped).toContain("<mj-text>{% if c %}x{% endif %}</mj-text>");
    expect(wrapped).toContain('alt="{{ d }}"');
    expect(wrapped).toContain("<mj-title>{{ t }}</mj-title>");
    expect(wrapped).toContain("<mj-raw>{% endif %}</mj-raw></mj-body>");
    expect(wrapped.split("\n").length).toBe(source.split("\n").length);
  });
});
