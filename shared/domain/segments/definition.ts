/**
 * The segment language, as evaluation sees it: what {@link parseSegmentDefinition} returns from a marketer's
 * file once checked and normalised (durations turned into windows, comparators into ranges, event names into
 * kinds). The file format is documented in `shared/domain/segments/README.md`.
 *
 * @module
 */
import type { EventKind, Scalar } from "../events/index.js";
import { KNOWN_TRAITS, type LifecycleStage } from "../profile/index.js";

/** What every definition carries. */
interface DefinitionBase {
  /** Kebab-case id, equal to the file name without extension. */
  readonly id: string;
  /** Human name, shown by `tailor segments`. */
  readonly name: string;
  readonly description?: string;
  /** Bumped when the rule changes, so the batch path re-evaluates affected profiles. */
  readonly version: number;
}

/** A segment whose members are decided by a rule over the profile. */
export interface RuleSegmentDefinition extends DefinitionBase {
  readonly static: false;
  readonly rule: Condition;
}

/** A static segment: its members are the customers imported into it (`Profile.ss`). */
export interface StaticSegmentDefinition extends DefinitionBase {
  readonly static: true;
}

/** A checked segment definition. */
export type SegmentDefinition = RuleSegmentDefinition | StaticSegmentDefinition;

/** A node of a rule: a boolean combination or a leaf condition. */
export type Condition =
  | AllCondition
  | AnyCondition
  | NotCondition
  | TraitCondition
  | AgeCondition
  | EventCondition
  | NoEventSinceCondition
  | OrdersInCategoryCondition
  | EngagementCondition
  | RfmCondition
  | RfmCohortCondition
  | LifecycleCondition
  | ScoreCondition
  | TierCondition
  | ClusterCondition
  | InSegmentCondition;

/** The kind of a condition node, as written in a file (`all`, `trait`, `noEventSince`, …). */
export type ConditionKind = Condition["kind"];

/** Every child holds. */
export interface AllCondition {
  readonly kind: "all";
  readonly of: readonly Condition[];
}

/** At least one child holds. */
export interface AnyCondition {
  readonly kind: "any";
  readonly of: readonly Condition[];
}

/** The child does not hold. */
export interface NotCondition {
  readonly kind: "not";
  readonly of: Condition;
}

/** Trait names a rule can test (`custom.<key>` reads a custom trait). */
export const TRAIT_NAMES = KNOWN_TRAITS;

/** A known trait name. */
export type TraitName = (typeof TRAIT_NAMES)[number];

/** Which trait a trait condition reads. */
export type TraitPath =
  | { readonly known: TraitName; readonly text: string }
  | { readonly custom: string; readonly text: string };

/** A test on one trait value. A missing trait fails every test except `exists: false`. */
export type TraitTest =
  | { readonly op: "eq" | "ne" | "gt" | "gte" | "lt" | "lte"; readonly value: Scalar }
  | { readonly op: "in" | "notIn"; readonly values: readonly Scalar[] }
  | { readonly op: "between"; readonly low: Scalar; readonly high: Scalar }
  | { readonly op: "prefix"; readonly value: string }
  | { readonly op: "exists"; readonly value: boolean };

/** `trait: { path: country, eq: FR }`. */
export interface TraitCondition {
  readonly kind: "trait";
  readonly path: TraitPath;
  readonly test: TraitTest;
}

/** `age: { gte: 25, lte: 34 }`: whole years since the `birthday` trait, on UTC dates. */
export interface AgeCondition {
  readonly kind: "age";
  readonly gte?: number;
  readonly lte?: number;
}

/** An inclusive integer range a count must fall in; `max` undefined: no upper bound. */
export interface CountRange {
  readonly min: number;
  readonly max: number | undefined;
}

/**
 * A sliding window of whole buckets ending with the bucket of `now`: `buckets` hours (for windows up to 48 h)
 * or `buckets` UTC days (beyond, up to 90 days).
 */
export interface Window {
  readonly unit: "hour" | "day";
  readonly buckets: number;
  /** As written, e.g. `24h`, `7d`. */
  readonly text: string;
}

