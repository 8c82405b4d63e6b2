import type { RenderContext } from "./render-context.js";

/** The offer a customer's segment gets, as `templates/blocks/offer.mjml` chooses it. */
export interface OfferView {
  /** `dormant` (at risk, hibernating, lapsed or churned), `frequent` (champions, loyal, 3+ orders), `first_order`. */
  readonly kind: "dormant" | "frequent" | "first_order";
  /** The discount code the block shows. */
  readonly code: string;
}

const DORMANT_SEGMENTS = ["at-risk", "hibernating"];
const FREQUENT_SEGMENTS = ["champions", "loyal"];

/**
 * The offer of the offer block for this context, or undefined when it shows none: the same rules, in the same
 * order, as `templates/blocks/offer.mjml` (a test renders both and checks they agree), so on-site JSON and the
 * email carry the same offer.
 */
export function offerOf(context: Pick<RenderContext, "segments" | "customer">): OfferView | undefined {
  const inAny = (ids: readonly string[]) => ids.some((id) => context.segments.includes(id));
  const { lifecycle_stage: stage, orders_count: orders } = context.customer;
  if (inAny(DORMANT_SEGMENTS) || stage === "lapsed" || stage === "churned")
    return { kind: "dormant", code: "COMEBACK20" };
  if (inAny(FREQUENT_SEGMENTS) || orders >= 3) return { kind: "frequent", code: "VIP15" };
  if (orders === 0) return { kind: "first_order", code: "WELCOME10" };
  return undefined;
}
