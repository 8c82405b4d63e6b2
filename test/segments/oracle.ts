/**
 * A brute-force oracle for segment definitions: evaluates a definition by re-scanning a customer's RAW events
 * (validated `TailorEvent`s), independently of the profile fold and of the evaluator. It follows the documented
 * semantics literally:
 *
 * - windows: `within: Nh` (N ≤ 48) counts events whose UTC hour is one of the N hours ending with the hour of
 *   `now`; longer windows count the N UTC days ending with the day of `now`; an event later than `now` counts
 *   in `now`'s bucket; `where` counts matching product lines;
 * - traits: per trait, the newest event carrying it wins; the device's time zone and locale only fill in when
 *   no event ever carried the trait (the earliest device value);
 * - lifecycle: 90 and 180 days after the last order; age on UTC dates, 29 February celebrated on 1 March;
 * - engagement: sends in order of their first event, a click counts as an open; all time, sends opened over
 *   deliveries;
 * - RFM: scored from the raw orders with the given thresholds; without thresholds, and for model scores,
 *   clusters and static lists, the values come from the given profile (the oracle has nothing else to read
 *   them from).
 *
 * Used by the property test (`oracle.test.ts`), the segment integration test and the bench as the naive
 * baseline: every call re-scans every event.
 */
import type { Product, Scalar, TailorEvent } from "#shared/domain/events/index.js";
import type { Profile } from "#shared/domain/profile/index.js";
import type {
  Condition,
  EventCondition,
  RfmThresholds,
  SegmentDefinition,
  SegmentLibrary,
  TraitTest,
} from "#shared/domain/segments/index.js";

const HOUR = 3_600_000;
const DAY = 86_400_000;

/** What the oracle reads besides the raw events. */
export interface OracleContext {
  /** Definitions `inSegment` refers to. */
  readonly library: SegmentLibrary;
  /**
   * Stored RFM scores (when no thresholds are given), model scores (`sc`), clusters (`cl`) and static lists
   * (`ss`).
   */
  readonly profile?: Profile;
  /** Population thresholds: when given, RFM is scored from the raw orders. */
  readonly rfm?: RfmThresholds;
}

/** Events applied once per messageId, in time order (then messageId), as the fold applies them. */
function applied(events: readonly TailorEvent[]): TailorEvent[] {
  const sorted = [...events].sort(
    (a, b) =>
      a.timestamp - b.timestamp || (a.messageId < b.messageId ? -1 : a.messageId > b.messageId ? 1 : 0),
  );
  const seen = new Set<string>();
  return sorted.filter((event) => {
    if (seen.has(event.messageId)) return false;
    seen.add(event.messageId);
    return true;
  });
}

function productLines(event: TailorEvent): readonly Product[] {
  switch (event.kind) {
    case "product_viewed":
    case "product_added":
    case "product_removed":
      return [event.product];
    case "checkout_started":
      return event.checkout.products;
    case "order_completed":
      return event.order.products;
    default:
      return [];
  }
}

function traitOf(events: readonly TailorEvent[], path: string): Scalar | undefined {
  let value: Scalar | undefined;
  let device: string | undefined;
  for (const event of events) {
    const traits = event.traits;
    const given: Scalar | undefined = path.startsWith("custom.")
      ? traits?.custom?.[path.slice("custom.".length)]
      : readKnownTrait(traits, path);
    if (given !== undefined) value = given;
    if (device === undefined && (path === "timezone" || path === "locale")) device = event.context?.[path];
  }
  return value ?? device;
}

function readKnownTrait(traits: TailorEvent["traits"], path: string): string | undefined {
  if (traits === undefined) return undefined;
  for (const [key, value] of Object.entries(traits)) {
    if (key === path && typeof value === "string") return value;
  }
  return undefined;
}

function testTrait(value: Scalar | undefined, test: TraitTest): boolean {
  if (test.op === "exists") return test.value === (value !== undefined);
  if (value === undefined) return false;
  const sameType = (other: Scalar) =>
    (typeof value === "number" && typeof other === "number") ||
    (typeof value === "string" && typeof other === "string");
  const cmp = (other: Scalar) => (value < other ? -1 : value > other ? 1 : 0);
  switch (test.op) {
    case "eq":
      return value === test.value;
    case "ne":
      return value !== test.value;
    case "in":
      return test.values.some((v) => v === value);
    case "notIn":
      return test.values.every((v) => v !== value);
    case "gt":
      return sameType(test.value) && cmp(test.value) > 0;
    case "gte":
      return sameType(test.value) && cmp(test.value) >= 0;
    case "lt":
      return sameType(test.value) && cmp(test.value) < 0;
    case "lte":
      return sameType(test.value) && cmp(test.value) <= 0;
    case "between":
      return sameType(test.low) && sameType(test.high) && cmp(test.low) >= 0 && cmp(test.high) <= 0;
    case "prefix":
      return typeof value === "string" && value.startsWith(test.value);
  }
}

const isLeap = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

