import { assertNever } from "#shared/errors.js";
import type { Scalar } from "../events/index.js";
import type {
  Condition,
  CountRange,
  EventCondition,
  RateTest,
  ScoreRange,
  TraitTest,
  Window,
} from "./definition.js";
import { RFM_COHORTS } from "./rfm.js";

/** A time as `2026-11-20T10:00Z` (UTC, to the minute). */
export function formatTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16)}Z`;
}

/** A fraction as a percentage with at most one decimal: `0.725` → `72.5 %`. */
export function formatPercent(rate: number): string {
  return `${Math.round(rate * 1000) / 10} %`;
}

/** A trait value as written in a reason: strings quoted. */
export function formatScalar(value: Scalar): string {
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}

/** `1 time`, `3 times`. */
export function times(n: number, unit = "time"): string {
  return `${n} ${unit}${n === 1 ? "" : "s"}`;
}

function countText(range: CountRange, unit: string): string {
  const plural = (n: number) => (n === 1 && unit === "time" ? "once" : times(n, unit));
  if (range.max === undefined) return `at least ${plural(range.min)}`;
  if (range.min === range.max) return `exactly ${plural(range.min)}`;
  if (range.min === 0) return `at most ${plural(range.max)}`;
  return `between ${range.min} and ${times(range.max, unit)}`;
}

function windowText(window: Window | undefined): string {
  if (window === undefined) return "ever";
  return `in the last ${window.buckets} ${window.unit === "hour" ? "h" : "d"}`;
}

function filterText(condition: EventCondition): string {
  const parts: string[] = [];
  if (condition.where?.productId !== undefined) parts.push(`product_id = ${condition.where.productId}`);
  if (condition.where?.category !== undefined) parts.push(`category = ${condition.where.category}`);
  return parts.length === 0 ? "" : ` (${parts.join(", ")})`;
}

function traitTestText(test: TraitTest): string {
  switch (test.op) {
    case "eq":
      return `= ${formatScalar(test.value)}`;
    case "ne":
      return `≠ ${formatScalar(test.value)}`;
    case "gt":
      return `> ${formatScalar(test.value)}`;
    case "gte":
      return `≥ ${formatScalar(test.value)}`;
    case "lt":
      return `< ${formatScalar(test.value)}`;
    case "lte":
      return `≤ ${formatScalar(test.value)}`;
    case "in":
      return `in ${test.values.map(formatScalar).join(", ")}`;
    case "notIn":
      return `not in ${test.values.map(formatScalar).join(", ")}`;
    case "between":
      return `between ${formatScalar(test.low)} and ${formatScalar(test.high)}`;
    case "prefix":
      return `starts with ${formatScalar(test.value)}`;
    case "exists":
      return test.value ? "is known" : "is unknown";
    default:
      return assertNever(test);
  }
}

function boundsText(range: { gte?: number; lte?: number }, show: (n: number) => string = String): string {
  if (range.gte !== undefined && range.lte !== undefined) {
    return range.gte === range.lte
      ? `= ${show(range.gte)}`
      : `between ${show(range.gte)} and ${show(range.lte)}`;
  }
  if (range.gte !== undefined) return `≥ ${show(range.gte)}`;
  return `≤ ${show(range.lte ?? 0)}`;
}

function rateText(name: string, test: RateTest): string {
  const parts: string[] = [];
  if (test.gt !== undefined) parts.push(`> ${formatPercent(test.gt)}`);
  if (test.gte !== undefined) parts.push(`≥ ${formatPercent(test.gte)}`);
  if (test.lt !== undefined) parts.push(`< ${formatPercent(test.lt)}`);
  if (test.lte !== undefined) parts.push(`≤ ${formatPercent(test.lte)}`);
  return `${name} ${parts.join(" and ")}`;
}

function scoreRangeText(letter: string, range: ScoreRange | undefined): string[] {
  return range === undefined ? [] : [`${letter} ${boundsText(range)}`];
}

function span([low, high]: readonly [number, number]): string {
  return low === high ? String(low) : `${low}–${high}`;
}

function describeUncached(condition: Condition): string {
  switch (condition.kind) {
    case "all":
      return "all of";
    case "any":
      return "any of";
    case "not":
      return "not";
    case "trait":
      return `${condition.path.text} ${traitTestText(condition.test)}`;
    case "age":
      return `age ${boundsText(condition)}`;
    case "event":
      return condition.negated
        ? `no ${condition.event.name}${filterText(condition)} ${windowText(condition.within)}`
        : `${condition.event.name}${filterText(condition)} ${countText(condition.count, "time")} ${windowText(condition.within)}`;
    case "noEventSince":
      return `no ${condition.event.name} since the last ${condition.since.name}`;
    case "ordersInCategory":
      return `${countText(condition.count, "order")} with category ${condition.category}`;
    case "engagement": {
      const rates = [
        ...(condition.openRate === undefined ? [] : [rateText("open rate", condition.openRate)]),
        ...(condition.clickRate === undefined ? [] : [rateText("click rate", condition.clickRate)]),
      ].join(" and ");
      const over =
        condition.overLastSends === undefined
          ? "over all sends"
          : `over the last ${times(condition.overLastSends, "send")}`;
      const min = condition.minSends > 1 ? ` (at least ${times(condition.minSends, "send")})` : "";
      return `${rates} ${over}${min}`;
    }
    case "rfm":
      return `RFM ${[...scoreRangeText("R", condition.r), ...scoreRangeText("F", condition.f), ...scoreRangeText("M", condition.m)].join(", ")}`;
    case "rfmCohort": {
      const rule = RFM_COHORTS[condition.cohort];
      return `RFM cohort ${condition.cohort} (R ${span(rule.r)}, F ${span(rule.f)})`;
    }
    case "lifecycle":
      return `lifecycle stage ${condition.in.join(" or ")}`;
    case "score":
      return `${condition.model} score ${boundsText(condition)}`;
    case "tier":
      return `${condition.model} tier ${condition.in.join(" or ")}`;
    case "cluster":
      return `customer cluster ${condition.in.join(" or ")}`;
    case "inSegment":
      return `in segment ${condition.segmentId}`;
    default:
      return assertNever(condition);
  }
}

const cache = new WeakMap<Condition, string>();

/** The condition in words, e.g. `Product Viewed (product_id = p-1) at least 2 times in the last 24 h`. */
export function describeCondition(condition: Condition): string {
  let text = cache.get(condition);
  if (text === undefined) {
    text = describeUncached(condition);
    cache.set(condition, text);
  }
  return text;
}
