import type { TailorEvent } from "../../domain/events/index.js";
import { claimedLinks, hasAbsorbed, hasLinked, normalEmail } from "../../domain/identity/identity-links.js";
import {
  IDENTITY_IDS_MAX,
  type IdentityConflict,
  type IdentityLink,
  type Profile,
} from "../../domain/profile/index.js";
import type { EmailHolder, Forward, IdentityStore, ResolvedIds, StoredProfile } from "../../ports.js";

/** One customer's share of a batch: its events, in delivery order, and the records they came from. */
export interface CustomerEvents {
  readonly customerId: string;
  readonly events: TailorEvent[];
  readonly sequenceNumbers: string[];
}

/**
 * An id to merge into a customer with this batch's write: its profile as loaded (`undefined` when it has none),
 * or the forward to this customer that already holds its snapshot (a merge a crash interrupted).
 */
export interface Absorb {
  readonly id: string;
  readonly link: IdentityLink;
  readonly source: StoredProfile | undefined;
  readonly forward?: Forward;
  /** The email address that linked the two, and the id its index entry names (the entry moves to the customer). */
  readonly emailClaim?: { readonly email: string; readonly owner: string };
}

/** A customer's share of the batch after identity resolution. */
export interface ResolvedCustomer extends CustomerEvents {
  /** The ids this batch merges into the customer. */
  readonly absorbs: Absorb[];
  /** The links the identity rules refused, to record on the customer. */
  readonly conflicts: IdentityConflict[];
}

/** The batch regrouped by canonical customer, with what one read of the table found for them. */
export interface ResolvedBatch {
  readonly customers: ResolvedCustomer[];
  readonly loaded: ResolvedIds;
  /** Table reads beyond the one that loads the batch's profiles: forwards followed and linked ids looked up. */
  readonly extraReads: number;
  /** Merged ids whose customer was erased: their forwards (and any snapshot in them) are to be erased too. */
  readonly orphans: { readonly id: string; readonly to: string }[];
  /** Forwards still keeping a snapshot their customer already holds (a crash before the clear): to clear. */
  readonly settled: { readonly id: string; readonly to: string }[];
}

/**
 * What a forward records of how its id joined, with the version of the snapshot it carries; for a forward that
 * records none, `fallback` (the linking event in hand), else an identify at the forward's time.
 */
export function forwardLink(id: string, forward: Forward, fallback?: IdentityLink): IdentityLink {
  const link = forward.link ?? fallback ?? { i: id, h: "identify", at: forward.at, m: "", v: 0 };
  return { ...link, v: forward.pending?.profile.version ?? 0 };
}

/** Forwards followed at most (a merged id points at the customer it joined; chains come from merged merges). */
const MAX_HOPS = 4;

/**
 * Identity resolution for one batch. The one read that loads the batch's profiles also finds the forwards of
 * merged ids; only then are forwards followed (one more read per hop) and the ids an event links for the first time
 * looked up (one more read), so a batch without new links costs what it did before. Decides each link by the rules
 * (see the README's identity rules): an anonymous id joins the known customer who sent it with a `userId`; a
 * known customer is never merged into another (`known`); an id already merged into someone else stays there
 * (`taken`); a customer holds at most {@link IDENTITY_IDS_MAX} ids (`limit`). The events are regrouped by the
 * customer they end at, with their `customerId` rewritten to it.
 */
