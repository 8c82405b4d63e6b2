import type { Rng } from "./prng.js";
import type { Shopper } from "./shopper.js";

/**
 * The browser a session runs on, which decides the ids its events carry:
 * - `main`: the customer's usual, logged-in channel; events carry the `userId` alone (as before identity
 *   resolution was simulated).
 * - `signup`: a new customer's first session; anonymous until they sign up.
 * - `linked`: a browser the customer logged in on before; analytics.js sends both ids from the start.
 * - `new`: a browser the shop has not seen; anonymous (page and product views, maybe a cart add) until login.
 * - `shared`: a browser another customer logged in on (a household laptop); anonymous under that browser's
 *   `anonymousId` until this customer logs in. Identity resolution must refuse to merge the two customers.
 */
export type Device =
  | { readonly kind: "main" }
  | { readonly kind: "signup" | "linked" | "new"; readonly anonymousId: string }
  | { readonly kind: "shared"; readonly anonymousId: string; readonly owner: string };

/** P(a known customer's session is on a browser the shop has not seen). */
export const NEW_DEVICE_RATE = 0.03;
/** P(a new-device session is on a browser another customer is linked to) (a shared device). */
export const SHARED_DEVICE_SHARE = 0.1;
/** P(a known customer's session is on a browser they logged in on before), when they have one. */
export const LINKED_DEVICE_RATE = 0.2;
/** How many recently linked browsers the shop remembers for shared-device sessions (memory stays bounded). */
const RECENT_DEVICES_MAX = 1_000;

/** A random v4-UUID-shaped id, as analytics.js draws an `anonymousId`. */
export function uuidShaped(rng: Rng): string {
  return `${rng.hex(8)}-${rng.hex(4)}-4${rng.hex(3)}-${rng.pick(["8", "9", "a", "b"])}${rng.hex(3)}-${rng.hex(12)}`;
}

/** The browsers customers logged in on lately, shop-wide: where a shared-device session finds its browser. */
export class DeviceRegistry {
  readonly #recent: { readonly anonymousId: string; readonly customerId: string }[] = [];
  #next = 0;

  /** Records that `customerId` logged in (or signed up) on the browser `anonymousId`. */
  link(anonymousId: string, customerId: string): void {
    const entry = { anonymousId, customerId };
    if (this.#recent.length < RECENT_DEVICES_MAX) this.#recent.push(entry);
    else this.#recent[this.#next] = entry;
    this.#next = (this.#next + 1) % RECENT_DEVICES_MAX;
  }

  /** A recently linked browser of another customer than `customerId`, if the draw finds one. */
  otherThan(
    rng: Rng,
    customerId: string,
  ): { readonly anonymousId: string; readonly customerId: string } | undefined {
    if (this.#recent.length === 0) return undefined;
    const entry = rng.pick(this.#recent);
    return entry.customerId === customerId ? undefined : entry;
  }
}

/** The browser of a known customer's session (see {@link Device}); a new browser is remembered at login. */
export function chooseDevice(rng: Rng, shopper: Shopper, registry: DeviceRegistry): Device {
  const roll = rng.float();
  if (roll < NEW_DEVICE_RATE) {
    const shared = rng.chance(SHARED_DEVICE_SHARE) ? registry.otherThan(rng, shopper.customer.id) : undefined;
    if (shared !== undefined)
      return { kind: "shared", anonymousId: shared.anonymousId, owner: shared.customerId };
    return { kind: "new", anonymousId: uuidShaped(rng) };
  }
  const { devices } = shopper.state;
  if (roll < NEW_DEVICE_RATE + LINKED_DEVICE_RATE && devices.length > 0) {
    return { kind: "linked", anonymousId: rng.pick(devices) };
  }
  return { kind: "main" };
}
