import { PERSONA_BEHAVIOUR } from "./personas.js";
import { tasteOf } from "./product-picker.js";
import { track } from "./segment-events.js";
import type { SessionPlan } from "./session.js";
import { activityOn, userActor, type Visit } from "./shopper.js";

/** P(Email Bounced, Permanent) per send; the address is then suppressed for good. */
export const PERMANENT_BOUNCE_RATE = 0.004;
/** P(Email Bounced, Transient) per send. */
export const TRANSIENT_BOUNCE_RATE = 0.008;
/** P(Email Complained | Email Delivered). */
export const COMPLAINT_RATE = 0.001;
/** P(Unsubscribed | Email Opened). */
export const UNSUBSCRIBE_RATE = 0.01;
/** P(the click opens a shopping session on the linked product). */
const CLICK_SESSION_RATE = 0.6;
const HOUR_MS = 3_600_000;

/**
 * Sends this week's newsletter to one customer at `sendAt` and plays out what the mailbox reports:
 * a bounce, or delivery followed (by the customer's engagement) by open, click, unsubscribe or complaint.
 * Returns the shopping session a click leads to, if any.
 */
export function deliverNewsletter(visit: Visit, sendAt: number, campaignId: string): SessionPlan | undefined {
  const { rng, timeline, shopper, picker } = visit;
  const { customer, state } = shopper;
  const actor = userActor(customer, undefined);
  const email = {
    campaign_id: campaignId,
    message_id: `nl-${visit.seed}-${visit.day}-${customer.id}`,
    variant: rng.chance(0.5) ? "A" : "B",
  };

  const fate = rng.float();
  if (fate < PERMANENT_BOUNCE_RATE + TRANSIENT_BOUNCE_RATE) {
    const permanent = fate < PERMANENT_BOUNCE_RATE;
    if (permanent) state.hardBounced = true;
    timeline.push(
      track(actor, sendAt + rng.intBetween(1_000, 30_000), "Email Bounced", {
        ...email,
        bounce_type: permanent ? "Permanent" : "Transient",
      }),
    );
    return undefined;
  }

  const deliveredAt = sendAt + rng.intBetween(1_000, 60_000);
  timeline.push(track(actor, deliveredAt, "Email Delivered", email));
  if (rng.chance(COMPLAINT_RATE)) {
    state.complained = true;
    timeline.push(
      track(actor, deliveredAt + Math.round(rng.exponential(2 * HOUR_MS)), "Email Complained", email),
    );
    return undefined;
  }
  if (!rng.chance(customer.emailEngagement * activityOn(customer, visit.day))) return undefined;

  const openedAt = deliveredAt + 60_000 + Math.round(rng.exponential(4 * HOUR_MS));
  timeline.push(track(actor, openedAt, "Email Opened", email));
  if (rng.chance(UNSUBSCRIBE_RATE)) {
    state.unsubscribed = true;
    timeline.push(
      track(actor, openedAt + rng.intBetween(5_000, 60_000), "Unsubscribed", {
        ...email,
        purpose: "marketing_email",
        list: "newsletter",
      }),
    );
    return undefined;
  }
  if (!rng.chance(PERSONA_BEHAVIOUR[customer.persona].clickRate)) return undefined;

  const taste = tasteOf(customer.persona);
  const product = picker.draw(rng, rng.pick(customer.favouriteCategories), taste);
  const url = `${product.url}?utm_source=tailor&utm_medium=email&utm_campaign=${encodeURIComponent(campaignId)}`;
  const clickedAt = openedAt + 5_000 + Math.round(rng.exponential(60_000));
  timeline.push(track(actor, clickedAt, "Email Clicked", { ...email, url }));
  return rng.chance(CLICK_SESSION_RATE) ? { start: clickedAt + 3_000, landing: { product, url } } : undefined;
}
