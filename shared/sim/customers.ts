import { CATEGORIES, type Category } from "./catalog.js";
import { FIRST_NAMES, LAST_NAMES } from "./names.js";
import { ESTABLISHED_PERSONAS, PERSONA_BEHAVIOUR, type Persona } from "./personas.js";
import { PLACES, type Place } from "./places.js";
import { Rng, WeightedTable } from "./prng.js";

/** Segment `identify` traits of a simulated customer (snake_case, as apps send them). */
export interface CustomerTraits {
  /** `first.last.N@example.com`; some with upper case or stray spaces, to exercise normalisation. */
  readonly email: string;
  /** Absent for a few customers; one in a while carries HTML (`<b>Zoë</b>`), which templates must escape. */
  readonly first_name?: string;
  readonly last_name: string;
  /** `YYYY-MM-DD`; absent for some customers. */
  readonly birthday?: string;
  readonly country: string;
  readonly city: string;
  /** IANA time zone. */
  readonly timezone: string;
  /** BCP 47 locale; a few customers have one no one knows (`zz-ZZ`). */
  readonly locale: string;
  /** ISO-8601 sign-up time. */
  readonly created_at: string;
  /** A custom trait, set for loyal customers only. */
  readonly loyalty_tier?: "silver" | "gold";
}

/** A simulated customer: who they are and how they tend to behave. */
export interface Customer {
  /** The Segment `userId`, e.g. `c-000042`; also the Kinesis partition key. */
  readonly id: string;
  readonly persona: Persona;
  readonly traits: CustomerTraits;
  readonly place: Place;
  /** Two or three categories that most of their product views come from. */
  readonly favouriteCategories: readonly Category[];
  /** Mean sessions per week at the start of the simulation. */
  readonly visitsPerWeek: number;
  /** Multiplier on the persona's add-to-cart rate (about 1). */
  readonly conversion: number;
  /** Probability of opening a delivered e-mail (before any decay). */
  readonly emailEngagement: number;
  /** Whether they grant marketing e-mail at sign-up (or had granted it when the simulation starts). */
  readonly marketingConsent: boolean;
  /** Epoch ms of sign-up (before the simulation for established customers). */
  readonly signedUpAt: number;
}

/** The quirks a few customers carry on purpose, so that the pipeline meets untidy data. */
export type CustomerQuirk = "none" | "no_first_name" | "html_name" | "unknown_locale";

/** Share of customers granting marketing e-mail. */
export const MARKETING_CONSENT_RATE = 0.7;

const placeTable = new WeightedTable(
  PLACES,
  PLACES.map((p) => p.weight),
);
const personaTable = new WeightedTable(
  ESTABLISHED_PERSONAS,
  ESTABLISHED_PERSONAS.map((p) => PERSONA_BEHAVIOUR[p].share),
);

/** Formats a customer number as a user id. */
export function customerId(index: number): string {
  return `c-${String(index).padStart(6, "0")}`;
}

/** The persona of an established customer, drawn by persona share. */
export function drawPersona(rng: Rng): Persona {
  return personaTable.draw(rng);
}

function quirkOf(index: number, rng: Rng): CustomerQuirk {
  // The first customers carry each quirk for sure, so even small runs meet them; later ones only rarely.
  if (index === 1) return "no_first_name";
  if (index === 2) return "html_name";
  if (index === 3) return "unknown_locale";
  const roll = rng.float();
  if (roll < 0.01) return "no_first_name";
  if (roll < 0.015) return "html_name";
  if (roll < 0.02) return "unknown_locale";
  return "none";
}

/** Lower-case ASCII letters only, for e-mail local parts. */
function asciiLetters(text: string): string {
  return text
    .replace(/ł/g, "l")
    .replace(/Ł/g, "L")
    .normalize("NFD")
    .replace(/[^A-Za-z]/g, "");
}

function emailFor(first: string | undefined, last: string, index: number, rng: Rng): string {
  const parts = first === undefined ? [asciiLetters(last)] : [asciiLetters(first), asciiLetters(last)];
  const roll = rng.float();
  if (roll < 0.15) return `${parts.join(".")}.${index}@Example.com`;
  const email = `${parts.join(".").toLowerCase()}.${index}@example.com`;
  return roll < 0.17 ? ` ${email} ` : email;
}

function birthdayFor(rng: Rng): string | undefined {
  if (rng.chance(0.12)) return undefined;
  const year = rng.intBetween(1950, 2006);
  const month = String(rng.intBetween(1, 12)).padStart(2, "0");
  const day = String(rng.intBetween(1, 28)).padStart(2, "0");
  return `${year}-${month}-${day}`;
}

function favouritesFor(rng: Rng): Category[] {
  const count = rng.chance(0.5) ? 2 : 3;
  const picked: Category[] = [];
  while (picked.length < count) {
    const category = rng.pick(CATEGORIES);
    if (!picked.includes(category)) picked.push(category);
  }
  return picked;
}

/**
 * Builds customer number `index` (1-based) with the given persona. `signUpTime` gives the sign-up time once
 * the customer's home is known (new customers sign up in their waking hours).
 */
export function buildCustomer(
  rng: Rng,
  index: number,
  persona: Persona,
  signUpTime: (place: Place) => number,
): Customer {
  const behaviour = PERSONA_BEHAVIOUR[persona];
  const quirk = quirkOf(index, rng);
  const place = placeTable.draw(rng);
  const signedUpAt = signUpTime(place);
  const givenName = rng.pick(FIRST_NAMES);
  const lastName = rng.pick(LAST_NAMES);
  const firstName = quirk === "no_first_name" ? undefined : quirk === "html_name" ? "<b>Zoë</b>" : givenName;
  const emailName = quirk === "html_name" ? "Zoe" : firstName;
  const birthday = birthdayFor(rng);
  const traits: CustomerTraits = {
    email: emailFor(emailName, lastName, index, rng),
    ...(firstName === undefined ? {} : { first_name: firstName }),
    last_name: lastName,
    ...(birthday === undefined ? {} : { birthday }),
    country: place.country,
    city: place.city,
    timezone: place.timezone,
    locale: quirk === "unknown_locale" ? "zz-ZZ" : place.locale,
    created_at: new Date(signedUpAt).toISOString(),
    ...(persona === "loyal" ? { loyalty_tier: rng.chance(0.3) ? "gold" : "silver" } : {}),
  };
  return {
    id: customerId(index),
    persona,
    traits,
    place,
    favouriteCategories: favouritesFor(rng),
    visitsPerWeek: behaviour.visitsPerWeek * rng.logNormal(1, 0.4),
    conversion: Math.min(1.6, Math.max(0.6, rng.logNormal(1, 0.2))),
    emailEngagement: Math.min(0.95, Math.max(0.01, behaviour.openRate * rng.logNormal(1, 0.4))),
    marketingConsent: rng.chance(MARKETING_CONSENT_RATE),
    signedUpAt,
  };
}

/**
 * The customers present when a simulation with this seed starts (numbers 1…count), signed up in the three
 * years before `start`. `simulate` builds exactly these; tests use this to know each customer's persona.
 */
export function buildCustomers(seed: number, count: number, start: number): Customer[] {
  const rng = Rng.derive(seed, "customers");
  const customers: Customer[] = [];
  for (let index = 1; index <= count; index++) {
    const persona = drawPersona(rng);
    customers.push(
      buildCustomer(rng, index, persona, () => start - Math.floor(rng.between(1, 3 * 365) * 86_400_000)),
    );
  }
  return customers;
}
