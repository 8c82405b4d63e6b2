import type { Customer } from "./customers.js";
import type { DeviceRegistry } from "./devices.js";
import { PERSONA_BEHAVIOUR } from "./personas.js";
import type { Rng } from "./prng.js";
import type { ProductPicker } from "./product-picker.js";
import type { Actor } from "./segment-events.js";
import type { Timeline } from "./timeline.js";

/** What changes about a customer as the simulation runs. */
export interface ShopperState {
  /** False for a `new` customer until their sign-up session (days after a newsletter lead left their e-mail). */
  signedUp: boolean;
  /** The visitor id used before sign-up (the browser they sign up on). */
  readonly anonymousId: string | undefined;
  /** The browsers (`anonymousId`s) the customer signed up or logged in on, oldest first. */
  readonly devices: string[];
  /** Marketing e-mail consent as last expressed. */
  consent: boolean;
  unsubscribed: boolean;
  hardBounced: boolean;
  complained: boolean;
  sessions: number;
  checkouts: number;
  /** Epoch ms at which the customer's last session ends; the next one starts later. */
  busyUntil: number;
}

/** A customer together with their evolving state. */
export interface Shopper {
  readonly customer: Customer;
  readonly state: ShopperState;
}

/** Everything a customer's activity on one simulated day needs. */
export interface Visit {
  readonly seed: number;
  readonly day: number;
  readonly picker: ProductPicker;
  /** The browsers customers logged in on lately, shop-wide (for shared-device sessions). */
  readonly devices: DeviceRegistry;
  readonly shopper: Shopper;
  readonly rng: Rng;
  readonly timeline: Timeline;
}

/** A shopper's state before any session: nothing sent, bounced, bought or seen on a browser yet. */
export function shopperState(
  start: Pick<ShopperState, "signedUp" | "anonymousId" | "consent" | "busyUntil">,
): ShopperState {
  return {
    ...start,
    devices: [],
    unsubscribed: false,
    hardBounced: false,
    complained: false,
    sessions: 0,
    checkouts: 0,
  };
}

/** The identified actor for a customer, as a server-side source sends it (the `userId` alone). */
export function userActor(customer: Customer, context: Actor["context"]): Actor {
  return { partitionKey: customer.id, ids: { userId: customer.id }, context };
}

/** A browser before identify: the `anonymousId` alone, also the partition key. */
export function anonymousActor(anonymousId: string, context: Actor["context"]): Actor {
  return { partitionKey: anonymousId, ids: { anonymousId }, context };
}

/** A browser after identify: both ids, as analytics.js sends them; keyed by the `userId`. */
export function browserActor(customer: Customer, anonymousId: string, context: Actor["context"]): Actor {
  return { partitionKey: customer.id, ids: { userId: customer.id, anonymousId }, context };
}

/**
 * How active the customer still is on `day` (1 at the start; lapsing customers halve every
 * `activityHalfLifeDays`). Scales visits and e-mail opens.
 */
export function activityOn(customer: Customer, day: number): number {
  return 0.5 ** (day / PERSONA_BEHAVIOUR[customer.persona].activityHalfLifeDays);
}

/** Whether the weekly newsletter may go to this customer. */
export function canReceiveNewsletter(state: ShopperState): boolean {
  return state.signedUp && state.consent && !state.unsubscribed && !state.hardBounced && !state.complained;
}
