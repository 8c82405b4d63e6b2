import type { Customer } from "./customers.js";
import { PERSONA_BEHAVIOUR } from "./personas.js";
import type { Rng } from "./prng.js";
import type { ProductPicker } from "./product-picker.js";
import type { Actor } from "./segment-events.js";
import type { Timeline } from "./timeline.js";

/** What changes about a customer as the simulation runs. */
export interface ShopperState {
  /** False for a `new` customer until their first session's sign-up. */
  signedUp: boolean;
  /** The visitor id used before sign-up. */
  readonly anonymousId: string | undefined;
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
  readonly shopper: Shopper;
  readonly rng: Rng;
  readonly timeline: Timeline;
}

/** The identified actor for a customer. */
export function userActor(customer: Customer, context: Actor["context"]): Actor {
  return { partitionKey: customer.id, ids: { userId: customer.id }, context };
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