function age(birthday: string, now: number): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(birthday);
  if (match === null) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const today = new Date(now);
  const thisYear = today.getUTCFullYear();
  let [m, d] = [month, day];
  if (month === 2 && day === 29 && !isLeap(thisYear)) [m, d] = [3, 1];
  const beforeBirthday =
    today.getUTCMonth() + 1 < m || (today.getUTCMonth() + 1 === m && today.getUTCDate() < d);
  const years = thisYear - year - (beforeBirthday ? 1 : 0);
  return years >= 0 ? years : undefined;
}

function countEvents(events: readonly TailorEvent[], condition: EventCondition, now: number): number {
  const { event: ref, within, where } = condition;
  let count = 0;
  for (const event of events) {
    if (event.kind !== ref.kind || (ref.kind === "custom" && event.name !== ref.name)) continue;
    if (within !== undefined) {
      const size = within.unit === "hour" ? HOUR : DAY;
      const age = Math.floor(now / size) - Math.floor(Math.min(event.timestamp, now) / size);
      if (age < 0 || age >= within.buckets) continue;
    }
    if (where === undefined) {
      count++;
      continue;
    }
    for (const line of productLines(event)) {
      if (where.productId !== undefined && line.productId !== where.productId) continue;
      if (where.category !== undefined && line.category !== where.category) continue;
      count++;
    }
  }
  return count;
}

function lastOf(events: readonly TailorEvent[], kind: TailorEvent["kind"]): number | undefined {
  let last: number | undefined;
  for (const event of events)
    if (event.kind === kind) last = Math.max(last ?? event.timestamp, event.timestamp);
  return last;
}

function engagement(events: readonly TailorEvent[], lastSends: number | undefined) {
  const sends = new Map<string, { opened: boolean; clicked: boolean }>();
  let delivered = 0;
  for (const event of events) {
    if (event.kind !== "email_delivered" && event.kind !== "email_opened" && event.kind !== "email_clicked")
      continue;
    if (event.kind === "email_delivered") delivered++;
    const send = sends.get(event.email.messageId) ?? { opened: false, clicked: false };
    if (event.kind !== "email_delivered") send.opened = true;
    if (event.kind === "email_clicked") send.clicked = true;
    sends.set(event.email.messageId, send);
  }
  const all = [...sends.values()];
  const opened = all.filter((send) => send.opened).length;
  const clicked = all.filter((send) => send.clicked).length;
  if (lastSends === undefined) {
    const rate = (n: number) => (delivered === 0 ? 0 : Math.min(1, n / delivered));
    return { sends: delivered, openRate: rate(opened), clickRate: rate(clicked) };
  }
  const recent = all.slice(-lastSends);
  const rate = (n: number) => (recent.length === 0 ? 0 : n / recent.length);
  return {
    sends: recent.length,
    openRate: rate(recent.filter((send) => send.opened).length),
    clickRate: rate(recent.filter((send) => send.clicked).length),
  };
}

function rateOk(
  rate: number,
  test: { gt?: number; gte?: number; lt?: number; lte?: number } | undefined,
): boolean {
  if (test === undefined) return true;
  return !(
    (test.gt !== undefined && !(rate > test.gt)) ||
    (test.gte !== undefined && !(rate >= test.gte)) ||
    (test.lt !== undefined && !(rate < test.lt)) ||
    (test.lte !== undefined && !(rate <= test.lte))
  );
}

/** Scores from raw orders: recency reversed; 1 + cut points strictly below the value. */
function rfmOf(events: readonly TailorEvent[], now: number, ctx: OracleContext) {
  const thresholds = ctx.rfm;
  if (thresholds === undefined) return ctx.profile?.rfm;
  const { orders, last, revenue } = books(events);
  if (orders === 0 || last === undefined) return undefined;
  const bucket = (value: number, cuts: readonly number[]) => 1 + cuts.filter((cut) => value > cut).length;
  const recencyDays = Math.max(0, Math.floor((now - last) / DAY));
  return {
    r: 6 - bucket(recencyDays, thresholds.recencyDays),
    f: bucket(orders, thresholds.frequency),
    m: bucket(revenue, thresholds.monetary),
  };
}

/**
 * The books from raw events, order by order (no window): an order counts once per order_id unless cancelled;
 * refunds come off its total, capped at it (no amount and no lines: all of it; lines without prices: nothing).
 */
function books(events: readonly TailorEvent[]): {
  orders: number;
  last: number | undefined;
  revenue: number;
} {
  const placed = new Map<string, { total: number; currency: string; at: number }>();
  const cancelled = new Set<string>();
  const refunds = new Map<string, number>();
  // the earliest Order Completed of each order_id books it (a re-sent one carries the same total)
  for (const event of events) {
    if (event.kind === "order_completed") {
      const { orderId, total, currency } = event.order;
      const known = placed.get(orderId);
      if (known === undefined || event.timestamp < known.at) {
        placed.set(orderId, { total, currency, at: event.timestamp });
      }
    } else if (event.kind === "order_cancelled") cancelled.add(event.cancel.orderId);
    else if (event.kind === "order_refunded") {
      const { orderId, total, products } = event.refund;
      const amount = total ?? (products.length === 0 ? Number.POSITIVE_INFINITY : 0);
      refunds.set(orderId, (refunds.get(orderId) ?? 0) + amount);
    }
  }
  let currency: string | undefined;
  let orders = 0;
  let last: number | undefined;
  let revenue = 0;
  for (const [orderId, order] of placed) {
    currency ??= order.currency;
    if (cancelled.has(orderId)) continue;
    orders++;
    last = Math.max(last ?? order.at, order.at);
    if (order.currency === currency)
      revenue += order.total - Math.min(order.total, refunds.get(orderId) ?? 0);
  }
  return { orders, last, revenue };
}

