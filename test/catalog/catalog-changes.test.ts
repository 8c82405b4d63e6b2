import { describe, expect, it } from "vitest";
import {
  type CatalogJourneyDeps,
  CatalogJourneysNotScheduledError,
  MalformedCatalogChangeError,
  startCatalogJourneys,
} from "#shared/app/catalog-changes.js";
import { buildCampaignLibrary, checkCampaignDefinition } from "#shared/domain/campaigns/index.js";
import type { CatalogChange, Watcher } from "#shared/domain/catalog/index.js";
import type { Profile } from "#shared/domain/profile/index.js";
import type { WatcherPage, WatchIndex } from "#shared/ports.js";
import { reachable } from "../campaigns/helpers.js";
import { InMemorySendQueue, InMemorySendTimers } from "../fakes/in-memory-sends.js";
import { InMemoryProfileStore } from "../fakes/in-memory-stores.js";

const T0 = Date.UTC(2026, 10, 20, 12);
const DAY = 86_400_000;

/** A watch index in memory: watchers by product, served in pages of `limit`, the cursor a position. */
class FakeWatchIndex implements Pick<WatchIndex, "watchers"> {
  readonly reads: { since: number; cursor?: string }[] = [];
  constructor(readonly byProduct: ReadonlyMap<string, readonly Watcher[]>) {}

  async watchers(
    productId: string,
    options: { readonly since: number; readonly cursor?: string; readonly limit?: number },
  ): Promise<WatcherPage> {
    this.reads.push({
      since: options.since,
      ...(options.cursor === undefined ? {} : { cursor: options.cursor }),
    });
    const all = this.byProduct.get(productId) ?? [];
    const start = Number(options.cursor ?? 0);
    const end = start + (options.limit ?? 500);
    return { watchers: all.slice(start, end), ...(end < all.length ? { cursor: String(end) } : {}) };
  }
}

function definition(raw: Record<string, unknown>) {
  const checked = checkCampaignDefinition({ version: 1, purpose: "marketing", ...raw });
  if (!checked.ok) throw new Error(JSON.stringify(checked.issues));
  return checked.definition;
}

const library = buildCampaignLibrary(
  [
    definition({
      id: "back-in-stock",
      name: "Back in stock",
      trigger: { catalog: "back-in-stock", within: "14d" },
      steps: [{ template: "back-in-stock" }, { delay: "2d", template: "back-in-stock" }],
    }),
    definition({
      id: "price-drop",
      name: "Price drop",
      trigger: { catalog: "price-drop", within: "30d" },
      steps: [{ template: "price-drop" }],
    }),
  ],
  {
    templates: new Map([
      ["back-in-stock", ["a"]],
      ["price-drop", ["a"]],
    ]),
    segmentIds: new Set(),
  },
);

function harness(watchers: readonly Watcher[], profiles: readonly Profile[]) {
  const store = new InMemoryProfileStore();
  for (const profile of profiles) store.items.set(profile.customerId, { profile, itemBytes: 500 });
  const queue = new InMemorySendQueue();
  const timers = new InMemorySendTimers();
  const watches = new FakeWatchIndex(new Map([["p-1", watchers]]));
  const deps: CatalogJourneyDeps = {
    library,
    watches,
    profiles: store,
    sends: { queue, timers },
    clock: { now: () => T0 + 1000 },
    pageSize: 2,
  };
  return { deps, queue, timers, watches };
}

const restocked: CatalogChange = { kind: "back-in-stock", productId: "p-1", at: T0 };
const customers = ["a", "b", "c", "d", "e"];
const profileOf = (customerId: string): Profile => ({ ...reachable(), customerId });

describe("startCatalogJourneys", () => {
  it("pages through the watchers and hands the first steps to the queue, the later ones to timers", async () => {
    const { deps, queue, timers, watches } = harness(
      customers.map((customerId) => ({ customerId, viewedAt: T0 - DAY })),
      customers.map(profileOf),
    );
    const summary = await startCatalogJourneys(deps, JSON.stringify(restocked));
    expect(watches.reads.map((r) => r.cursor)).toEqual([undefined, "2", "4"]);
    // Only the widest window of the back-in-stock campaigns is read: 14 days.
    expect(watches.reads[0]?.since).toBe(T0 - 14 * DAY);
    expect(queue.messages.map((i) => i.customerId).sort()).toEqual(customers);
    expect(queue.messages.every((i) => i.trigger?.kind === "catalog" && i.step === 0)).toBe(true);
    expect(timers.pending().map((i) => [i.customerId, i.dueAt])).toEqual(
      customers.map((c) => [c, T0 + 2 * DAY]),
    );
    expect(summary).toMatchObject({
      changes: 1,
      pages: 3,
      watchers: 5,
      journeys: 5,
      intents: 10,
      enqueued: 5,
      timed: 5,
    });
  });

  it("hands on the same keys when the change is delivered twice", async () => {
    const { deps, queue } = harness([{ customerId: "a", viewedAt: T0 - DAY }], [profileOf("a")]);
    await startCatalogJourneys(deps, JSON.stringify(restocked));
    await startCatalogJourneys(deps, JSON.stringify(restocked));
    const keys = queue.keys();
    expect(keys).toHaveLength(2);
    expect(keys[0]).toBe(keys[1]);
  });

  it("leaves out watchers without a profile and counts why", async () => {
    const { deps, queue } = harness(
      [
        { customerId: "a", viewedAt: T0 - DAY },
        { customerId: "erased", viewedAt: T0 - DAY },
      ],
      [profileOf("a")],
    );
    const summary = await startCatalogJourneys(deps, JSON.stringify(restocked));
    expect(queue.messages.map((i) => i.customerId)).toEqual(["a"]);
    expect(summary.leftOut).toEqual({ "unknown-customer": 1 });
  });

  it("refuses a body that is no change, naming the field, and fails a change whose intents were not handed on", async () => {
    const { deps, queue } = harness([{ customerId: "a", viewedAt: T0 - DAY }], [profileOf("a")]);
    await expect(startCatalogJourneys(deps, "{oops")).rejects.toThrow(MalformedCatalogChangeError);
    await expect(
      startCatalogJourneys(
        deps,
        JSON.stringify({ kind: "price-drop", productId: "p-1", at: T0, currency: "usd" }),
      ),
    ).rejects.toThrow(/currency/);
    queue.failNext = 1;
    await expect(startCatalogJourneys(deps, JSON.stringify(restocked))).rejects.toThrow(
      CatalogJourneysNotScheduledError,
    );
  });
});
