import { ESTABLISHED_PERSONAS, PERSONA_BEHAVIOUR, type Persona } from "./personas.js";
import type { SimOptions } from "./records.js";
import { NEWSLETTER_DAY_OF_WEEK } from "./shop-day.js";
import { NEW_CUSTOMERS_PER_DAY_RATE, validateSimOptions } from "./simulate.js";

/**
 * Shopping events (pages, funnel, searches, identify, consent) per customer per fully active day, measured
 * on 3,000 customers × 28 days and 400 × 365 days. Re-measure when persona behaviour changes; a test keeps
 * the estimate honest.
 */
const SESSION_EVENTS_PER_ACTIVE_DAY: Readonly<Record<Persona, number>> = {
  bargain_hunter: 3.3,
  loyal: 3.65,
  browser: 4.03,
  lapsing: 1.2,
  new: 2.95,
};
/** The sign-up session's extra events (identify, consent, a first look around). */
const SIGN_UP_EVENTS = 8;
/** E-mail events per customer per newsletter (not everyone consents; some open, fewer click). */
const EMAIL_EVENTS_PER_SEND = 0.88;
/** Identify and consent per existing customer, on day 0. */
const IMPORT_EVENTS = 2;

function activeDays(persona: Persona, days: number): number {
  let sum = 0;
  for (let day = 0; day < days; day++) sum += 0.5 ** (day / PERSONA_BEHAVIOUR[persona].activityHalfLifeDays);
  return sum;
}

/** A rough count of the events `simulate(opts)` yields, for progress bars (typically within ±10 %). */
export function estimateEvents(opts: SimOptions): number {
  const { customers, days } = validateSimOptions(opts);
  if (days === 0) return 0;
  let events = IMPORT_EVENTS * customers;
  for (const persona of ESTABLISHED_PERSONAS) {
    const rate = SESSION_EVENTS_PER_ACTIVE_DAY[persona];
    events += customers * PERSONA_BEHAVIOUR[persona].share * rate * activeDays(persona, days);
  }
  // New customers arrive evenly; one arriving on day d is active for the days - d that remain.
  const newPerDay = customers * NEW_CUSTOMERS_PER_DAY_RATE;
  events += newPerDay * days * SIGN_UP_EVENTS;
  events += newPerDay * ((days * (days - 1)) / 2) * SESSION_EVENTS_PER_ACTIVE_DAY.new;
  const sends = days > NEWSLETTER_DAY_OF_WEEK ? Math.floor((days - 1 - NEWSLETTER_DAY_OF_WEEK) / 7) + 1 : 0;
  events += sends * (customers + (newPerDay * days) / 2) * EMAIL_EVENTS_PER_SEND;
  return Math.round(events);
}
