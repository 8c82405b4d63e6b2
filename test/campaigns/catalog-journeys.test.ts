import { describe, expect, it } from "vitest";
import {
  buildCampaignLibrary,
  type CampaignDefinition,
  catalogOccurrence,
  checkCampaignDefinition,
  decideSend,
  intentsForCatalogChange,
  type WatcherVerdict,
  watchedKinds,
} from "#shared/domain/campaigns/index.js";
import type { CatalogChange, Watcher } from "#shared/domain/catalog/index.js";
import type { Profile } from "#shared/domain/profile/index.js";
import { DAY, HOUR, MINUTE, reachable } from "./helpers.js";

const T0 = Date.UTC(2026, 10, 20, 12);
const PRODUCT = "p-42";

function catalogCampaign(id: string, trigger: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  const checked = checkCampaignDefinition({
    id,
    name: id,
    version: 1,
    purpose: "marketing",
    trigger,
    steps: [{ template: id }],
    ...extra,
  });
  if (!checked.ok) throw new Error(JSON.stringify(checked.issues));
  return checked.definition;
}

const backInStock = catalogCampaign("back-in-stock", {
  catalog: "back-in-stock",
  watched: ["viewed", "carted"],
  within: "30d",
});
const cartedOnly = catalogCampaign("carted-back", {
  catalog: "back-in-stock",
  watched: ["carted"],
  within: "7d",
});
const priceDrop = catalogCampaign("price-drop", { catalog: "price-drop", minDrop: "10%", within: "14d" });

const lib = (...campaigns: CampaignDefinition[]) =>
  buildCampaignLibrary(campaigns, {
    templates: new Map(campaigns.map((c) => [c.id, ["a"]])),
    segmentIds: new Set(),
  });

const restocked: CatalogChange = { kind: "back-in-stock", productId: PRODUCT, at: T0 };
const drop = (before: number, after: number, currency = "USD"): CatalogChange => ({
  kind: "price-drop",
  productId: PRODUCT,
  at: T0,
  currency,
  before,
  after,
});

describe("catalog trigger definitions", () => {
  it("reads the trigger with its defaults: both interests, 30 days", () => {
    const c = catalogCampaign("b", { catalog: "back-in-stock" });
    expect(c.trigger).toEqual({
      kind: "catalog",
      change: "back-in-stock",
      watched: ["viewed", "carted"],
      withinMs: 30 * DAY,
      within: "30d",
    });
    expect(priceDrop.trigger).toMatchObject({
      minDrop: { kind: "percent", percent: 10 },
      withinMs: 14 * DAY,
    });
  });

  it.each([
    [{ catalog: "sold-out" }, "trigger.catalog", "catalog is back-in-stock or price-drop"],
    [{ catalog: "back-in-stock", minDrop: "10%" }, "trigger.minDrop", "price-drop trigger only"],
    [{ catalog: "price-drop", minDrop: "150%" }, "trigger.minDrop", "a share like 10%"],
    [{ catalog: "price-drop", minDrop: "cheap" }, "trigger.minDrop", "a share like 10%"],
    [{ catalog: "back-in-stock", within: "60d" }, "trigger.within", "up to 30d"],
    [{ catalog: "back-in-stock", watched: ["viewed", "viewed"] }, "trigger.watched[1]", "listed twice"],
    [{ catalog: "back-in-stock", watched: ["bought"] }, "trigger.watched[0]", "viewed and/or carted"],
    [{ catalog: "back-in-stock", event: "Product Viewed" }, "trigger", "exactly one of"],
    [{ event: "Product Viewed", watched: ["viewed"] }, "trigger.watched", "does not belong"],
  ])("refuses %j at %s with a clear message", (trigger, path, message) => {
    const checked = checkCampaignDefinition({
      id: "x",
      name: "x",
      version: 1,
      purpose: "marketing",
      trigger,
      steps: [{ template: "x" }],
    });
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    expect(checked.issues).toContainEqual(expect.objectContaining({ path }));
    expect(checked.issues.map((i) => i.message).join(" | ")).toContain(message);
  });
});

