import { beforeAll, describe, expect, it } from "vitest";
import type { CatalogChange } from "#shared/domain/catalog/index.js";
import { catalogChangeView } from "#shared/render/build-context.js";
import { compileTemplates } from "#shared/render/compile/index.js";
import { CopyCatalog, localeChain } from "#shared/render/copy-locales.js";
import type { CompiledTemplates, RenderContext, TemplateProblem } from "#shared/render/index.js";
import { EmailRenderer, PREVIEW_RENDERER, TemplateBuildError } from "#shared/render/index.js";
import { substituteCopy } from "#shared/render/substitute-copy.js";
import { simulatorCatalogProducts } from "#shared/sim/index.js";
import { contextWithTraits, layout, priceDropChange, type Shipped, shipped, templateDir } from "./helpers.js";

const NOW = Date.parse("2026-12-05T12:00:00Z");

/** A customer with these traits, who last ordered on 4 December 2026 (UTC), in euros. */
function customer(traits: Record<string, string>): RenderContext {
  const base = contextWithTraits(traits, NOW);
  return {
    ...base,
    customer: { ...base.customer, currency: "EUR", last_order_at: "2026-12-04T10:00:00Z" },
  };
}

const LOCALES_YAML = "default: en\nshipped: [de, fr, fr-CA]\n";

/** The template's own copy in English and French. */
const T_EN = {
  subject: "News from {shop}",
  items: { one: "{count} item", other: "{count} items" },
  ordered: "Ordered on {date}.",
};
const T_FR = {
  subject: "Nouvelles de {shop}",
  items: { one: "{count} article", other: "{count} articles" },
  ordered: "Commandé le {date}.",
};

/** A template using shared and own copy, a plural, a date and a price. */
function files(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    "locales.yaml": LOCALES_YAML,
    "emails/t/subject.liquid": '{{ "t.subject" | t: shop: shop.name }}',
    "emails/t/preheader.liquid": '{{ "t.items" | t: count: 3 }}',
    "emails/t/layout.mjml": layout(
      [
        "    <mj-section><mj-column>",
        '      <mj-text>{{ "greeting" | t: name: customer.first_name | default: "?" }}</mj-text>',
        '      <mj-text>{% assign day = customer.last_order_at | date: "long" %}{{ "t.ordered" | t: date: day }}</mj-text>',
        "      <mj-text>{{ 1234.5 | money }}</mj-text>",
        "    </mj-column></mj-section>",
      ].join("\n"),
    ),
    "locales/en.json": JSON.stringify({ greeting: "Hello {name}" }),
    "locales/fr.json": JSON.stringify({ greeting: "Bonjour {name}" }),
    "locales/fr-CA.json": JSON.stringify({ greeting: "Allô {name}" }),
    "locales/de.json": JSON.stringify({ greeting: "Hallo {name}" }),
    "emails/t/locales/en.json": JSON.stringify(T_EN),
    "emails/t/locales/fr.json": JSON.stringify(T_FR),
    "emails/t/locales/de.json": JSON.stringify({
      subject: "Neues von {shop}",
      items: { one: "{count} Artikel", other: "{count} Artikel" },
      ordered: "Bestellt am {date}.",
    }),
    ...overrides,
  };
}

async function problemsOf(root: string): Promise<TemplateProblem[]> {
  try {
    await compileTemplates(root);
  } catch (error) {
    if (error instanceof TemplateBuildError) return [...error.problems];
    throw error;
  }
  throw new Error("expected the build to fail");
}

describe("the fallback chain", () => {
  it("goes from the most specific locale to the language, dropping extensions", () => {
    expect(localeChain("fr-CA")).toEqual(["fr-CA", "fr"]);
    expect(localeChain("zh-Hant-TW")).toEqual(["zh-Hant-TW", "zh-Hant", "zh"]);
    expect(localeChain("de-DE-u-co-phonebk")).toEqual(["de-DE", "de"]);
    expect(localeChain("not a locale")).toEqual([]);
  });

  it("gives fr-CA its own copy, fr-BE the French, ja-JP the default with the default's formats", () => {
    const catalog = new CopyCatalog({
      default: "en",
      shipped: ["en", "fr", "fr-CA"],
      messages: { en: { k: "en" }, fr: { k: "fr" }, "fr-CA": { k: "fr-CA" } },
    });
    expect(catalog.resolve("fr-CA")).toMatchObject({ copy: "fr-CA", formatting: "fr-CA", language: "fr" });
    expect(catalog.resolve("fr-BE")).toMatchObject({ copy: "fr", formatting: "fr-BE", language: "fr" });
    expect(catalog.resolve("en-GB")).toMatchObject({ copy: "en", formatting: "en-GB", language: "en" });
    expect(catalog.resolve("ja-JP")).toMatchObject({ copy: "en", formatting: "en", language: "en" });
  });
});

