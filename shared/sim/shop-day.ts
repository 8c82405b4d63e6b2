import { buildCustomer } from "./customers.js";
import { type DeviceRegistry, uuidShaped } from "./devices.js";
import { deliverNewsletter } from "./newsletter.js";
import { LEAD_SIGN_UP_DAYS_MAX, NEWSLETTER_LEAD_RATE, runNewsletterSignUp } from "./newsletter-signup.js";
import { Rng, WeightedTable } from "./prng.js";
import type { ProductPicker } from "./product-picker.js";
import { identify, track } from "./segment-events.js";
import { runSession, type SessionPlan } from "./session.js";
import {
  activityOn,
  canReceiveNewsletter,
  type Shopper,
  shopperState,
  userActor,
  type Visit,
} from "./shopper.js";
import type { Timeline } from "./timeline.js";

/** The simulated shop: its products and its customers, who accumulate as new ones sign up. */
export interface Shop {
  readonly seed: number;
  /** Epoch ms of the first simulated day. */
  readonly start: number;
  readonly picker: ProductPicker;
  readonly shoppers: Shopper[];
  /** Mean number of new sign-ups per day. */
  readonly newPerDay: number;
  /** The browsers customers logged in on lately. */
  readonly devices: DeviceRegistry;
  /** Sign-up sessions still to come (a newsletter lead signs up days after leaving their e-mail). */
  readonly signUps: Map<Shopper, SessionPlan>;
}

export const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
/** The newsletter goes out on the simulation's second day and every seventh day after. */
export const NEWSLETTER_DAY_OF_WEEK = 1;
/** Visits rise at weekends. */
const WEEKEND_BOOST = 1.25;
/** Quiet time between two sessions of the same customer. */
const MIN_SESSION_GAP_MS = 5 * 60_000;
/** Relative likelihood of a visit starting in each local hour, 00:00 to 23:00. */
const HOUR_WEIGHTS = [
  1, 0.5, 0.3, 0.2, 0.2, 0.4, 1, 2, 3, 3.5, 4, 4.5, 5, 4.5, 4, 4, 4.5, 5, 6, 7, 7, 6, 4, 2,
] as const;
const hourTable = new WeightedTable(
  HOUR_WEIGHTS.map((_, hour) => hour),
  HOUR_WEIGHTS,
);

function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}

/** The instant within [dayStart, dayStart + 24 h) at which the local clock at `utcOffsetHours` reads `localMs`. */
export function atLocalTime(dayStart: number, utcOffsetHours: number, localMs: number): number {
  return dayStart + mod(localMs - utcOffsetHours * HOUR_MS - mod(dayStart, DAY_MS), DAY_MS);
}

function visitTime(rng: Rng, dayStart: number, utcOffsetHours: number): number {
  return atLocalTime(dayStart, utcOffsetHours, hourTable.draw(rng) * HOUR_MS + rng.int(HOUR_MS));
}

/** Day 0: the shop's existing customers are imported (identify with traits, and their consent). */
function importCustomers(shop: Shop, rng: Rng, dayStart: number, timeline: Timeline): void {
  for (const { customer, state } of shop.shoppers) {
    const actor = userActor(customer, undefined);
    const at = dayStart + rng.int(30 * 60_000);
    timeline.push(identify(actor, at, customer.traits));
    timeline.push(
      track(actor, at + 1_000, "Consent Updated", {
        purpose: "marketing_email",
        granted: customer.marketingConsent,
        source: "import",
      }),
    );
    state.busyUntil = at + 1_000;
  }
}

/** A newsletter lead's visit: when, and the browser they leave their e-mail on. */
interface LeadVisit {
  readonly at: number;
  readonly anonymousId: string;
}

/**
 * A few visitors arrive, anonymous, and sign up during their first session, today; a share of them leave only
 * their e-mail for the newsletter today and sign up on another browser some days later. The sign-up sessions
 * go to `shop.signUps`; the newsletter leads' visits are returned.
 */
