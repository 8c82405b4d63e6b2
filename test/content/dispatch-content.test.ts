import { describe, expect, it } from "vitest";
import { InMemoryContentStore } from "#shared/app/content/in-memory-content-store.js";
import { dispatchSends } from "#shared/app/dispatch-sends.js";
import { buildCampaignLibrary } from "#shared/domain/campaigns/index.js";
import type { ContentItem } from "#shared/domain/catalog/index.js";
import { DAY_MS } from "#shared/domain/profile/index.js";
import {
  type CompiledTemplates,
  EmailRenderer,
  PREVIEW_LINKS,
  readsVariable,
  TEMPLATES_FORMAT,
} from "#shared/render/index.js";
import { COMPILED, campaign, customer, HOUR, harness, intent, messages, T0 } from "../dispatch/harness.js";

const WITH_CONTENT: CompiledTemplates = {
  format: TEMPLATES_FORMAT,
  templates: [
    ...COMPILED.templates,
    {
      name: "newsletter",
      variants: [
        {
          id: "a",
          subject: "News",
          preheader: "This week",
          html: '<html><body>{% if content.size > 0 %}{% for item in content %}<a href="{{ item.url }}">{{ item.title }}</a>{% endfor %}{% endif %}</body></html>',
          text: "{% for item in content %}{{ item.title }} {% endfor %}",
        },
      ],
    },
  ],
};

const article = (id: string, tags: string[], daysOld: number): ContentItem => ({
  id,
  kind: "article",
  title: `Read ${id}`,
  summary: "…",
  url: `https://shop.example/journal/${id}`,
  tags,
  publishedAt: T0 - daysOld * DAY_MS,
});

function setup() {
  const newsletter = campaign({
    id: "news",
    trigger: { event: "Newsletter Due" },
    steps: [{ delay: "0m", template: "newsletter" }],
  });
  const cart = campaign();
  const { deps, ledger, mailer } = harness(
    [cart],
    [{ ...customer("c-1"), a: { t: T0 - HOUR, s: { garden: 5 } } }],
  );
  const renderer = new EmailRenderer(WITH_CONTENT, { links: PREVIEW_LINKS });
  const library = buildCampaignLibrary([newsletter, cart], {
    templates: new Map(renderer.templates().map((t) => [t.name, t.variants])),
    segmentIds: new Set(),
  });
  const contentLibrary = new InMemoryContentStore([
    article("compost", ["garden"], 3),
    article("pruning", ["garden"], 9),
    article("seeds", ["garden"], 20),
    article("reading-list", ["books"], 1),
    article("toy-care", ["toys"], 2),
  ]);
  return {
    deps: { ...deps, renderer, library, content: { ...deps.content, contentLibrary } },
    ledger,
    mailer,
  };
}

describe("content in dispatched emails", () => {
  it("shows the customer's category first, records what it showed, and does not repeat it in the next email", async () => {
    const { deps, ledger, mailer } = setup();
    const first = intent("news", "c-1", { template: "newsletter", occurrence: "w1" });
    const cartMail = intent("cart", "c-1", { occurrence: "c1" });
    const second = intent("news", "c-1", { template: "newsletter", occurrence: "w2" });

    await dispatchSends(deps, messages(first));
    await dispatchSends(deps, messages(cartMail));
    await dispatchSends(deps, messages(second));

    expect(mailer.sent).toHaveLength(3);
    const firstIds = ledger.of(first.key)[0]?.contentIds ?? [];
    expect(firstIds).toEqual(["compost", "pruning", "seeds"]);
    expect(mailer.sent[0]?.content.html).toContain("Read compost");
    // The cart email shows no content block: nothing recorded, and rotation looks past it.
    expect(ledger.of(cartMail.key)[0]?.contentIds).toBeUndefined();
    const secondIds = ledger.of(second.key)[0]?.contentIds ?? [];
    expect(secondIds.filter((id) => firstIds.includes(id))).toEqual([]);
    expect(secondIds).toHaveLength(2);
    expect(mailer.sent[2]?.content.html).not.toContain("Read compost");
  });

  it("keeps the layout with an empty library: no block, nothing recorded", async () => {
    const { deps, ledger, mailer } = setup();
    const empty = { ...deps, content: { ...deps.content, contentLibrary: new InMemoryContentStore() } };
    const one = intent("news", "c-1", { template: "newsletter" });
    await dispatchSends(empty, messages(one));
    expect(mailer.sent[0]?.content.html).toBe("<html><body></body></html>");
    expect(ledger.of(one.key)[0]).toMatchObject({ outcome: "sent" });
    expect(ledger.of(one.key)[0]?.contentIds).toBeUndefined();
  });

  it("tells which templates read the content list", () => {
    expect(readsVariable("{% for item in content %}{% endfor %}", "content")).toBe(true);
    expect(readsVariable("{% if content.size > 0 %}", "content")).toBe(true);
    expect(
      readsVariable('{{ content_title }} {{ item.content }} {{ "content" }} {% # content %}', "content"),
    ).toBe(false);
    expect(readsVariable('<meta name="x" content="y">', "content")).toBe(false);
  });
});
