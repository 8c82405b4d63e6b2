import type { TailorEvent } from "#shared/domain/events/index.js";
import { FEATURE_NAMES, profileFeatures } from "#shared/domain/features/index.js";
import { type PersonalSignals, personalSignals } from "#shared/domain/models/seeds.js";
import { boughtAt, DAY_MS, foldEvents } from "#shared/domain/profile/index.js";
import {
  CHURN_WINDOW_DAYS,
  eventsByCustomer,
  type HistoryRecord,
  PURCHASE_WINDOW_DAYS,
  SYSTEM_KINDS,
} from "./feature-table.js";
import { isHoldout } from "./holdout.js";

export { CHURN_WINDOW_DAYS, type HistoryRecord, PURCHASE_WINDOW_DAYS };

/** The history to learn from and where to cut. */
export interface DatasetOptions {
  /**
   * The shop's raw events over `days` days from `start` (the local CLI, tests and benchmarks pass the
   * simulator's: `simulatedHistory` in shared/sim).
   */
  readonly history: Iterable<HistoryRecord>;
  /** Days of history; at least {@link CHURN_WINDOW_DAYS} + 1. */
  readonly days: number;
  /** Day of the cutoff T. @default days − CHURN_WINDOW_DAYS */
  readonly cutoffDay?: number;
  /** When the history starts (epoch ms). */
  readonly start: number;
  /** Share of customers held out. @default 0.3 */
  readonly holdoutShare?: number;
}

/** One customer seen before the cutoff: features at T and what happened after. */
export interface CustomerRow {
  readonly customerId: string;
  readonly holdout: boolean;
  /** `profileFeatures(profile at T, T).values`. */
  readonly features: readonly number[];
  /** Days from the last order to T; undefined when the customer never ordered before T. */
  readonly daysSinceLastOrder: number | undefined;
  /** 1 when the customer ordered in (T, T + 30 days]. */
  readonly purchase: 0 | 1;
  /** 1 when the customer did nothing of their own in (T, T + 60 days]. */
  readonly churn: 0 | 1;
  /** Products viewed, carted or bought before T, most recent first. */
  readonly seenBefore: readonly string[];
  /** Products bought before T. */
  readonly boughtBefore: readonly string[];
  /** Products bought after T (to the end of the simulation). */
  readonly boughtAfter: readonly string[];
  /** What a recommendation at T starts from: the profile's seeds and category affinity (`personalSignals`). */
  readonly signals: PersonalSignals;
  /** Products bought before T → when last bought, as the profile at T remembers (`boughtAt`). */
  readonly boughtAt: ReadonlyMap<string, number>;
}

/** A training set built from the shop's history. */
export interface Dataset {
  /** T, epoch ms. */
  readonly cutoff: number;
  readonly featureNames: readonly string[];
  readonly rows: readonly CustomerRow[];
  /** Each product's category, as the events before T last named it. */
  readonly categoryOf: ReadonlyMap<string, string>;
}

/**
 * Reads the shop's history, folds each customer's events up to the cutoff T into a profile ({@link foldEvents}),
 * computes features at T and labels from the events after T. Customers with no event before T are left out.
 */
export function buildDataset(options: DatasetOptions): Dataset {
  const start = options.start;
  const cutoffDay = options.cutoffDay ?? options.days - CHURN_WINDOW_DAYS;
  const cutoff = start + cutoffDay * DAY_MS;
  const end = start + options.days * DAY_MS;
  const rows: CustomerRow[] = [];
  const categoryOf = new Map<string, string>();
  for (const [customerId, events] of eventsByCustomer(options.history, end)) {
    const before = events.filter((event) => event.timestamp < cutoff);
    if (before.length === 0) continue;
    const after = events.filter((event) => event.timestamp >= cutoff);
    for (const event of before)
      for (const [id, category] of categoriesOf(event)) categoryOf.set(id, category);
    const profile = foldEvents(undefined, customerId, before, cutoff).profile;
    const lastOrder = profile.o?.l;
    const within = (event: TailorEvent, days: number) => event.timestamp < cutoff + days * DAY_MS;
    rows.push({
      customerId,
      holdout: isHoldout(customerId, options.holdoutShare),
      features: profileFeatures(profile, cutoff).values,
      daysSinceLastOrder: lastOrder === undefined ? undefined : (cutoff - lastOrder) / DAY_MS,
      purchase: after.some((e) => e.kind === "order_completed" && within(e, PURCHASE_WINDOW_DAYS)) ? 1 : 0,
      churn: after.some((e) => !SYSTEM_KINDS.has(e.kind) && within(e, CHURN_WINDOW_DAYS)) ? 0 : 1,
      seenBefore: [...new Set(before.flatMap(productsOf).reverse())],
      boughtBefore: [...new Set(before.filter((e) => e.kind === "order_completed").flatMap(productsOf))],
      boughtAfter: [...new Set(after.filter((e) => e.kind === "order_completed").flatMap(productsOf))],
      signals: personalSignals(profile, cutoff),
      boughtAt: boughtAt(profile),
    });
  }
  return { cutoff, featureNames: FEATURE_NAMES, rows, categoryOf };
}

/** Product ids an event is about (views, adds, orders); none for other kinds. */
export function productsOf(event: TailorEvent): string[] {
  return productLines(event).map((product) => product.productId);
}

/** `[product id, category]` of the products an event names with a category. */
export function categoriesOf(event: TailorEvent): [string, string][] {
  return productLines(event).flatMap((product) =>
    product.category === undefined ? [] : [[product.productId, product.category]],
  );
}

function productLines(event: TailorEvent): readonly { productId: string; category?: string }[] {
  switch (event.kind) {
    case "product_viewed":
    case "product_added":
      return [event.product];
    case "order_completed":
      return event.order.products;
    default:
      return [];
  }
}
