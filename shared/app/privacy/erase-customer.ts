import { customerHash } from "#shared/domain/privacy/customer-hash.js";
import type { AuditEntry, TombstoneKind } from "#shared/ports.js";
import { customerEmails, customerPhones } from "./customer-emails.js";
import { type CustomerIds, customerIdsOf } from "./customer-ids.js";
import type { PrivacyDeps } from "./privacy-ports.js";

/** What an erasure removed, where: the answer of `tailor erase` and `DELETE /v1/customers/{id}`. */
export interface ErasureReceipt {
  /** SHA-256 (hex) of the customer id: the audit entries' name for the customer. */
  readonly customerHash: string;
  /** When the customer was first erased (ISO 8601): a second erasure reports the first one's time. */
  readonly erasedAt: string;
  /** Items deleted per store by this erasure (all 0 for a customer erased before). */
  readonly deleted: {
    readonly profiles: number;
    readonly ledger: number;
    readonly timers: number;
    readonly quarantine: number;
    /** Watches of products (viewed, carted) in the watch index, when the stack has one. */
    readonly watches?: number;
  };
  /**
   * The tombstone left at the customer's key: `erased` (data was held and erased) or `blocked` (nothing was held;
   * the id was blocked on request, `block: true`). Late events of the id are dropped either way.
   */
  readonly tombstone: TombstoneKind;
}

/** The answer when Tailor holds nothing for the id and blocking it was not confirmed: nothing was written. */
export interface NothingHeld {
  readonly customerHash: string;
  readonly nothingHeld: true;
}

/** What `eraseCustomer` did. */
export type ErasureOutcome = ErasureReceipt | NothingHeld;

/** Whether an erasure answer says that nothing was held (and nothing was done). */
export const isNothingHeld = (outcome: ErasureOutcome): outcome is NothingHeld => "nothingHeld" in outcome;

/** How to erase. */
export interface ErasureOptions {
  /**
   * Block an id Tailor holds nothing for: a tombstone is written anyway, and the id's future events are dropped
   * until `liftTombstone` (`tailor erase --lift`). Without it such an id is left alone, since it is often a typo.
   * @default false
   */
  readonly block?: boolean;
}

/**
 * Erases everything Tailor holds about the customer `id` belongs to (any of its ids: the customer it was merged
 * into, with every id merged into that customer) and leaves tombstones at all their keys, so late events are dropped rather
 * than used to rebuild the profile. `actor` is who asked (`api:<caller>`, `cli:<user>`), for the audit entry.
 *
 * - The profile is replaced, at its own key and in one write, by the tombstone: every write of the profile that
 *   is in flight (a batch, a rescoring, an outbox clear) is conditional and fails on it, and every reload sees
 *   it, so no interleaving brings the profile back. With it go segment memberships, scores, consent, outboxes.
 *   Experiment assignments are a hash of the customer and the campaign, never stored.
 * - Then every send-ledger item of the customer (claims and the outcome log), every segment and send timer, every
 *   quarantined record holding the customer's id or the profile's email address, whatever its key (the email is
 *   read before the tombstone replaces the profile), every watch of a product in the watch index, and the phone
 *   index entry of the profile's phone number (replies from it are then unattributed).
 * - Cached recommendations are not reached: they live in the memory of each dispatch container with a short
 *   TTL (`shared/aws/sagemaker-recommender.ts`) and expire by themselves; no container is called.
 * - An id Tailor holds nothing for (no profile, no tombstone, no ledger item, timer or quarantined record) is
 *   answered with {@link NothingHeld} and nothing is written, unless `options.block` confirms it.
 *
 * Idempotent: erasing again finds nothing, deletes nothing and reports the first erasure's time. The audit entry
 * (`customer.erased` or `customer.blocked`, with the counts) names the customer by hash only.
 */
