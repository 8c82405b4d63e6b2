import type { AuditEntry } from "../../ports.js";
import { customerEmails } from "./customer-emails.js";
import { customerHash } from "./customer-hash.js";
import type { PrivacyDeps } from "./privacy-ports.js";

/** What an erasure removed, where: the answer of `tailor erase` and `DELETE /v1/customers/{id}`. */
export interface ErasureReceipt {
  /** SHA-256 (hex) of the customer id: the tombstone's and the audit entries' name for the customer. */
  readonly customerHash: string;
  /** When the customer was first erased (ISO 8601): a second erasure reports the first one's time. */
  readonly erasedAt: string;
  /** Items deleted per store by this erasure (all 0 for a customer erased before). */
  readonly deleted: {
    readonly profiles: number;
    readonly ledger: number;
    readonly timers: number;
    readonly quarantine: number;
  };
  readonly tombstone: true;
}

/**
 * Erases everything Tailor holds about `customerId` and leaves a tombstone, so late events are dropped rather
 * than used to rebuild the profile. `actor` is who asked (`api:<caller>`, `cli:<user>`), for the audit entry.
 *
 * - The tombstone is written first: an event ingested from then on is dropped, so nothing is rebuilt behind the
 *   deletions. (A batch that loaded its profiles just before may still write one; erasing again removes it.)
 * - The profile goes, and with it what lives inside it: segment memberships, scores, consent, the outboxes.
 *   Experiment assignments are a hash of the customer and the campaign, never stored.
 * - Every send-ledger item of the customer (claims and the outcome log), every segment and send timer, every
 *   quarantined record holding the customer's id or the profile's email address, whatever its key.
 * - Cached recommendations are not reached: they live in the memory of each dispatch container with a short
 *   TTL (`shared/aws/sagemaker-recommender.ts`) and expire by themselves; no container is called.
 *
 * Idempotent: erasing again finds nothing, deletes nothing and reports the first erasure's time. The audit entry
 * (`customer.erased`, with the counts) names the customer by hash only.
 */
export async function eraseCustomer(
  deps: PrivacyDeps,
  customerId: string,
  actor: string,
): Promise<ErasureReceipt> {
  const now = deps.clock.now();
  const tombstone = await deps.profiles.putTombstone(customerId, now);
  // The quarantine finds records by email too; the profile holding it is deleted below.
  const emails = customerEmails(await deps.profiles.get(customerId));
  const [profiles, ledger, timers, quarantine] = await Promise.all([
    deps.profiles.delete(customerId),
    deps.ledger.erase(customerId),
    deps.timers.erase(customerId),
    deps.quarantine.erase(customerId, emails),
  ]);
  const deleted = { profiles, ledger, timers, quarantine };
  const hash = customerHash(customerId);
  const entry: AuditEntry = {
    id: `customer.erased#${hash}#${now}`,
    at: now,
    action: "customer.erased",
    actor,
    customerHash: hash,
    details: { ...deleted, firstErasedAt: tombstone.erasedAt },
  };
  await deps.audit.append([entry]);
  return {
    customerHash: hash,
    erasedAt: new Date(tombstone.erasedAt).toISOString(),
    deleted,
    tombstone: true,
  };
}
