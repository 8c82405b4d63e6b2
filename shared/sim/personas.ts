/** How a simulated customer behaves. `new` customers sign up during the simulation. */
export type Persona = "bargain_hunter" | "loyal" | "browser" | "lapsing" | "new";

/** The personas of the customers that exist when the simulation starts. */
export const ESTABLISHED_PERSONAS = ["bargain_hunter", "loyal", "browser", "lapsing"] as const;

/**
 * A persona's typical behaviour. Each customer draws individual values around these (see `customers.ts`).
 * The funnel rates are chosen so that a mixed population lands in the ranges the simulator promises:
 * view→add 8–12 %, add→checkout 40–60 %, checkout→order 60–75 %.
 */
export interface PersonaBehaviour {
  /** Share of the customers present at the start (`new` customers arrive daily instead). */
  readonly share: number;
  /** Mean sessions per week at the start of the simulation. */
  readonly visitsPerWeek: number;
  /** Days for the visit rate and e-mail engagement to halve (`Infinity`: steady). */
  readonly activityHalfLifeDays: number;
  /** Mean product views per session. */
  readonly viewsPerSession: number;
  /** P(Product Added | Product Viewed of an in-stock product). */
  readonly addRate: number;
  /** P(Checkout Started | the session's cart holds items at the end of browsing). */
  readonly checkoutRate: number;
  /** P(Order Completed | Checkout Started). */
  readonly orderRate: number;
  /** P(Email Opened | Email Delivered). */
  readonly openRate: number;
  /** P(Email Clicked | Email Opened). */
  readonly clickRate: number;
  /** P(an order uses a coupon). */
  readonly couponRate: number;
  /** P(Products Searched) per session. */
  readonly searchRate: number;
}

/** Behaviour by persona. */
export const PERSONA_BEHAVIOUR: Readonly<Record<Persona, PersonaBehaviour>> = {
  bargain_hunter: {
    share: 0.25,
    visitsPerWeek: 2.5,
    activityHalfLifeDays: Number.POSITIVE_INFINITY,
    viewsPerSession: 5,
    addRate: 0.1,
    checkoutRate: 0.48,
    orderRate: 0.64,
    openRate: 0.38,
    clickRate: 0.3,
    couponRate: 0.6,
    searchRate: 0.35,
  },
  loyal: {
    share: 0.2,
    visitsPerWeek: 3.5,
    activityHalfLifeDays: Number.POSITIVE_INFINITY,
    viewsPerSession: 3.5,
    addRate: 0.14,
    checkoutRate: 0.64,
    orderRate: 0.74,
    openRate: 0.45,
    clickRate: 0.3,
    couponRate: 0.1,
    searchRate: 0.15,
  },
  browser: {
    share: 0.35,
    visitsPerWeek: 3,
    activityHalfLifeDays: Number.POSITIVE_INFINITY,
    viewsPerSession: 5,
    addRate: 0.08,
    checkoutRate: 0.42,
    orderRate: 0.63,
    openRate: 0.22,
    clickRate: 0.15,
    couponRate: 0.15,
    searchRate: 0.25,
  },
  lapsing: {
    share: 0.2,
    visitsPerWeek: 1.5,
    activityHalfLifeDays: 10,
    viewsPerSession: 3,
    addRate: 0.1,
    checkoutRate: 0.5,
    orderRate: 0.66,
    openRate: 0.15,
    clickRate: 0.1,
    couponRate: 0.2,
    searchRate: 0.1,
  },
  new: {
    share: 0,
    visitsPerWeek: 2.5,
    activityHalfLifeDays: Number.POSITIVE_INFINITY,
    viewsPerSession: 4,
    addRate: 0.11,
    checkoutRate: 0.52,
    orderRate: 0.68,
    openRate: 0.5,
    clickRate: 0.3,
    couponRate: 0.4,
    searchRate: 0.2,
  },
};
