import type { TailorEvent } from "../events/index.js";
import { rememberedHashes, shortHash } from "../profile/dedup.js";
import { attributedTouch, isKnownOrder, type Profile } from "../profile/index.js";

/** What the experiment counters count, per campaign and arm (a variant, or `holdout`). */
export type ExperimentMetric =
  | "sent"
  | "delivered"
  | "opened"
  | "clicked"
  | "bounced"
  | "complained"
  | "converted"
  | "revenue";

const METRICS: ReadonlySet<string> = new Set<ExperimentMetric>([
  "sent",
  "delivered",
  "opened",
  "clicked",
  "bounced",
  "complained",
  "converted",
  "revenue",
]);

/** Whether `value` names an experiment counter (as read back from a store). */
export const isExperimentMetric = (value: string): value is ExperimentMetric => METRICS.has(value);

/** One change of one counter. */
export interface ExperimentIncrement {
  readonly campaignId: string;
  /** The variant id, or `holdout`. */
  readonly arm: string;
  readonly metric: ExperimentMetric;
  /**
   * The customer's lifecycle stage when it happened (the report's segments): at the send for `sent`, at the
   * engagement for email events, before the order for conversions.
   */
  readonly segment: string;
  /** A count, or minor units of the order's currency for `revenue`. */
  readonly amount: number;
}

/** The arm of customers held out of a campaign. */
export const HOLDOUT_ARM = "holdout";

/** How long after a delivery or click an order counts as the email's conversion. @default 3 days */
export const CONVERSION_WINDOW_MS = 3 * 24 * 60 * 60 * 1000;

const OPENED = 1;
const CLICKED = 2;
const ENTRY = 9;

/** The ring flags of one email (by its message id), or undefined when the ring does not hold it. */
function flagsOf(profile: Profile | undefined, emailMessageId: string): number | undefined {
  const ring = profile?.e?.r ?? "";
  const hash = shortHash(emailMessageId);
  for (let at = 0; at + ENTRY <= ring.length; at += ENTRY) {
    if (ring.slice(at, at + 8) === hash) return Number(ring[at + 8]);
  }
  return undefined;
}

/**
 * The experiment counter changes one customer's batch makes, from the profile before and after the fold, so a
 * re-delivered event (which the fold skips) counts nothing:
 * - deliveries, bounces and complaints of emails tagged with a campaign and variant, once per event;
 * - unique opens and clicks: the first open (or click) of an email, as the profile's ring of recent sends records;
 * - conversions and revenue: an `Order Completed` within `windowMs` after the customer's last delivery or click of
 *   a campaign (last touch), credited to that campaign's variant; once per `order_id` the profile remembers (a
 *   repeat under a new `messageId`, which the fold does not book either, counts nothing).
 */
export function experimentIncrements(
  before: Profile | undefined,
  after: Profile,
  events: readonly TailorEvent[],
  windowMs: number = CONVERSION_WINDOW_MS,
): ExperimentIncrement[] {
  const applied = rememberedHashes(before?.dd ?? {});
  const increments: ExperimentIncrement[] = [];
  const firsts = new Set<string>();
  const orders = new Set<string>();
  const sorted = [...events].sort((a, b) => a.timestamp - b.timestamp);
  for (const event of sorted) {
    const hashed = shortHash(event.messageId);
    if (applied.has(hashed)) continue;
    applied.add(hashed);
    if (event.kind === "order_completed") {
      const { orderId } = event.order;
      if (orders.has(orderId) || (before !== undefined && isKnownOrder(before, orderId))) continue;
      orders.add(orderId);
      const touch = attributedTouch(after, event.timestamp, windowMs);
      if (touch === undefined) continue;
      const segment = (before ?? after).lc.s;
      const base = { campaignId: touch.campaignId, arm: touch.variant, segment };
      increments.push({ ...base, metric: "converted", amount: 1 });
      if (event.order.total > 0) increments.push({ ...base, metric: "revenue", amount: event.order.total });
      continue;
    }
    if (
      event.kind !== "email_delivered" &&
      event.kind !== "email_opened" &&
      event.kind !== "email_clicked" &&
      event.kind !== "email_bounced" &&
      event.kind !== "email_complained"
    ) {
      continue;
    }
    const { campaignId, variant, messageId } = event.email;
    if (campaignId === undefined || variant === undefined) continue;
    const add = (metric: ExperimentMetric) =>
      increments.push({ campaignId, arm: variant, segment: after.lc.s, metric, amount: 1 });
    if (event.kind === "email_delivered") add("delivered");
    else if (event.kind === "email_bounced") add("bounced");
    else if (event.kind === "email_complained") add("complained");
    else {
      const was = flagsOf(before, messageId) ?? 0;
      const now = flagsOf(after, messageId) ?? 0;
      if (now & OPENED && !(was & OPENED) && !firsts.has(`o${messageId}`)) {
        firsts.add(`o${messageId}`);
        add("opened");
      }
      if (now & CLICKED && !(was & CLICKED) && !firsts.has(`c${messageId}`)) {
        firsts.add(`c${messageId}`);
        add("clicked");
      }
    }
  }
  return increments;
}
