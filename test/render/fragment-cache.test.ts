import type { Liquid } from "liquidjs";
import { beforeAll, describe, expect, it } from "vitest";
import { emptyProfile } from "#shared/domain/profile/index.js";
import { compileTemplates } from "#shared/render/compile/index.js";
import { fragmentKey } from "#shared/render/fragment-key.js";
import {
  buildRenderContext,
  createEngine,
  EmailRenderer,
  PREVIEW_LINKS,
  PREVIEW_RENDERER,
  PREVIEW_SHOP,
  type RenderContext,
  TemplateBuildError,
  type TemplateProblem,
} from "#shared/render/index.js";
import { layout, type Shipped, shipped, templateDir } from "./helpers.js";

/** An engine whose `seen` filter counts how often a cached body really renders. */
function countingEngine(limit?: number): { engine: Liquid; renders: () => number } {
  const engine = createEngine("html", limit === undefined ? {} : { fragmentCacheEntries: limit });
  let count = 0;
  engine.registerFilter("seen", (value: unknown) => {
    count++;
    return value;
  });
  return { engine, renders: () => count };
}

const CARD =
  "{% cache product, customer.locale %}{{ product.name | seen }}: {{ product.price }}{% endcache %}";
const product = (id: string, name: string, price: number) => ({ id, name, price });
const scope = (p: object, locale = "en-GB") => ({ product: p, customer: { locale } });

describe("the {% cache %} tag", () => {
  it("renders its body once per distinct key and replays it for equal keys", () => {
    const { engine, renders } = countingEngine();
    const template = engine.parse(CARD);
    const tee = product("p-1", "Tee", 20);
    const mug = product("p-2", "Mug <large>", 8);
    expect(engine.renderSync(template, scope(tee))).toBe("Tee: 20");
    // An equal product (another object, as a new recipient's context has) hits the cache.
    expect(engine.renderSync(template, scope({ ...tee }))).toBe("Tee: 20");
    expect(renders()).toBe(1);
    expect(engine.renderSync(template, scope(mug))).toBe("Mug &lt;large&gt;: 8");
    expect(renders()).toBe(2);
  });

  it("never replays one customer's fragment for another whose key differs in any value", () => {
    const { engine, renders } = countingEngine();
    const template = engine.parse(CARD);
    expect(engine.renderSync(template, scope(product("p-1", "Tee", 20), "en-GB"))).toBe("Tee: 20");
    // Same id, other name or price (a catalog update), or another locale: each renders afresh.
    expect(engine.renderSync(template, scope(product("p-1", "Tee (new)", 20)))).toBe("Tee (new): 20");
    expect(engine.renderSync(template, scope(product("p-1", "Tee", 18)))).toBe("Tee: 18");
    expect(engine.renderSync(template, scope(product("p-1", "Tee", 20), "fr-FR"))).toBe("Tee: 20");
    expect(renders()).toBe(4);
  });

  it("keeps at most the configured number of fragments, dropping the least recently used", () => {
    const { engine, renders } = countingEngine(2);
    const template = engine.parse(CARD);
    const [a, b, c] = [product("a", "A", 1), product("b", "B", 2), product("c", "C", 3)];
    for (const p of [a, b, a, c]) engine.renderSync(template, scope(p)); // c evicts b (a was used last)
    expect(renders()).toBe(3);
    engine.renderSync(template, scope(a));
    expect(renders()).toBe(3);
    engine.renderSync(template, scope(b));
    expect(renders()).toBe(4);
  });

  it("renders every time when caching is off (0 entries)", () => {
    const { engine, renders } = countingEngine(0);
    const template = engine.parse(CARD);
    for (let i = 0; i < 3; i++) engine.renderSync(template, scope(product("a", "A", 1)));
    expect(renders()).toBe(3);
  });

  it("never keeps a failed render: the error is raised for every recipient it concerns", () => {
    const engine = createEngine("text");
    const template = engine.parse("{% cache product %}{{ product.missing }}{% endcache %}");
    for (let i = 0; i < 2; i++) {
      expect(() => engine.renderSync(template, { product: { id: "a" } })).toThrow(
        "undefined variable: product.missing",
      );
    }
    expect(() => engine.renderSync(template, {})).toThrow("undefined variable: product");
  });

  it("renders without the cache when a key is not plain data", () => {
    const { engine, renders } = countingEngine();
    const template = engine.parse("{% cache product %}{{ product.name | seen }}{% endcache %}");
    class Product {
      constructor(readonly name: string) {}
    }
    engine.renderSync(template, { product: new Product("A") });
    engine.renderSync(template, { product: new Product("A") });
    expect(renders()).toBe(2);
  });

  it("refuses malformed keys and an unclosed block when parsing", () => {
    const engine = createEngine("html");
    expect(() => engine.parse("{% cache %}x{% endcache %}")).toThrow("cache: expected variable paths");
    expect(() => engine.parse('{% cache "a" %}x{% endcache %}')).toThrow("cache: expected variable paths");
    expect(() => engine.parse("{% cache product %}x")).toThrow("add {% endcache %}");
  });
});

