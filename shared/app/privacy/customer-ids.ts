import type { IdentityStore, StoredProfile } from "#shared/ports.js";
import { mergedInto } from "../identity/merged-into.js";
import type { PrivacyDeps } from "./privacy-ports.js";

/** A customer as erasure and export see it: the canonical id, its profile, and every id merged into it. */
export interface CustomerIds {
  /** The customer the id resolves to (the id itself when it was never merged). */
  readonly customerId: string;
  readonly stored: StoredProfile | undefined;
  /** The canonical id first, then every id of its identity graph (and the id asked for, if it is none of them). */
  readonly ids: readonly string[];
}

/**
 * Resolves any id of a customer (an anonymous id merged into it, an alias) to the customer, with all its ids: a
 * request to erase or export "this visitor" covers the whole customer it became.
 */
export async function customerIdsOf(
  deps: Pick<PrivacyDeps, "profiles"> & { readonly identities?: Pick<IdentityStore, "resolveIds"> },
  id: string,
): Promise<CustomerIds> {
  const customerId = deps.identities === undefined ? id : ((await mergedInto(deps.identities, id)) ?? id);
  const stored = await deps.profiles.get(customerId);
  const ids = [customerId, ...(stored?.profile.im ?? []).map((link) => link.i)];
  if (!ids.includes(id)) ids.push(id);
  return { customerId, stored, ids: [...new Set(ids)] };
}
