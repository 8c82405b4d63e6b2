import { z } from "zod";
import type { TailorEvent } from "#shared/domain/events/index.js";
import { TrainingInputError } from "#shared/domain/models/index.js";
import { personalSignals } from "#shared/domain/models/seeds.js";
import { stableShare } from "#shared/domain/models/stable-hash.js";
import { boughtAt, foldEvents } from "#shared/domain/profile/index.js";
import { categoriesOf, productsOf } from "./dataset.js";
import type { HoldoutCustomer } from "./evaluate-recommender.js";

/** Hold-out customers the recommender is evaluated on at most: beyond, those of lowest hash (a stable sample). */
export const RECOMMENDER_HOLDOUT_MAX_CUSTOMERS = 20_000;

/**
 * Products of one customer's basket learned from at most, the most recent: pairs grow with its square, and a
 * customer's last 50 products say what goes together as well as their whole history.
 */
export const RECOMMENDER_BASKET_MAX_ITEMS = 50;

/** The recommender's training table: each customer's basket before the hold-out cut-off. */
export const recommenderTrainTableSchema = z.object({
  /** Products each customer viewed, carted or bought, most recent first (at most {@link RECOMMENDER_BASKET_MAX_ITEMS}). */
  seen: z.array(z.array(z.string())),
  /** Products each customer bought (best sellers are ranked by them). */
  bought: z.array(z.array(z.string())),
  /** `[product id, category]` as the events last named it. */
  categories: z.array(z.tuple([z.string(), z.string()])),
});

const seedSchema = z.object({
  productId: z.string(),
  kind: z.enum(["view", "cart", "purchase"]),
  weight: z.number(),
});

/** The recommender's hold-out table: each customer's signals at the cut-off and what they bought after it. */
export const recommenderHoldoutTableSchema = z.object({
  /** The hold-out cut-off (epoch ms). */
  cutoff: z.number(),
  categories: z.array(z.tuple([z.string(), z.string()])),
  /** Customers left out of the sample. */
  sampledOut: z.number().int().nonnegative(),
  customers: z.array(
    z.object({
      seeds: z.array(seedSchema),
      affinity: z.array(z.object({ category: z.string(), score: z.number() })),
      boughtAt: z.array(z.tuple([z.string(), z.number()])),
      boughtAfter: z.array(z.string()),
    }),
  ),
});

export type RecommenderTrainTable = z.infer<typeof recommenderTrainTableSchema>;
export type RecommenderHoldoutTable = z.infer<typeof recommenderHoldoutTableSchema>;

/**
 * The recommender's tables at the hold-out cut-off T: for training, every customer's basket before T (a model at
 * T knows everything before it, nothing after); for the hold-out, each customer's seeds and category affinity at T
 * (the profile folded as ingest folds it) and the products bought in [T, end). Customers with no event before T
 * are left out; at most `maxHoldout` hold-out customers, by hash.
 */
export function buildRecommenderTables(
  byCustomer: ReadonlyMap<string, readonly TailorEvent[]>,
  cutoff: number,
  end: number,
  maxHoldout: number = RECOMMENDER_HOLDOUT_MAX_CUSTOMERS,
): { train: RecommenderTrainTable; holdout: RecommenderHoldoutTable } {
  const seen: string[][] = [];
  const bought: string[][] = [];
  const categoryOf = new Map<string, string>();
  const holdout: { hash: number; row: RecommenderHoldoutTable["customers"][number] }[] = [];
  for (const [customerId, events] of byCustomer) {
    const before = events.filter((event) => event.timestamp < cutoff);
    if (before.length === 0) continue;
    const orders = (list: readonly TailorEvent[]) => list.filter((e) => e.kind === "order_completed");
    for (const event of before)
      for (const [id, category] of categoriesOf(event)) categoryOf.set(id, category);
    seen.push([...new Set(before.flatMap(productsOf).reverse())].slice(0, RECOMMENDER_BASKET_MAX_ITEMS));
    bought.push([...new Set(orders(before).flatMap(productsOf))]);
    const after = events.filter((event) => event.timestamp >= cutoff && event.timestamp < end);
    const profile = foldEvents(undefined, customerId, before, cutoff).profile;
    const signals = personalSignals(profile, cutoff);
    holdout.push({
      hash: stableShare(customerId),
      row: {
        seeds: signals.seeds.map(({ productId, kind, weight }) => ({ productId, kind, weight })),
        affinity: signals.affinity.map(({ category, score }) => ({ category, score })),
        boughtAt: [...boughtAt(profile)],
        boughtAfter: [...new Set(orders(after).flatMap(productsOf))],
      },
    });
  }
  const kept =
    holdout.length <= maxHoldout ? holdout : holdout.sort((a, b) => a.hash - b.hash).slice(0, maxHoldout);
  const categories = [...categoryOf].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    train: { seen, bought, categories },
    holdout: {
      cutoff,
      categories,
      sampledOut: holdout.length - kept.length,
      customers: kept.map((entry) => entry.row),
    },
  };
}

/** The hold-out customers of a table, as `evaluateRecommender` reads them. */
export function holdoutCustomers(table: RecommenderHoldoutTable): HoldoutCustomer[] {
  return table.customers.map((row) => ({
    signals: { seeds: row.seeds, affinity: row.affinity },
    boughtAt: new Map(row.boughtAt),
    boughtAfter: row.boughtAfter,
  }));
}

/** Reads one of the recommender's tables (JSON) with its schema; `key` names it in the error. */
export function parseRecommenderTable<T>(schema: z.ZodType<T>, text: string, key: string): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new TrainingInputError(`${key}: not JSON (${String(error)})`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new TrainingInputError(`${key}: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
