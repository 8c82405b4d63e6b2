import type { IdentityStore } from "../../ports.js";

/** Forwards followed at most. */
const MAX_HOPS = 4;

/**
 * The customer an id was merged into, following its forwards (a chain comes from a merged customer merged again);
 * `undefined` when the id was never merged (it is its own customer, unknown, or erased).
 */
export async function mergedInto(
  identities: Pick<IdentityStore, "resolveIds">,
  id: string,
): Promise<string | undefined> {
  let current = id;
  for (let hop = 0; hop < MAX_HOPS; hop++) {
    const { forwards } = await identities.resolveIds([current]);
    const forward = forwards.get(current);
    if (forward === undefined) break;
    current = forward.to;
  }
  return current === id ? undefined : current;
}
