import { tasteOf } from "./product-picker.js";
import { identify, productProperties, track } from "./segment-events.js";
import { homePage } from "./session.js";
import { anonymousActor, type Visit } from "./shopper.js";

/** P(a new customer first leaves only their e-mail for the newsletter, and signs up days later elsewhere). */
export const NEWSLETTER_LEAD_RATE = 0.25;
/** Most days between the newsletter sign-up and the account sign-up. */
export const LEAD_SIGN_UP_DAYS_MAX = 10;

/**
 * A visitor who will become `visit.shopper` leaves their e-mail in the newsletter form: a look around, then an
 * identify with the browser's `anonymousId` and `traits.email` alone (typed in lower case, where the account's
 * address may carry capitals or spaces: the same address once normalised). No consent is recorded: the lead
 * is an anonymous profile with an e-mail until the customer signs up on another browser with the same address.
 * Returns the epoch ms of the last event.
 */
export function runNewsletterSignUp(visit: Visit, at: number, anonymousId: string): number {
  const { rng, timeline, picker, shopper } = visit;
  const { customer } = shopper;
  const actor = anonymousActor(anonymousId, undefined);
  let t = at;
  timeline.push(homePage(actor, t));
  const views = rng.int(3);
  for (let v = 0; v < views; v++) {
    t += 2_000 + Math.round(rng.exponential(25_000));
    const product = picker.draw(rng, rng.pick(customer.favouriteCategories), tasteOf(customer.persona));
    timeline.push(track(actor, t, "Product Viewed", productProperties(product)));
  }
  t += 2_000 + Math.round(rng.exponential(25_000));
  timeline.push(identify(actor, t, { email: customer.traits.email.trim().toLowerCase() }));
  return t;
}