export async function eraseCustomer(
  deps: PrivacyDeps,
  id: string,
  actor: string,
  options: ErasureOptions = {},
): Promise<ErasureOutcome> {
  const now = deps.clock.now();
  const customer = await customerIdsOf(deps, id);
  const { customerId, ids } = customer;
  const hash = customerHash(customerId);
  const { held, emails } = await holdings(deps, customer);
  if (!held && options.block !== true) return { customerHash: customerHash(id), nothingHeld: true };
  // The customer's own key first: a merge in flight then fails on its tombstone; then every merged id's forward.
  const erased = await deps.profiles.erase(customerId, now, held ? "erased" : "blocked");
  const others = await Promise.all(ids.slice(1).map((other) => deps.profiles.erase(other, now, "erased")));
  const perId = await Promise.all(
    ids.map((each) =>
      Promise.all([
        deps.ledger.erase(each),
        deps.timers.erase(each),
        deps.quarantine.erase(each, emails),
        deps.watches?.erase(each) ?? 0,
      ]),
    ),
  );
  const { identities, members, phones } = deps;
  if (identities !== undefined) {
    await Promise.all(emails.map((email) => identities.releaseEmail(email, customerId)));
  }
  if (phones !== undefined) {
    const numbers = customerPhones(customer.stored);
    await Promise.all(ids.flatMap((each) => numbers.map((phone) => phones.forget(phone, each))));
  }
  if (members !== undefined) await Promise.all(ids.map((each) => members.erase(each)));
  const sum = (index: 0 | 1 | 2 | 3) => perId.reduce((total, counts) => total + counts[index], 0);
  const deleted = {
    profiles: [erased, ...others].filter((each) => each.replaced).length,
    ledger: sum(0),
    timers: sum(1),
    quarantine: sum(2),
    ...(deps.watches === undefined ? {} : { watches: sum(3) }),
  };
  const { tombstone } = erased;
  const entry: AuditEntry = {
    id: `customer.${tombstone.kind}#${hash}#${now}`,
    at: now,
    action: tombstone.kind === "blocked" ? "customer.blocked" : "customer.erased",
    actor,
    customerHash: hash,
    details: { ...deleted, ids: ids.length, firstErasedAt: tombstone.erasedAt },
  };
  await deps.audit.append([entry]);
  return {
    customerHash: hash,
    erasedAt: new Date(tombstone.erasedAt).toISOString(),
    deleted,
    tombstone: tombstone.kind,
  };
}

/**
 * Whether Tailor holds anything for the customer (a profile, a tombstone, a ledger item, a timer or a quarantined
 * record, under any of its ids), and the profile's email addresses, by which the quarantine finds records too.
 */
async function holdings(
  deps: PrivacyDeps,
  customer: CustomerIds,
): Promise<{ held: boolean; emails: readonly string[] }> {
  const { stored, customerId, ids } = customer;
  const tombstone = await deps.profiles.tombstone(customerId);
  const emails = customerEmails(stored);
  if (stored !== undefined || tombstone !== undefined || ids.length > 1) return { held: true, emails };
  const [ledger, timers, quarantine] = await Promise.all([
    deps.ledger.list(customerId),
    deps.timers.list(customerId),
    deps.quarantine.list(customerId, emails),
  ]);
  return { held: ledger.length > 0 || timers.length > 0 || quarantine.length > 0, emails };
}

/** What lifting a tombstone did. */
export interface LiftReceipt {
  readonly customerHash: string;
  /** The tombstone removed (`erased` or `blocked`), or `none` when the id had none. */
  readonly lifted: TombstoneKind | "none";
}

/**
 * Lifts the tombstone of `customerId` (`tailor erase --lift`): the id's future events are folded again, into a new
 * profile. Nothing erased comes back. Audited as `customer.unblocked`.
 */
export async function liftTombstone(
  deps: PrivacyDeps,
  customerId: string,
  actor: string,
): Promise<LiftReceipt> {
  const now = deps.clock.now();
  const hash = customerHash(customerId);
  const lifted = await deps.profiles.lift(customerId);
  if (lifted === undefined) return { customerHash: hash, lifted: "none" };
  await deps.audit.append([
    {
      id: `customer.unblocked#${hash}#${now}`,
      at: now,
      action: "customer.unblocked",
      actor,
      customerHash: hash,
      details: { kind: lifted.kind, erasedAt: lifted.erasedAt },
    },
  ]);
  return { customerHash: hash, lifted: lifted.kind };
}