export async function resolveIdentities(
  store: IdentityStore,
  groups: readonly CustomerEvents[],
): Promise<ResolvedBatch> {
  const table = new Lookup(store);
  await table.load(groups.map((group) => group.customerId));
  await table.follow();

  const candidates: { target: string; id: string; link: IdentityLink }[] = [];
  for (const group of groups) {
    for (const event of group.events) {
      for (const claimed of claimedLinks(event)) {
        const target = table.canonical(event.customerId);
        if (claimed.id === target || table.canonical(claimed.id) === target) continue;
        if (hasLinked(table.profile(target), claimed.id)) continue;
        const link = { i: claimed.id, h: claimed.how, at: event.timestamp, m: event.messageId, v: 0 };
        candidates.push({ target, id: claimed.id, link });
      }
    }
  }
  await table.load(candidates.map((candidate) => candidate.id));
  await table.follow();
  const emailLinks = await emailCandidates(table, groups);
  // Known customers: an event's userId, the target of an identify or alias forward, a profile that says so (a
  // customer whose first write is still in flight has no profile yet, but is known all the same).
  const known = new Set<string>();
  for (const group of groups) {
    for (const event of group.events)
      if (event.userId !== undefined) known.add(table.canonical(event.userId));
  }
  for (const [id, forward] of table.forwards) {
    if (forward.link?.h === "identify" || forward.link?.h === "alias") known.add(table.canonical(id));
  }
  const isKnown = (id: string) => known.has(id) || table.profile(id)?.u === 1;

  const absorbs = new Map<string, Absorb[]>();
  const conflicts = new Map<string, IdentityConflict[]>();
  const assigned = new Map<string, string>();
  const push = <T>(map: Map<string, T[]>, key: string, value: T) =>
    map.set(key, [...(map.get(key) ?? []), value]);
  /** Whether merging `source` (the id and the ids merged into it) would take `target` past the id limit. */
  const overLimit = (target: string, source: StoredProfile | undefined) =>
    (table.profile(target)?.im?.length ?? 0) +
      (absorbs.get(target)?.length ?? 0) +
      1 +
      (source?.profile.im?.length ?? 0) >
    IDENTITY_IDS_MAX;
  for (const { target, id, link } of candidates) {
    if (table.erased.has(target) || table.erased.has(id)) continue;
    const refuse = (r: IdentityConflict["r"], other?: string) =>
      push(conflicts, target, {
        r,
        i: id,
        ...(other === undefined ? {} : { o: other }),
        at: link.at,
        m: link.m,
      });
    const earlier = assigned.get(id);
    if (earlier !== undefined) {
      if (earlier !== target) refuse("taken", earlier);
      continue;
    }
    const forward = table.forwards.get(id);
    if (forward !== undefined) {
      const owner = table.canonical(id);
      if (owner !== target) {
        refuse("taken", owner);
        continue;
      }
      // A merge into this customer that a crash interrupted, or a link its profile does not show yet.
      const forwarded = forwardLink(id, forward, link);
      if (!hasAbsorbed(table.profile(target), id, forwarded.v)) {
        push(absorbs, target, { id, link: forwarded, source: undefined, forward });
      }
      assigned.set(id, target);
      continue;
    }
    if (isKnown(id)) {
      refuse("known", id);
      continue;
    }
    const source = table.profiles.get(id);
    if (overLimit(target, source)) {
      refuse("limit");
      continue;
    }
    push(absorbs, target, { id, link, source });
    assigned.set(id, target);
  }

  for (const { customer, owner, holder, claimedKnown, email, event } of emailLinks) {
    if (table.erased.has(customer) || table.erased.has(holder)) continue;
    if (assigned.has(customer) || assigned.has(holder)) continue;
    // Only a known customer takes in the holder of its address (a newsletter sign-up, then a login with that
    // address). An anonymous profile giving an address someone holds is not merged by it: an address typed into a
    // form is weaker evidence than a login, and the anonymous id joins its customer when she logs in.
    if (!isKnown(customer)) continue;
    const at = event.timestamp;
    if (claimedKnown || isKnown(holder)) {
      // Two known customers with one address: both keep their profiles; the address stays with its holder.
      push(conflicts, customer, { r: "known", i: holder, o: holder, at, m: event.messageId });
      continue;
    }
    const source = table.profiles.get(holder);
    if (overLimit(customer, source)) {
      push(conflicts, customer, { r: "limit", i: holder, at, m: event.messageId });
      continue;
    }
    const link: IdentityLink = { i: holder, h: "email", at, m: event.messageId, v: 0 };
    push(absorbs, customer, { id: holder, link, source, emailClaim: { email, owner } });
    assigned.set(holder, customer);
  }

  // Every id ends at one customer: its planned merge, else where its forwards lead.
  const finalOf = (id: string): string => {
    const canonical = table.canonical(id);
    return assigned.get(canonical) ?? assigned.get(id) ?? canonical;
  };
  const finals = new Set(groups.map((group) => finalOf(group.customerId)));

  const settled: { id: string; to: string }[] = [];
  // A forward whose snapshot its customer does not hold yet (a merge in progress on another shard, or one a crash
  // interrupted) is finished by whoever meets it first, when its customer is one of this batch's: before the events
  // that followed it are folded, so the snapshot's dedup memory is there to recognise them.
  for (const [id, forward] of table.forwards) {
    if (forward.pending === undefined) continue;
    const target = finalOf(id);
    if (!finals.has(target)) continue;
    const version = forward.pending.profile.version;
    const planned = absorbs.get(target)?.some((absorb) => absorb.id === id) === true;
    if (hasAbsorbed(table.profile(target), id, version)) {
      if (forward.to === target) settled.push({ id, to: forward.to });
    } else if (!planned) {
      push(absorbs, target, { id, link: forwardLink(id, forward), source: undefined, forward });
    }
  }

  const byCustomer = new Map<string, ResolvedCustomer>();
  const entry = (customerId: string): ResolvedCustomer => {
    let found = byCustomer.get(customerId);
    if (found === undefined) {
      found = {
        customerId,
        events: [],
        sequenceNumbers: [],
        absorbs: absorbs.get(customerId) ?? [],
        conflicts: conflicts.get(customerId) ?? [],
      };
      byCustomer.set(customerId, found);
    }
    return found;
  };
  for (const group of groups) {
    const customerId = finalOf(group.customerId);
    const customer = entry(customerId);
    for (const event of group.events) {
      customer.events.push(event.customerId === customerId ? event : { ...event, customerId });
    }
    customer.sequenceNumbers.push(...group.sequenceNumbers);
  }
  // Keep the delivery order across the regrouped ids: the fold keeps it for events with the same time.
  for (const customer of byCustomer.values()) customer.events.sort(byDelivery(groups));
  await table.load([...byCustomer.keys()]);
  const orphans = [...table.forwards]
    .filter(([id]) => table.erased.has(table.canonical(id)))
    .map(([id, forward]) => ({ id, to: forward.to }));
  return {
    customers: [...byCustomer.values()],
    loaded: table.result(),
    extraReads: table.reads - 1,
    orphans,
    settled,
  };
}

