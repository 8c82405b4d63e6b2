import { lastAt, orderReversal, type Profile } from "../profile/index.js";
import { type CatalogFacts, catalogExit } from "./catalog-journeys.js";
import type { SendIntent } from "./contracts.js";
import type { CampaignDefinition, TriggerExit } from "./definition.js";

function membershipSince(profile: Profile, segmentId: string): number | undefined {
  const member = profile.sg?.[segmentId];
  if (member !== undefined) return member.e;
  return profile.ss?.includes(segmentId) === true ? Number.NEGATIVE_INFINITY : undefined;
}

/** Why a {@link TriggerExit} ends the journey of `intent` now, or undefined when it does not (or cannot tell). */
function triggerExited(intent: SendIntent, exit: TriggerExit, profile: Profile): string | undefined {
  const trigger = intent.trigger;
  switch (exit) {
    case "product-carted":
      if (trigger?.kind !== "product") return undefined;
      return profile.ct?.i.some((line) => line.p === trigger.product.productId) === true
        ? "exited: product in cart"
        : undefined;
    case "product-bought": {
      if (trigger?.kind !== "product") return undefined;
      const bought = profile.bp?.includes(trigger.product.productId) === true;
      return bought && (profile.o?.l ?? Number.NEGATIVE_INFINITY) > intent.startedAt
        ? "exited: product bought"
        : undefined;
    }
    case "order-cancelled":
    case "order-refunded": {
      if (trigger?.kind !== "order") return undefined;
      const reversal = orderReversal(profile, trigger.orderId);
      return reversal !== undefined && exit === `order-${reversal}` ? `exited: order ${reversal}` : undefined;
    }
  }
}

/**
 * Why the journey of `intent` has ended, or undefined while it goes on:
 * - an `exitWhen` event occurred after the journey started (`exited: Order Completed`);
 * - with `exitWhenCartEmpty`, the customer's cart holds nothing (`exited: cart empty`);
 * - with `exitWhenTrigger`, the trigger's product is in the cart or was bought since (`exited: product in cart`,
 *   `exited: product bought`), or its order was cancelled or refunded (`exited: order cancelled`, `… refunded`);
 *   an intent without a snapshot (made before snapshots existed) is not ended by these;
 * - a journey started by entering a segment (or a schedule's audience) ends when the customer is no longer a
 *   member, or left and entered again since (`exited: left segment lapsed`);
 * - a journey started by leaving a segment ends when the customer entered it again since;
 * - a journey started by a catalog change ends when the customer bought the product, or, by what `catalog` says
 *   now, the product is gone, out of stock again, or its price is back up (see `catalogExit`).
 */
export function exited(
  intent: SendIntent,
  campaign: CampaignDefinition,
  profile: Profile,
  now: number,
  catalog?: CatalogFacts,
): string | undefined {
  for (const ref of campaign.exitWhen) {
    const last = lastAt(profile, ref.kind);
    if (last !== undefined && last > intent.startedAt && last <= now) return `exited: ${ref.name}`;
  }
  if (campaign.exitWhenCartEmpty === true && (profile.ct?.i.length ?? 0) === 0) return "exited: cart empty";
  for (const exit of campaign.exitWhenTrigger ?? []) {
    const reason = triggerExited(intent, exit, profile);
    if (reason !== undefined) return reason;
  }
  const trigger = campaign.trigger;
  if (trigger.kind === "segment" && trigger.on === "entered") {
    const since = membershipSince(profile, trigger.segmentId);
    if (since === undefined || since > intent.startedAt) return `exited: left segment ${trigger.segmentId}`;
  }
  if (trigger.kind === "segment" && trigger.on === "exited") {
    const since = membershipSince(profile, trigger.segmentId);
    if (since !== undefined && since > intent.startedAt)
      return `exited: entered segment ${trigger.segmentId} again`;
  }
  if (trigger.kind === "schedule" && membershipSince(profile, trigger.audience) === undefined) {
    return `exited: left segment ${trigger.audience}`;
  }
  if (trigger.kind === "catalog") return catalogExit(intent, profile, catalog);
  return undefined;
}
