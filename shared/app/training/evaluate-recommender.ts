import {
  type CooccurrenceModel,
  type ListReport,
  listReport,
  type RecommenderArtifact,
  recommendItems,
  type ScoredList,
  trainCooccurrence,
} from "#shared/domain/models/index.js";
import type { PersonalSignals } from "#shared/domain/models/seeds.js";
import type { CatalogProduct } from "#shared/ports.js";
import { RecommendationPicker, type RecommendationRules } from "../recommendation-rules.js";
import type { Dataset } from "./dataset.js";

/** Recommendations scored per customer. */
export const TOP_K = 10;

/** One recommender's hold-out figures (see `listReport`). */
export interface RecommenderFigures {
  readonly precisionAt10: number;
  readonly recallAt10: number;
  /** Share of the in-stock products recommended to at least one hold-out customer. */
  readonly coverage: number;
  /** Distinct lists over hold-out customers. */
  readonly distinctLists: number;
}

/** Hold-out figures of the recommender and of the popularity baseline, measured in the same run. */
export interface RecommenderEvaluation extends RecommenderFigures {
  /** Hold-out customers who bought something new after the cutoff (precision and recall are over them). */
  readonly customers: number;
  /** Hold-out customers given a list (coverage and distinct lists are over them). */
  readonly listed: number;
  /** In-stock products coverage is measured against. */
  readonly products: number;
  readonly baseline: RecommenderFigures;
}

/** Options of {@link trainRecommender}. */
export interface RecommenderTrainOptions {
  /**
   * The shop's catalog: what is in stock, and each product's category and replenishment. @default the products
   * seen in the history, all in stock
   */
  readonly catalog?: readonly CatalogProduct[];
  /** Neighbour damping α (`trainCooccurrence`). @default DEFAULT_DAMPING */
  readonly damping?: number;
}

/**
 * Trains the item-item recommender on what the training customers viewed, carted and bought before the cutoff
 * (best sellers from their orders, per category too), and evaluates it on the hold-out customers against the
 * popularity baseline, both through the same rules as the emails (`RecommendationPicker`: in stock, not bought
 * unless due again, at most ⌈k/2⌉ per category). The model's list is what dispatch builds: the model's ranking
 * from the customer's signals at the cutoff, then the favourite category's best sellers, then best sellers. The
 * baseline's is best sellers only. Hits are products bought after the cutoff that were not bought before.
 */
export function trainRecommender(
  dataset: Dataset,
  trainedAt: string,
  options: RecommenderTrainOptions = {},
): RecommenderArtifact<RecommenderEvaluation> {
  const train = dataset.rows.filter((row) => !row.holdout);
  const model = trainCooccurrence(
    train.map((row) => row.seenBefore),
    {
      popularFrom: train.map((row) => row.boughtBefore),
      categoryOf: dataset.categoryOf,
      ...(options.damping === undefined ? {} : { damping: options.damping }),
    },
  );
  const catalog = new Map(
    (options.catalog ?? [...dataset.categoryOf].map(([id, category]) => seenProduct(id, category))).map(
      (p) => [p.productId, p],
    ),
  );
  return {
    kind: "item-cooccurrence",
    version: 1,
    ...model,
    trainedAt,
    evaluation: evaluateRecommender(
      model,
      dataset.rows.filter((row) => row.holdout),
      dataset.cutoff,
      catalog,
    ),
  };
}

/** What a hold-out customer's list is built from at the cutoff, and what they bought after it. */
export interface HoldoutCustomer {
  /** The profile's seeds and category affinity at the cutoff (`personalSignals`). */
  readonly signals: PersonalSignals;
  /** Products bought before the cutoff → when last bought. */
  readonly boughtAt: ReadonlyMap<string, number>;
  /** Products bought after the cutoff (those not bought before are the hits). */
  readonly boughtAfter: readonly string[];
}

/**
 * The recommender's hold-out figures and the popularity baseline's on the same customers, both through the
 * emails' rules (`RecommendationPicker`) at `cutoff`. `catalog` says what is in stock (coverage is over it).
 */
export function evaluateRecommender(
  model: CooccurrenceModel,
  customers: Iterable<HoldoutCustomer>,
  cutoff: number,
  catalog: ReadonlyMap<string, CatalogProduct>,
): RecommenderEvaluation {
  const inStock = new Set(
    [...catalog.values()].filter((p) => p.inStock && p.stock !== 0).map((p) => p.productId),
  );
  const products = (ids: readonly string[]) => ids.flatMap((id) => catalog.get(id) ?? []);
  const ours: ScoredList[] = [];
  const popular: ScoredList[] = [];
  for (const row of customers) {
    const relevant = new Set(row.boughtAfter.filter((id) => !row.boughtAt.has(id)));
    const rules: RecommendationRules = { limit: TOP_K, now: cutoff, bought: row.boughtAt };
    ours.push({ recommended: modelList(model, row, rules, products), relevant });
    const baseline = new RecommendationPicker(rules);
    baseline.offer(products(model.popular), "overall");
    popular.push({ recommended: baseline.finish().map((entry) => entry.product.productId), relevant });
  }
  const report = listReport(ours, inStock, TOP_K);
  return {
    customers: report.scored,
    listed: report.lists,
    products: inStock.size,
    ...figures(report),
    baseline: figures(listReport(popular, inStock, TOP_K)),
  };
}

/** The catalog of products known only from the history (`categoryOf`): all in stock, nothing else known. */
export function catalogFromHistory(
  categoryOf: Iterable<readonly [string, string]>,
): Map<string, CatalogProduct> {
  return new Map([...categoryOf].map(([id, category]) => [id, seenProduct(id, category)]));
}

/** The list dispatch would build at the cutoff: the model's ranking, the favourite category's best sellers, best sellers. */
function modelList(
  model: CooccurrenceModel,
  row: HoldoutCustomer,
  rules: RecommendationRules,
  products: (ids: readonly string[]) => CatalogProduct[],
): string[] {
  const picker = new RecommendationPicker(rules);
  const ranked = recommendItems(model, row.signals, TOP_K * 3 + row.boughtAt.size);
  picker.offer(products(ranked.map(([id]) => id)), "model");
  const favourite = row.signals.affinity[0]?.category;
  if (favourite !== undefined) picker.offer(products(model.popularByCategory?.[favourite] ?? []), "category");
  picker.offer(products(model.popular), "overall");
  return picker.finish().map((entry) => entry.product.productId);
}

function figures(report: ListReport): RecommenderFigures {
  return {
    precisionAt10: report.precision,
    recallAt10: report.recall,
    coverage: report.coverage,
    distinctLists: report.distinctShare,
  };
}

/** A product known only from the history: its id and category, in stock (nothing else is read). */
function seenProduct(productId: string, category: string): CatalogProduct {
  const blank = {
    name: productId,
    brand: "",
    price: 0,
    currency: "USD",
    popularity: 0,
    url: "",
    imageUrl: "",
  };
  return { ...blank, productId, category, inStock: true };
}