/** Narrows an event count to product lines with this product id and/or category. */
export interface EventFilter {
  readonly productId?: string;
  readonly category?: string;
}

/** The event a condition counts: a known kind, or a custom track event by name. */
export interface EventRef {
  readonly kind: EventKind;
  /** Canonical name (`Product Viewed`), or the custom event's own name when `kind` is `custom`. */
  readonly name: string;
}

/**
 * `event: { name, where?, within?, atLeast? … }`: the number of events (with `where`: of matching product
 * lines) in the window, or all time without `within`, falls in `count`. `noEvent` is the same with `count`
 * `{ min: 0, max: 0 }` (and `negated` for the wording).
 */
export interface EventCondition {
  readonly kind: "event";
  readonly event: EventRef;
  readonly where?: EventFilter;
  readonly within?: Window;
  readonly count: CountRange;
  /** Written as `noEvent`. */
  readonly negated: boolean;
}

/** `noEventSince: { name, since }`: the customer did `since`, and no `name` since the last `since`. */
export interface NoEventSinceCondition {
  readonly kind: "noEventSince";
  readonly event: EventRef;
  readonly since: EventRef;
}

/** `ordersInCategory: { category, moreThan: 2 }`: all-time orders that contained the category. */
export interface OrdersInCategoryCondition {
  readonly kind: "ordersInCategory";
  readonly category: string;
  readonly count: CountRange;
}

/** Bounds on a rate (a fraction 0–1); each bound given must hold. */
export interface RateTest {
  readonly gt?: number;
  readonly gte?: number;
  readonly lt?: number;
  readonly lte?: number;
}

/**
 * `engagement: { openRate?, clickRate?, overLastSends?, minSends? }`: open and click rates of sends, over the
 * customer's last `overLastSends` sends, or all time (sends opened / sends delivered) without it. Fewer than
 * `minSends` sends (default 1) fails the condition: no rate is known.
 */
export interface EngagementCondition {
  readonly kind: "engagement";
  readonly openRate?: RateTest;
  readonly clickRate?: RateTest;
  readonly overLastSends?: number;
  readonly minSends: number;
}

/** An inclusive range of scores 1–5. */
export interface ScoreRange {
  readonly gte?: number;
  readonly lte?: number;
}

/** `rfm: { r?, f?, m? }`: ranges on the RFM scores. */
export interface RfmCondition {
  readonly kind: "rfm";
  readonly r?: ScoreRange;
  readonly f?: ScoreRange;
  readonly m?: ScoreRange;
}

/** Named RFM cohorts (see {@link RFM_COHORTS} for their score rules). */
export type RfmCohort =
  | "champions"
  | "loyal"
  | "potential_loyalist"
  | "new_customers"
  | "at_risk"
  | "cant_lose"
  | "hibernating"
  | "lost";

/** `rfmCohort: champions`. */
export interface RfmCohortCondition {
  readonly kind: "rfmCohort";
  readonly cohort: RfmCohort;
}

/** `lifecycle: { in: [lapsed, churned] }`, evaluated at `now`. */
export interface LifecycleCondition {
  readonly kind: "lifecycle";
  readonly in: readonly LifecycleStage[];
}

/** `score: { model, gte?, lte? }` on the model's probability 0–1. */
export interface ScoreCondition {
  readonly kind: "score";
  readonly model: string;
  readonly gte?: number;
  readonly lte?: number;
}

/** A model tier. */
export type ModelTier = "high" | "medium" | "low";

/** `tier: { model, in: [high] }`. */
export interface TierCondition {
  readonly kind: "tier";
  readonly model: string;
  readonly in: readonly ModelTier[];
}

/**
 * `cluster: { in: [3, 4] }`: the customer's cluster (`Profile.cl`), as last assigned by the rescoring path. Index
 * 0 is the model's least valuable cluster.
 */
export interface ClusterCondition {
  readonly kind: "cluster";
  readonly in: readonly number[];
}

/** `inSegment: champions`: member of another segment, as evaluated earlier in the same pass. */
export interface InSegmentCondition {
  readonly kind: "inSegment";
  readonly segmentId: string;
}