describe("constant copy written in per locale", () => {
  const messages = new CopyCatalog({
    default: "en",
    shipped: ["en"],
    messages: {
      en: {
        plain: `Fish & "chips"`,
        both: `It's "new"`,
        brace: "a {{ b }} c",
        named: "Hi {name}",
        items: { one: "{count} item", other: "{count} items" },
      },
    },
  }).resolve("en").messages;

  it("writes in the text of lookups that take no values, escaped as LiquidJS escapes, and leaves the rest", () => {
    const source = [
      '{{ "plain" | t }}',
      '{% assign a = "plain" | t %}',
      '{% assign b = "both" | t %}',
      '{{ "brace" | t }}',
      '{{ "named" | t: name: n }}',
      '{{ "items" | t: count: 2 }}',
      '{{- "plain" | t -}}',
    ].join("\n");
    expect(substituteCopy(source, messages, "html").split("\n")).toEqual([
      "Fish &amp; &#34;chips&#34;",
      `{% assign a = 'Fish & "chips"' %}`,
      '{% assign b = "both" | t %}',
      '{{ "brace" | t }}',
      '{{ "named" | t: name: n }}',
      '{{ "items" | t: count: 2 }}',
      '{{- "plain" | t -}}',
    ]);
    expect(substituteCopy('{{ "plain" | t }}', messages, "text")).toBe(`Fish & "chips"`);
  });
});

describe("copy in the customer's language, in a built template", () => {
  let compiled: CompiledTemplates;
  let renderer: EmailRenderer;
  const render = (traits: Record<string, string>) => {
    const result = renderer.render({ template: "t", context: customer(traits) });
    if (!result.ok) throw result.error;
    return result.email;
  };

  beforeAll(async () => {
    compiled = await compileTemplates(templateDir(files()));
    renderer = new EmailRenderer(compiled, PREVIEW_RENDERER);
  });

  it("ships every locale with its fallback applied: fr-CA holds its own greeting and French for the rest", () => {
    expect(compiled.locales?.shipped).toEqual(["de", "en", "fr", "fr-CA"]);
    expect(compiled.locales?.messages["fr-CA"]).toMatchObject({
      greeting: "Allô {name}",
      "t.ordered": "Commandé le {date}.",
    });
  });

  // The same template, the same order (4 December 2026) and the same 1,234.50 EUR for each customer.
  it.each([
    {
      locale: "fr-CA",
      why: "its own copy, French where it has none, Canadian French dates and prices",
      lang: "fr",
      expected: ["Allô Élodie", "Commandé le 4 décembre 2026.", "1\u00a0234,50\u00a0€"],
      subject: "Nouvelles de Tailor Demo Shop",
      preheader: "3 articles",
    },
    {
      locale: "de-DE",
      why: "German copy, German dates, euro prices",
      lang: "de",
      expected: ["Hallo Élodie", "Bestellt am 4. Dezember 2026.", "1.234,50\u00a0€"],
      subject: "Neues von Tailor Demo Shop",
      preheader: "3 Artikel",
    },
    {
      locale: "ja-JP",
      why: "no Japanese copy: the default copy AND the default's formats, never mixed",
      lang: "en",
      expected: ["Hello Élodie", "Ordered on December 4, 2026.", "€1,234.50"],
      subject: "News from Tailor Demo Shop",
      preheader: "3 items",
    },
  ])("renders $locale with $why", ({ locale, lang, expected, subject, preheader }) => {
    const email = render({ first_name: "Élodie", locale });
    for (const text of expected) expect(email.html).toContain(text);
    expect(email.subject).toBe(subject);
    expect(email.preheader).toBe(preheader);
    expect(email.html).toMatch(new RegExp(`<html lang="${lang}"`));
    expect(email.html).not.toMatch(/2026年|12月|December.*décembre/);
  });
});