function admitNewCustomers(shop: Shop, rng: Rng, dayStart: number): Map<Shopper, LeadVisit> {
  const leads = new Map<Shopper, LeadVisit>();
  const count = rng.poisson(shop.newPerDay);
  for (let i = 0; i < count; i++) {
    const index = shop.shoppers.length + 1;
    const lead = rng.chance(NEWSLETTER_LEAD_RATE);
    const signUpDay = dayStart + (lead ? rng.intBetween(1, LEAD_SIGN_UP_DAYS_MAX) * DAY_MS : 0);
    const customer = buildCustomer(rng, index, "new", (place) =>
      visitTime(rng, signUpDay, place.utcOffsetHours),
    );
    const state = shopperState({
      signedUp: false,
      anonymousId: uuidShaped(rng),
      consent: false,
      busyUntil: 0,
    });
    const shopper: Shopper = { customer, state };
    shop.shoppers.push(shopper);
    shop.signUps.set(shopper, { start: customer.signedUpAt });
    if (lead) {
      const at = visitTime(rng, dayStart, customer.place.utcOffsetHours);
      leads.set(shopper, { at, anonymousId: uuidShaped(rng) });
    }
  }
  return leads;
}

/** The shopper's sign-up session, if it is due before `dayEnd` (then it is no longer pending). */
function dueSignUp(shop: Shop, shopper: Shopper, dayEnd: number): SessionPlan[] {
  const plan = shop.signUps.get(shopper);
  if (plan === undefined || plan.start >= dayEnd) return [];
  shop.signUps.delete(shopper);
  return [plan];
}

/** What one customer does on `day`: maybe read the newsletter, and a Poisson number of visits. */
function planDay(visit: Visit, dayStart: number, campaignId: string | undefined): SessionPlan[] {
  const { rng, shopper } = visit;
  const { customer, state } = shopper;
  const plans: SessionPlan[] = [];
  if (campaignId !== undefined && canReceiveNewsletter(state)) {
    const sendAt = atLocalTime(dayStart, customer.place.utcOffsetHours, 10 * HOUR_MS + rng.int(2 * HOUR_MS));
    const fromClick = deliverNewsletter(visit, sendAt, campaignId);
    if (fromClick !== undefined) plans.push(fromClick);
  }
  const weekday = new Date(dayStart).getUTCDay();
  const boost = weekday === 0 || weekday === 6 ? WEEKEND_BOOST : 1;
  const visits = rng.poisson((customer.visitsPerWeek / 7) * activityOn(customer, visit.day) * boost);
  for (let i = 0; i < visits; i++) {
    plans.push({ start: visitTime(rng, dayStart, customer.place.utcOffsetHours) });
  }
  return plans;
}

/**
 * Simulates one day of the shop into `timeline`: on day 0 the import of existing customers, then new
 * sign-ups (and newsletter leads), the weekly newsletter, and every customer's visits. Each day draws from its
 * own stream, derived from the seed and the day number.
 */
export function simulateDay(shop: Shop, day: number, timeline: Timeline): void {
  const rng = Rng.derive(shop.seed, "day", day);
  const dayStart = shop.start + day * DAY_MS;
  if (day === 0) importCustomers(shop, rng, dayStart, timeline);
  const leads = admitNewCustomers(shop, rng, dayStart);
  const campaignId =
    day % 7 === NEWSLETTER_DAY_OF_WEEK
      ? `newsletter-${new Date(dayStart).toISOString().slice(0, 10)}`
      : undefined;

  for (const shopper of shop.shoppers) {
    const visit: Visit = {
      seed: shop.seed,
      day,
      picker: shop.picker,
      devices: shop.devices,
      shopper,
      rng,
      timeline,
    };
    const lead = leads.get(shopper);
    if (lead !== undefined) shopper.state.busyUntil = runNewsletterSignUp(visit, lead.at, lead.anonymousId);
    const plans = shopper.state.signedUp
      ? planDay(visit, dayStart, campaignId)
      : dueSignUp(shop, shopper, dayStart + DAY_MS);
    plans.sort((a, b) => a.start - b.start);
    for (const plan of plans) {
      const start = Math.max(plan.start, shopper.state.busyUntil + MIN_SESSION_GAP_MS);
      shopper.state.busyUntil = runSession(visit, { ...plan, start });
    }
  }
}
