import { buildCustomer } from "./customers.js";
import { deliverNewsletter } from "./newsletter.js";
import { Rng, WeightedTable } from "./prng.js";
import type { ProductPicker } from "./product-picker.js";
import { identify, track } from "./segment-events.js";
import { runSession, type SessionPlan } from "./session.js";
import { activityOn, canReceiveNewsletter, type Shopper, userActor, type Visit } from "./shopper.js";
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

function uuidShaped(rng: Rng): string {
  return `${rng.hex(8)}-${rng.hex(4)}-4${rng.hex(3)}-${rng.pick(["8", "9", "a", "b"])}${rng.hex(3)}-${rng.hex(12)}`;
}

/** Day 0: the shop's existing customers are imported (identify with traits, and their consent). */
function importCustomers(shop: Shop, rng: Rng, dayStart: number, timeline: Timeline): void {
  for (const { customer, state } of shop.shoppers) {
    const actor = userActor(customer, undefined);
    const at = dayStart + rng.int(30 * 60_000);
    timeline.push(identify(actor, at, customer.traits, undefined));
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

/** A few visitors arrive, anonymous, and sign up during their first session. */
function admitNewCustomers(shop: Shop, rng: Rng, dayStart: number): Map<Shopper, SessionPlan> {
  const arrivals = new Map<Shopper, SessionPlan>();
  const count = rng.poisson(shop.newPerDay);
  for (let i = 0; i < count; i++) {
    const index = shop.shoppers.length + 1;
    const customer = buildCustomer(rng, index, "new", (place) =>
      visitTime(rng, dayStart, place.utcOffsetHours),
    );
    const shopper: Shopper = {
      customer,
      state: {
        signedUp: false,
        anonymousId: uuidShaped(rng),
        consent: false,
        unsubscribed: false,
        hardBounced: false,
        complained: false,
        sessions: 0,
        checkouts: 0,
        busyUntil: 0,
      },
    };
    shop.shoppers.push(shopper);
    arrivals.set(shopper, { start: customer.signedUpAt });
  }
  return arrivals;
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
 * sign-ups, the weekly newsletter, and every customer's visits. Each day draws from its own stream, derived
 * from the seed and the day number.
 */
export function simulateDay(shop: Shop, day: number, timeline: Timeline): void {
  const rng = Rng.derive(shop.seed, "day", day);
  const dayStart = shop.start + day * DAY_MS;
  if (day === 0) importCustomers(shop, rng, dayStart, timeline);
  const arrivals = admitNewCustomers(shop, rng, dayStart);
  const campaignId =
    day % 7 === NEWSLETTER_DAY_OF_WEEK
      ? `newsletter-${new Date(dayStart).toISOString().slice(0, 10)}`
      : undefined;

  for (const shopper of shop.shoppers) {
    const visit: Visit = { seed: shop.seed, day, picker: shop.picker, shopper, rng, timeline };
    const arrival = arrivals.get(shopper);
    const plans = arrival === undefined ? planDay(visit, dayStart, campaignId) : [arrival];
    plans.sort((a, b) => a.start - b.start);
    for (const plan of plans) {
      const start = Math.max(plan.start, shopper.state.busyUntil + MIN_SESSION_GAP_MS);
      shopper.state.busyUntil = runSession(visit, { ...plan, start });
    }
  }
}