/** An identify whose email address another customer holds as its identifier. */
interface EmailCandidate {
  readonly customer: string;
  /** The id the index names, and the customer it leads to. */
  readonly owner: string;
  readonly holder: string;
  /** Whether the index entry says the holder is known (its profile may not be written yet). */
  readonly claimedKnown: boolean;
  readonly email: string;
  readonly event: TailorEvent;
}

/**
 * The identify calls of the batch whose email address the customer does not hold yet (`ec`), and which another
 * customer holds: one index read per such address (nothing for a customer whose address is unchanged).
 */
async function emailCandidates(table: Lookup, groups: readonly CustomerEvents[]): Promise<EmailCandidate[]> {
  const asked: { customer: string; email: string; event: TailorEvent }[] = [];
  for (const group of groups) {
    for (const event of group.events) {
      const email = event.kind === "identify" ? normalEmail(event.traits?.email) : undefined;
      if (email === undefined) continue;
      const customer = table.canonical(event.customerId);
      if (table.profile(customer)?.ec === email) continue;
      asked.push({ customer, email, event });
    }
  }
  if (asked.length === 0) return [];
  const owners = await table.emailOwners(asked.map((a) => a.email));
  await table.load([...owners.values()].map((owner) => owner.id));
  await table.follow();
  return asked.flatMap(({ customer, email, event }) => {
    const found = owners.get(email);
    if (found === undefined) return [];
    const holder = table.canonical(found.id);
    const claimedKnown = found.known && holder === found.id;
    return holder === customer ? [] : [{ customer, owner: found.id, holder, claimedKnown, email, event }];
  });
}

/** Orders events by their position in the batch as delivered (the groups are in delivery order per id). */
function byDelivery(groups: readonly CustomerEvents[]): (a: TailorEvent, b: TailorEvent) => number {
  const position = new Map<string, number>();
  let index = 0;
  for (const group of groups) for (const event of group.events) position.set(event.messageId, index++);
  return (a, b) => (position.get(a.messageId) ?? 0) - (position.get(b.messageId) ?? 0);
}

/** What the batch has read of the table so far: profiles, tombstones, forwards, and ids known to be absent. */
class Lookup {
  readonly profiles = new Map<string, StoredProfile>();
  readonly erased = new Set<string>();
  readonly forwards = new Map<string, Forward>();
  readonly #looked = new Set<string>();
  reads = 0;

  constructor(readonly store: IdentityStore) {}

  async load(ids: readonly string[]): Promise<void> {
    const missing = [...new Set(ids)].filter((id) => !this.#looked.has(id));
    if (missing.length === 0) return;
    for (const id of missing) this.#looked.add(id);
    this.reads++;
    const found = await this.store.resolveIds(missing);
    for (const [id, stored] of found.profiles) this.profiles.set(id, stored);
    for (const id of found.erased) this.erased.add(id);
    for (const [id, forward] of found.forwards) this.forwards.set(id, forward);
  }

  /** The holders of email addresses in the index (one read per address, counted as one round). */
  async emailOwners(emails: readonly string[]): Promise<Map<string, EmailHolder>> {
    const unique = [...new Set(emails)];
    this.reads++;
    const owners = await Promise.all(
      unique.map(async (email) => [email, await this.store.emailOwner(email)] as const),
    );
    const found = new Map<string, EmailHolder>();
    for (const [email, owner] of owners) if (owner !== undefined) found.set(email, owner);
    return found;
  }

  /** Reads the targets of the forwards found, hop after hop. */
  async follow(): Promise<void> {
    for (let hop = 0; hop < MAX_HOPS; hop++) {
      const targets = [...this.forwards.values()]
        .map((forward) => forward.to)
        .filter((to) => !this.#looked.has(to));
      if (targets.length === 0) return;
      await this.load(targets);
    }
  }

  /** Where an id's forwards lead (the id itself when it has none). */
  canonical(id: string): string {
    let current = id;
    for (let hop = 0; hop < MAX_HOPS; hop++) {
      const forward = this.forwards.get(current);
      if (forward === undefined) return current;
      current = forward.to;
    }
    return current;
  }

  profile(id: string): Profile | undefined {
    return this.profiles.get(id)?.profile;
  }

  result(): ResolvedIds {
    return { profiles: this.profiles, erased: this.erased, forwards: this.forwards };
  }
}