describe("the build checks the copy", () => {
  it("fails on a key a template uses that a shipped locale lacks, naming template, file, line, key and locale", async () => {
    const problems = await problemsOf(
      templateDir(files({ "locales/de.json": JSON.stringify({ hello: "Hallo" }) })),
    );
    const missing = problems.find((p) => p.message.includes('"greeting"'));
    expect(missing).toMatchObject({ template: "t", file: "emails/t/layout.mjml", line: 4 });
    expect(missing?.message).toBe('no copy for "greeting" in locale de: add it to locales/de.json');
  });

  it("lets a regional locale lean on its language, but never a language on the default", async () => {
    // fr-CA has no file at all: it takes fr's copy, and the build passes.
    await expect(compileTemplates(templateDir(files({ "locales/fr-CA.json": "{}" })))).resolves.toBeDefined();
    // fr lacks a key: the English copy does not stand in for it.
    const problems = await problemsOf(
      templateDir(
        files({
          "emails/t/locales/fr.json": JSON.stringify({ subject: T_FR.subject, items: T_FR.items }),
        }),
      ),
    );
    expect(problems.map((p) => p.message)).toContain(
      'no copy for "t.ordered" in locale fr: add it to emails/t/locales/fr.json',
    );
    expect(problems.map((p) => p.message)).toContain(
      'no copy for "t.ordered" in locale fr-CA: add it to emails/t/locales/fr-CA.json',
    );
  });

  it("warns of a key no template uses, and still builds", async () => {
    const warnings: TemplateProblem[] = [];
    const root = templateDir(
      files({ "locales/en.json": JSON.stringify({ greeting: "Hello {name}", farewell: "Bye" }) }),
    );
    await compileTemplates(root, { onWarning: (warning) => warnings.push(warning) });
    expect(warnings).toEqual([
      { template: "*", file: "locales/en.json", message: '"farewell" is not used by any template' },
    ]);
  });

  it("fails when the placeholders differ between locales, a value is not passed, or a plural form is missing", async () => {
    const problems = await problemsOf(
      templateDir(
        files({
          "locales/de.json": JSON.stringify({ greeting: "Hallo {first}" }),
          "emails/t/locales/en.json": JSON.stringify({ ...T_EN, subject: "News from {shop} for {name}" }),
          "emails/t/locales/fr.json": JSON.stringify({
            ...T_FR,
            subject: "Nouvelles de {shop} pour {name}",
            items: { other: "{count} articles" },
          }),
        }),
      ),
    );
    const messages = problems.map((p) => `${p.file}: ${p.message}`);
    expect(messages).toContain(
      'locales/de.json: "greeting" takes {first} but the default copy (locales/en.json) takes {name}: every locale takes the same values',
    );
    expect(messages).toContain(
      'emails/t/subject.liquid: the copy of "t.subject" (emails/t/locales/en.json) needs {name}: pass name: … to t',
    );
    expect(messages).toContain('emails/t/locales/fr.json: "t.items": fr needs the plural form(s) "one"');
  });

  it("fails on a key that is not written as text, values passed by position, and undeclared locale files", async () => {
    const problems = await problemsOf(
      templateDir(
        files({
          "emails/t/preheader.liquid": '{% assign k = "t.items" %}{{ k | t }} {{ "t.items" | t: 3 }}',
          "locales/it.json": "{}",
        }),
      ),
    );
    const messages = problems.map((p) => `${p.file}: ${p.message}`);
    expect(messages).toContain(
      'emails/t/preheader.liquid: {{ k | t }}: "t" takes a key written as text right before it, e.g. {{ "cart.title" | t }}',
    );
    expect(messages).toContain(
      'emails/t/preheader.liquid: {{ "t.items" | t: 3 }}: pass values to "t" by name, e.g. t: name: customer.first_name',
    );
    expect(messages.some((m) => m.startsWith("locales/it.json: not a shipped locale's copy"))).toBe(true);
  });

  it("fails on a template using t when locales.yaml is missing or declares nothing", async () => {
    const empty = await problemsOf(templateDir(files({ "locales.yaml": "" })));
    expect(empty[0]).toMatchObject({ file: "locales.yaml" });
    expect(empty[0]?.message).toContain('needs "default"');
    const { "locales.yaml": _, ...rest } = files();
    const without = await problemsOf(templateDir(rest));
    expect(without[0]).toMatchObject({ template: "t", file: "emails/t/subject.liquid", line: 1 });
    expect(without[0]?.message).toContain("there is no locales.yaml");
  });
});

