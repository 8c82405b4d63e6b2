import type { CustomerView, OfferView } from "./render-context.js";

export type { OfferView };

const DORMANT_SEGMENTS = ["at-risk", "hibernating"];
const FREQUENT_SEGMENTS = ["champions", "loyal"];

/** What offers are chosen from: the customer's segments, lifecycle stage and orders. */
export interface OfferFacts {
  readonly segments: readonly string[];
  readonly customer: Pick<CustomerView, "lifecycle_stage" | "orders_count">;
}

/**
 * Every offer the customer is eligible for, best first: `dormant` (COMEBACK20: at risk, hibernating, lapsed or
 * churned), then `frequent` (VIP15: champions, loyal, 3+ orders), then `first_order` (WELCOME10: no order yet).
 */
export function eligibleOffers(facts: OfferFacts): OfferView[] {
  const inAny = (ids: readonly string[]) => ids.some((id) => facts.segments.includes(id));
  const { lifecycle_stage: stage, orders_count: orders } = facts.customer;
  const offers: OfferView[] = [];
  if (inAny(DORMANT_SEGMENTS) || stage === "lapsed" || stage === "churned")
    offers.push({ kind: "dormant", code: "COMEBACK20" });
  if (inAny(FREQUENT_SEGMENTS) || orders >= 3) offers.push({ kind: "frequent", code: "VIP15" });
  if (orders === 0) offers.push({ kind: "first_order", code: "WELCOME10" });
  return offers;
}

/**
 * The offer to show (the `offer` of the render context, which `templates/blocks/offer.mjml` renders, and the
 * on-site offer slot): the best eligible offer that is not `lastOfferId` (the code of the offer the customer's
 * last message showed), so the same offer is not sent twice in a row; the only eligible offer is still shown.
 * Undefined when none is eligible.
 */
export function offerOf(facts: OfferFacts, lastOfferId?: string): OfferView | undefined {
  const offers = eligibleOffers(facts);
  return offers.find((offer) => offer.code !== lastOfferId) ?? offers[0];
}