describe("watchedKinds: what ingest records", () => {
  it("is the interests the catalog campaigns count, and nothing without one", () => {
    expect([...watchedKinds(lib(cartedOnly))]).toEqual(["carted"]);
    expect([...watchedKinds(lib(cartedOnly, backInStock))].sort()).toEqual(["carted", "viewed"]);
    const other = checkCampaignDefinition({
      id: "other",
      name: "other",
      version: 1,
      purpose: "marketing",
      trigger: { event: "Product Viewed" },
      steps: [{ template: "other" }],
    });
    if (!other.ok) throw new Error("invalid");
    expect(watchedKinds(lib(other.definition)).size).toBe(0);
  });
});

describe("intentsForCatalogChange", () => {
  const watchers: Watcher[] = [
    { customerId: "viewer", viewedAt: T0 - 2 * DAY },
    { customerId: "carter", cartedAt: T0 - 10 * DAY },
    { customerId: "old-viewer", viewedAt: T0 - 31 * DAY },
    { customerId: "after-change", viewedAt: T0 + MINUTE },
  ];

  it("starts a journey for each watcher within the window before the change, viewed or carted as asked", () => {
    const intents = intentsForCatalogChange(lib(backInStock, cartedOnly), restocked, watchers, T0 + MINUTE);
    const got = intents.map((i) => `${i.campaignId}:${i.customerId}`).sort();
    expect(got).toEqual(["back-in-stock:carter", "back-in-stock:viewer"]);
    // carted-back wants carts within 7 days: the cart of 10 days ago is too old, the view does not count.
    const intent = intents.find((i) => i.customerId === "viewer");
    expect(intent).toMatchObject({
      occurrence: `back-in-stock:${PRODUCT}@${T0}`,
      key: `back-in-stock#viewer#back-in-stock:${PRODUCT}@${T0}#0`,
      startedAt: T0,
      dueAt: T0 + MINUTE,
      trigger: { kind: "catalog", change: restocked },
    });
  });

  it("counts a cart within a carted-only campaign's window", () => {
    const intents = intentsForCatalogChange(
      lib(cartedOnly),
      restocked,
      [
        { customerId: "a", cartedAt: T0 - 3 * DAY },
        { customerId: "b", viewedAt: T0 - HOUR },
      ],
      T0,
    );
    expect(intents.map((i) => i.customerId)).toEqual(["a"]);
  });

  it("gives the same keys when the change is delivered twice or a page read twice", () => {
    const first = intentsForCatalogChange(lib(backInStock), restocked, watchers, T0 + MINUTE);
    const again = intentsForCatalogChange(lib(backInStock), restocked, watchers, T0 + 5 * MINUTE);
    expect(again.map((i) => i.key)).toEqual(first.map((i) => i.key));
    const later = intentsForCatalogChange(
      lib(backInStock),
      { ...restocked, at: T0 + DAY },
      watchers,
      T0 + DAY,
    );
    expect(later.map((i) => i.key)).not.toContain(first[0]?.key);
    expect(catalogOccurrence(restocked)).not.toBe(catalogOccurrence(drop(10, 5)));
  });

  it("leaves out customers who bought the product since watching, or are unknown, or pay in another currency", () => {
    const bought = (at: number): Profile => ({
      ...reachable(),
      o: { n: 1, l: at, r: 100, c: "USD" },
      bp: [PRODUCT],
    });
    const profiles = new Map<string, Profile>([
      ["viewer", bought(T0 - DAY)],
      ["carter", bought(T0 - 20 * DAY)],
      ["euro", { ...reachable(), o: { n: 1, l: T0 - 40 * DAY, r: 100, c: "EUR" } }],
    ]);
    const verdicts: Record<string, WatcherVerdict> = {};
    const page: Watcher[] = [
      ...watchers,
      { customerId: "euro", viewedAt: T0 - DAY },
      { customerId: "gone", viewedAt: T0 - DAY },
    ];
    const intents = intentsForCatalogChange(lib(backInStock, priceDrop), drop(100, 80), page, T0, {
      profiles,
      verdicts: (customerId, _campaign, verdict) => {
        verdicts[customerId] = verdict;
      },
    });
    // Bought one day ago, after viewing two days ago: left out. Bought before carting: still interested.
    expect(intents.map((i) => i.customerId)).toEqual(["carter"]);
    expect(verdicts).toMatchObject({
      viewer: "bought",
      carter: "journey",
      euro: "other-currency",
      gone: "unknown-customer",
      "old-viewer": "outside-window",
    });
  });

  it("starts a price-drop journey only for a drop of at least minDrop, and only for price-drop campaigns", () => {
    const page: Watcher[] = [{ customerId: "viewer", viewedAt: T0 - DAY }];
    expect(intentsForCatalogChange(lib(priceDrop, backInStock), drop(100, 95), page, T0)).toEqual([]);
    const enough = intentsForCatalogChange(lib(priceDrop, backInStock), drop(100, 90), page, T0);
    expect(enough.map((i) => i.campaignId)).toEqual(["price-drop"]);
    const byAmount = catalogCampaign("price-drop", { catalog: "price-drop", minDrop: 5 });
    expect(intentsForCatalogChange(lib(byAmount), drop(20, 16), page, T0)).toEqual([]);
    expect(intentsForCatalogChange(lib(byAmount), drop(20, 15), page, T0)).toHaveLength(1);
    expect(intentsForCatalogChange(lib(byAmount), drop(20, 25), page, T0)).toEqual([]);
  });

  it("starts nothing for a change older than a day (a message stuck in the queue)", () => {
    expect(intentsForCatalogChange(lib(backInStock), restocked, watchers, T0 + 2 * DAY)).toEqual([]);
  });
});