const COHORTS: Record<string, (r: number, f: number) => boolean> = {
  champions: (r, f) => r === 5 && f >= 4,
  loyal: (r, f) => (r === 3 || r === 4) && f >= 4,
  potential_loyalist: (r, f) => r >= 4 && (f === 2 || f === 3),
  new_customers: (r, f) => r === 5 && f === 1,
  at_risk: (r, f) => r <= 2 && (f === 3 || f === 4),
  cant_lose: (r, f) => r <= 2 && f === 5,
  hibernating: (r, f) => r === 2 && f <= 2,
  lost: (r, f) => r === 1 && f <= 2,
};

function stage(events: readonly TailorEvent[], now: number): string {
  const { orders, last } = books(events);
  if (orders === 0 || last === undefined) return "new_lead";
  if (now - last <= 90 * DAY) return orders >= 2 ? "repeat_buyer" : "active";
  return now - last <= 180 * DAY ? "lapsed" : "churned";
}

const within = (n: number, range: { gte?: number; lte?: number }) =>
  (range.gte === undefined || n >= range.gte) && (range.lte === undefined || n <= range.lte);

function holds(
  condition: Condition,
  events: readonly TailorEvent[],
  now: number,
  ctx: OracleContext,
): boolean {
  switch (condition.kind) {
    case "all":
      return condition.of.every((child) => holds(child, events, now, ctx));
    case "any":
      return condition.of.some((child) => holds(child, events, now, ctx));
    case "not":
      return !holds(condition.of, events, now, ctx);
    case "trait":
      return testTrait(traitOf(events, condition.path.text), condition.test);
    case "age": {
      const birthday = traitOf(events, "birthday");
      const years = typeof birthday === "string" ? age(birthday, now) : undefined;
      return years !== undefined && within(years, condition);
    }
    case "event": {
      const n = countEvents(events, condition, now);
      return n >= condition.count.min && (condition.count.max === undefined || n <= condition.count.max);
    }
    case "noEventSince": {
      const since = lastOf(events, condition.since.kind);
      const last = lastOf(events, condition.event.kind);
      return since !== undefined && (last === undefined || last < since);
    }
    case "ordersInCategory": {
      const n = events.filter(
        (event) =>
          event.kind === "order_completed" &&
          event.order.products.some((p) => p.category === condition.category),
      ).length;
      return n >= condition.count.min && (condition.count.max === undefined || n <= condition.count.max);
    }
    case "engagement": {
      const seen = engagement(events, condition.overLastSends);
      return (
        seen.sends >= condition.minSends &&
        rateOk(seen.openRate, condition.openRate) &&
        rateOk(seen.clickRate, condition.clickRate)
      );
    }
    case "rfm": {
      const scores = rfmOf(events, now, ctx);
      if (scores === undefined) return false;
      return (
        within(scores.r, condition.r ?? {}) &&
        within(scores.f, condition.f ?? {}) &&
        within(scores.m, condition.m ?? {})
      );
    }
    case "rfmCohort": {
      const scores = rfmOf(events, now, ctx);
      return scores !== undefined && (COHORTS[condition.cohort]?.(scores.r, scores.f) ?? false);
    }
    case "lifecycle":
      return condition.in.some((s) => s === stage(events, now));
    case "score": {
      const score = ctx.profile?.sc?.[condition.model];
      return score !== undefined && within(score.p, condition);
    }
    case "tier": {
      const score = ctx.profile?.sc?.[condition.model];
      return score !== undefined && condition.in.includes(score.t);
    }
    case "cluster": {
      const cluster = ctx.profile?.cl;
      return cluster !== undefined && condition.in.includes(cluster.c);
    }
    case "inSegment": {
      const other = ctx.library.byId.get(condition.segmentId);
      if (other === undefined) throw new Error(`unknown segment ${condition.segmentId}`);
      return evaluateApplied(other, events, now, ctx);
    }
  }
}

function evaluateApplied(
  definition: SegmentDefinition,
  events: readonly TailorEvent[],
  now: number,
  ctx: OracleContext,
): boolean {
  if (definition.static) return ctx.profile?.ss?.includes(definition.id) ?? false;
  return holds(definition.rule, events, now, ctx);
}

/** Whether the customer whose raw events these are is in the segment at `now`, by brute force. */
export function oracleEvaluate(
  definition: SegmentDefinition,
  events: readonly TailorEvent[],
  now: number,
  ctx: OracleContext,
): boolean {
  return evaluateApplied(definition, applied(events), now, ctx);
}