describe("fragmentKey", () => {
  it("tells apart values a body could render differently, and refuses what it cannot compare", () => {
    expect(fragmentKey([{ a: 1 }])).toBe(fragmentKey([{ a: 1 }]));
    expect(fragmentKey([{ a: 1 }])).not.toBe(fragmentKey([{ a: "1" }]));
    expect(fragmentKey([null])).toBeDefined();
    expect(fragmentKey([undefined])).toBeUndefined();
    expect(fragmentKey([[1, undefined]])).toBeUndefined();
    expect(fragmentKey([Number.NaN])).toBeUndefined();
    expect(fragmentKey([-0])).toBeUndefined();
    expect(fragmentKey([new Date(0)])).toBeUndefined();
    expect(fragmentKey([() => 1])).toBeUndefined();
    const hidden = { a: 1 };
    Object.defineProperty(hidden, "secret", { value: "x", enumerable: false });
    expect(fragmentKey([hidden])).toBeUndefined();
  });
});

describe("cached blocks of the shipped templates", () => {
  let templates: Shipped;
  beforeAll(async () => {
    templates = await shipped();
  });

  it("render exactly as without the cache, for every template, variant and sample, in any order", () => {
    const uncached = new EmailRenderer(templates.compiled, { ...PREVIEW_RENDERER, fragmentCacheEntries: 0 });
    const requests = templates.renderer
      .templates()
      .flatMap(({ name, variants }) =>
        variants.flatMap((variant) =>
          templates.samples.map((sample) => ({ template: name, variant, context: sample.context })),
        ),
      );
    // Twice, forwards then backwards: every fragment is replayed to recipients other than the one it came from.
    for (const request of [...requests, ...[...requests].reverse()]) {
      expect(templates.renderer.render(request)).toEqual(uncached.render(request));
    }
  });
});

const NOW = Date.parse("2026-11-20T12:00:00Z");

function context(traits: Record<string, string> = {}): RenderContext {
  return buildRenderContext({
    profile: { ...emptyProfile("c-1", NOW), t: traits },
    now: NOW,
    campaign: { id: "camp", name: "Camp" },
    variant: "a",
    links: PREVIEW_LINKS,
    shop: PREVIEW_SHOP,
    segments: [],
  });
}

async function buildProblems(block: string): Promise<TemplateProblem[]> {
  const root = templateDir({
    "emails/t/subject.liquid": "Hello",
    "emails/t/preheader.liquid": "Preheader",
    "emails/t/layout.mjml": layout(`    <mj-include path="../../blocks/card.mjml" />`),
    "blocks/card.mjml": block,
  });
  try {
    await compileTemplates(root, { samples: [{ name: "ada", context: context({ first_name: "Ada" }) }] });
  } catch (error) {
    if (error instanceof TemplateBuildError) return [...error.problems];
    throw error;
  }
  return [];
}

const section = (body: string) =>
  [
    "<mj-section><mj-column>",
    "{% cache customer.locale, customer.currency %}",
    `<mj-text>${body}</mj-text>`,
    "{% endcache %}",
    "</mj-column></mj-section>",
  ].join("\n");

describe("the build's check of cached blocks", () => {
  it("accepts a block that reads only what its keys cover, helpers included", async () => {
    expect(await buildProblems(section("{{ 12.5 | money }} for {{ customer.locale }}"))).toEqual([]);
  });

  it("refuses a block that reads a value its keys do not cover, naming template, file and line", async () => {
    const problems = await buildProblems(section("Hi {{ customer.first_name }}"));
    expect(problems).toEqual([
      expect.objectContaining({
        template: "t",
        file: "blocks/card.mjml",
        line: 3,
        message: expect.stringContaining("reads customer.first_name, which its keys do not cover"),
      }),
    ]);
  });

  it("refuses a helper whose hidden inputs are not keys", async () => {
    const block = [
      "<mj-section><mj-column>",
      "{% cache customer.locale %}",
      "<mj-text>{{ 12.5 | money }}</mj-text>",
      "{% endcache %}",
      "</mj-column></mj-section>",
    ].join("\n");
    const problems = await buildProblems(block);
    expect(problems.map((p) => p.message)).toEqual([
      expect.stringContaining("uses the money helper, which reads customer.currency"),
    ]);
    expect(problems[0]).toMatchObject({ file: "blocks/card.mjml", line: 2 });
  });

  it("refuses side effects (assign) and segment tests without the segments key", async () => {
    const problems = await buildProblems(
      section('{% assign x = 1 %}{% in_segment "champions" %}VIP{% endin_segment %}'),
    );
    const messages = problems.map((p) => p.message).join("\n");
    expect(messages).toContain("{% assign %} is not allowed in a {% cache %} block");
    expect(messages).toContain("reads segments, which its keys do not cover");
  });
});