describe("catalog journeys at send time", () => {
  const [intent] = intentsForCatalogChange(
    lib(priceDrop),
    drop(100, 80),
    [{ customerId: "user-1", viewedAt: T0 - DAY }],
    T0,
  );
  const [restockIntent] = intentsForCatalogChange(
    lib(backInStock),
    restocked,
    [{ customerId: "user-1", viewedAt: T0 - DAY }],
    T0,
  );
  const product = { inStock: true, price: 80, currency: "USD" };

  it("sends while the product is in stock at the dropped price", () => {
    if (intent === undefined) throw new Error("no intent");
    expect(decideSend(intent, priceDrop, reachable(), [], T0, { product }).kind).toBe("send");
  });

  it.each([
    ["the price is back up", { product: { ...product, price: 95 } }, "exited: price back up"],
    ["the product is gone", {}, "exited: product no longer in the catalog"],
    ["it is out of stock again", { product: { ...product, inStock: false } }, "exited: out of stock again"],
  ])("skips when %s", (_, catalog, reason) => {
    if (intent === undefined) throw new Error("no intent");
    expect(decideSend(intent, priceDrop, reachable(), [], T0, catalog)).toEqual({ kind: "skip", reason });
  });

  it("skips a back-in-stock email when the stock count is 0 again, or the customer bought it since", () => {
    if (restockIntent === undefined) throw new Error("no intent");
    const zero = { product: { ...product, stock: 0 } };
    expect(decideSend(restockIntent, backInStock, reachable(), [], T0, zero)).toEqual({
      kind: "skip",
      reason: "exited: out of stock again",
    });
    const buyer = reachable({ o: { n: 1, l: T0 + HOUR, r: 100, c: "USD" }, bp: [PRODUCT] });
    expect(decideSend(restockIntent, backInStock, buyer, [], T0 + 2 * HOUR, { product })).toEqual({
      kind: "skip",
      reason: "exited: bought",
    });
  });
});