describe("the starter templates in every shipped language", () => {
  let ship: Shipped;
  const render = (template: string, context: RenderContext, variant = "a") => {
    const result = ship.renderer.render({ template, variant, context });
    if (!result.ok) throw result.error;
    return result.email;
  };
  const visible = (html: string) =>
    html
      .replace(/<style[\s\S]*?<\/style>/g, "")
      .replace(/<[^>]+>/g, " ")
      .replace(/\s+/g, " ");

  beforeAll(async () => {
    ship = await shipped();
  });

  it("ships English, French and German", () => {
    expect(ship.compiled.locales?.default).toBe("en");
    expect(ship.compiled.locales?.shipped).toEqual(["de", "en", "fr"]);
  });

  it("sends the German customer paying in euros a German email with a German date and euro prices", () => {
    const context = ship.sample("de-de-eur").context;
    const post = render("post-purchase", context);
    expect(post.subject).toBe("Vielen Dank für Ihre Bestellung, Lena!");
    expect(post.html).toMatch(/<html lang="de"/);
    const text = visible(post.html);
    expect(text).toContain("Das ist Ihre Bestellung Nummer 2 bei uns");
    expect(text).toContain("Bestellt am 4. November 2026.");
    expect(text).toContain("Fragen? Antworten Sie einfach auf diese E-Mail.");
    expect(text).toContain("Abmelden");
    expect(text).not.toMatch(/Thank you|Ordered on|Unsubscribe/);
    const cart = render("cart-abandonment", context);
    expect(cart.subject).toBe("Lena, Sie haben 1 Artikel in Ihrem Warenkorb gelassen");
    expect(cart.preheader).toBe(
      "Ihr Warenkorb hat einen Wert von 1.234,50 €: Bestellen Sie mit einem Klick.",
    );
    expect(visible(cart.html)).toContain("Ihr Warenkorb (1 Artikel)");
    expect(visible(cart.text)).toContain("1 Artikel wartet in Ihrem Warenkorb.");
  });

  it("sends the fr-CA customer French copy with dates in their time zone and Canadian French formats", () => {
    const post = render("post-purchase", ship.sample("fr-ca").context);
    expect(post.subject).toBe("Merci pour votre commande, Élodie !");
    expect(post.html).toMatch(/<html lang="fr"/);
    // Ordered 03:30 UTC on 5 December: 4 December in Toronto.
    expect(visible(post.html)).toContain("Commandé le 4 décembre 2026.");
    // Prices in the Canadian French way (the recommendations' currency is USD here): "44,49 $ US".
    expect(post.text).toMatch(/\n\d+,\d\d\u00a0\$\u00a0US\n/);
  });

  it("sends a customer whose language has no copy English with English dates (not 'Ordered on 5 décembre')", () => {
    const german = ship.sample("de-de-eur").context;
    const japanese = { ...german, customer: { ...german.customer, locale: "ja-JP", language: "ja" } };
    const post = render("post-purchase", japanese);
    expect(post.subject).toBe("Thank you for your order, Lena!");
    expect(post.html).toMatch(/<html lang="en"/);
    expect(visible(post.html)).toContain("Ordered on November 4, 2026.");
    expect(render("cart-abandonment", japanese).preheader).toBe(
      "Your cart total is €1,234.50: complete your order in one click.",
    );
  });

  // Words of the English copy that no German message contains.
  const ENGLISH_WORDS =
    /\b(the|your|you|and|with|order|subtotal|shipping|free|popular|picked|worth|read|tip)\b/i;
  const inLocale = (context: RenderContext, locale: string): RenderContext => ({
    ...context,
    customer: { ...context.customer, locale, language: locale.slice(0, 2) },
  });

  it("lists the order that started the journey in German and French: count, further lines, totals", () => {
    const base = ship.sample("big-spender").context;
    const trigger = base.trigger;
    if (trigger?.order === undefined) throw new Error("the big-spender sample has an order trigger");
    const order = { ...trigger.order, discount: 5 };
    const withOrder = (locale: string, moreLines: number) =>
      inLocale({ ...base, trigger: { ...trigger, order: { ...order, more_lines: moreLines } } }, locale);
    const de = visible(render("post-purchase", withOrder("de-DE", 1)).html);
    expect(de).toContain("Wir bereiten die Bestellung #1042 vor");
    expect(de).toContain("Bestellung #1042 (2 Artikel)");
    expect(de).toContain("und 1 weitere Position");
    expect(de).toContain("Zwischensumme 627,98 £ Rabatt −5,00 £ Versand Kostenlos Gesamtsumme 627,98 £");
    expect(de).toContain("Bestellt am 19. November 2026.");
    const fr = visible(render("post-purchase", withOrder("fr-FR", 3)).html);
    expect(fr).toContain("Nous préparons la commande #1042");
    expect(fr).toContain("Commande #1042 (2 articles)");
    expect(fr).toContain("et 3 autres lignes");
    expect(fr).toContain("Sous-total 627,98 £GB Remise −5,00 £GB Livraison Offerte Total 627,98 £GB");
    const en = visible(render("post-purchase", withOrder("en-GB", 2)).html);
    expect(en).toContain("and 2 more lines");
    expect(en).toContain("Subtotal £627.98 Discount −£5.00 Shipping Free Total £627.98");
  });

  it("heads the content block and labels each item's kind in the customer's language", () => {
    const base = ship.sample("big-spender").context;
    const kinds = {
      article: ["ARTICLE", "ARTIKEL"],
      tip: ["ASTUCE", "TIPP"],
      guide: ["GUIDE", "RATGEBER"],
    } as const;
    const [item] = base.content;
    if (item === undefined) throw new Error("the big-spender sample has content");
    const content = (["article", "tip", "guide"] as const).map((kind, i) => ({
      ...item,
      kind,
      id: `c-${i}`,
    }));
    for (const [locale, heading, index] of [
      ["fr-FR", "À lire cette semaine", 0],
      ["de-DE", "Diese Woche lesenswert", 1],
    ] as const) {
      const text = visible(render("newsletter", { ...inLocale(base, locale), content }).html);
      expect(text).toContain(heading);
      for (const kind of ["article", "tip", "guide"] as const)
        expect(text).toContain(` ${kinds[kind][index]} `);
    }
    const welcome = visible(render("welcome", { ...inLocale(base, "de-DE"), content }).html);
    expect(welcome).toContain("Für den Einstieg: Ratgeber und Tipps");
  });

  it("tells of a product back in stock and of a price drop in French and German, prices in their formats", () => {
    const product = simulatorCatalogProducts(42)[3];
    if (product === undefined) throw new Error("no product");
    const base = ship.sample("big-spender").context;
    const back = { kind: "back-in-stock", productId: product.productId, at: 0 } as const;
    const drop = priceDropChange(product.productId);
    const withChange = (locale: string, change: CatalogChange) => ({
      ...inLocale(base, locale),
      catalog_change: catalogChangeView(change, product),
    });
    const frBack = render("back-in-stock", withChange("fr-FR", back));
    expect(frBack.subject).toBe(`${product.name} est de retour en stock`);
    expect(frBack.preheader).toBe(
      `Margaret, ${product.name}, que vous avez consulté, est de nouveau disponible.`,
    );
    expect(visible(frBack.html)).toContain(`${product.name}, qui vous avait tapé dans l&#39;œil`);
    const deDrop = render("price-drop", withChange("de-DE", drop));
    expect(deDrop.subject).toBe(`Preissenkung: ${product.name} jetzt für 30,00\u00a0€`);
    expect(deDrop.preheader).toMatch(/^Vorher 40,00\s€, jetzt 30,00\s€: 25 % günstiger\.$/);
    expect(visible(deDrop.html)).toContain("40,00 € 30,00 € (25 % günstiger) Ansehen");
    const deGeneric = render("price-drop", inLocale(base, "de-DE"));
    expect(deGeneric.subject).toBe("Die Preise sind gesunken");
    expect(visible(render("back-in-stock", inLocale(base, "de-DE")).html)).toContain("Wieder auf Lager");
  });

  it("claims 'goes well with your order' in each language only for recommendations_basis order", () => {
    const base = inLocale(ship.sample("big-spender").context, "de-DE");
    const withBasis = (basis: "order" | "activity" | "popular") => {
      const email = render("post-purchase", { ...base, recommendations_basis: basis });
      return { text: visible(email.html), preheader: email.preheader };
    };
    const fromOrder = withBasis("order");
    expect(fromOrder.text).toContain("Passt gut zu Ihrer Bestellung");
    expect(fromOrder.preheader).toBe(
      "Ihre Bestellung ist bestätigt. Hier sind ein paar Dinge, die gut dazu passen.",
    );
    expect(withBasis("activity").text).toContain("Für Sie ausgewählt");
    expect(withBasis("activity").preheader).toBe("Ihre Bestellung ist bestätigt.");
    const popular = withBasis("popular").text;
    expect(popular).toContain("Gerade beliebt");
    expect(popular).not.toMatch(/Passt gut|Für Sie ausgewählt/);
  });

  it("renders every template and variant in every shipped language with no English left in the German", () => {
    const base = ship.sample("big-spender").context;
    for (const locale of ["en-US", "fr-FR", "de-AT"]) {
      // The content library's own items come in the customer's language when it has them (de-DE's sample's).
      const content = locale === "de-AT" ? ship.sample("de-de-eur").context.content : base.content;
      const context = { ...inLocale(base, locale), content };
      for (const { name, variants } of ship.renderer.templates()) {
        for (const variant of variants) {
          const email = render(name, context, variant);
          expect(email.html).toMatch(new RegExp(`<html lang="${locale.slice(0, 2)}"`));
          if (locale === "de-AT") expect(visible(email.html)).not.toMatch(ENGLISH_WORDS);
        }
      }
    }
  });
});
