import type { TailorEvent } from "../../domain/events/index.js";
import { hasAbsorbed, normalEmail, withConflict, withLink } from "../../domain/identity/identity-links.js";
import {
  emptyProfile,
  type IdentityConflict,
  type IdentityLink,
  mergeProfiles,
  type Profile,
} from "../../domain/profile/index.js";
import type { IdentityStore, SizeDelta, StoredProfile } from "../../ports.js";
import type { Absorb } from "./resolve-identities.js";

/** An id retired for a customer: its forward is written, and its profile (if it had one) is in `snapshot`. */
export interface Retired {
  readonly id: string;
  readonly link: IdentityLink;
  readonly snapshot: StoredProfile | undefined;
  /** The email address that linked it, and the id the address's index entry names. */
  readonly emailClaim?: { readonly email: string; readonly owner: string };
}

/** How retiring the batch's ids for a customer went. */
export interface RetireOutcome {
  readonly retired: Retired[];
  /** Links that turned out to be refused when written (the id was merged elsewhere meanwhile). */
  readonly conflicts: IdentityConflict[];
  /** Forward writes made (one per retired id; a retry after a conflict counts again). */
  readonly writes: number;
}

/** Attempts at retiring one id when writers of its profile keep winning. */
const RETIRE_ATTEMPTS = 5;

/**
 * Step one of a merge: each id to absorb gets a forward to `customerId` at its own key, conditional on the version of
 * the profile it replaces, and keeping that profile as its pending snapshot. From that write on, every writer of the
 * id's profile fails and finds the forward, and every event of the id goes to `customerId`. A writer that came first
 * (new events for the id) makes the write fail: the id is reloaded and retired as it is now. A forward to this
 * customer already there (a merge a crash interrupted, or one that raced with this one) is used as it is.
 */
export async function retireIds(
  store: IdentityStore,
  customerId: string,
  absorbs: readonly Absorb[],
  now: number,
): Promise<RetireOutcome> {
  const retired: Retired[] = [];
  const conflicts: IdentityConflict[] = [];
  let writes = 0;
  for (const absorb of absorbs) {
    let source = absorb.source;
    let forward = absorb.forward;
    for (let attempt = 0; forward === undefined && attempt < RETIRE_ATTEMPTS; attempt++) {
      writes++;
      const link = { ...absorb.link, v: source?.profile.version ?? 0 };
      if (await store.retire(absorb.id, source, customerId, now, link)) {
        forward = { to: customerId, at: now, link, ...(source === undefined ? {} : { pending: source }) };
        break;
      }
      const found = await store.resolveIds([absorb.id]);
      if (found.erased.has(absorb.id)) break;
      forward = found.forwards.get(absorb.id);
      source = found.profiles.get(absorb.id);
    }
    if (forward === undefined) continue;
    // A forward the resolver found on the way to this customer is its own, whatever the hops; one read here after a
    // lost write must lead here directly.
    if (absorb.forward === undefined && forward.to !== customerId) {
      conflicts.push({ r: "taken", i: absorb.id, o: forward.to, at: absorb.link.at, m: absorb.link.m });
      continue;
    }
    const snapshot = forward.pending;
    const link = forward.link ?? absorb.link;
    retired.push({
      id: absorb.id,
      link: { ...link, v: snapshot?.profile.version ?? 0 },
      snapshot,
      ...(absorb.emailClaim === undefined ? {} : { emailClaim: absorb.emailClaim }),
    });
  }
  return { retired, conflicts, writes };
}

/** A customer's profile with the retired ids merged in and the refused links recorded. */
export interface Absorbed {
  readonly profile: Profile | undefined;
  /** Whether anything was merged or recorded (then the profile must be written even without new events). */
  readonly changed: boolean;
  /** Ids merged in by this call. */
  readonly merged: number;
  /** Refused links recorded by this call. */
  readonly recorded: number;
  /** The memberships the merged-away profiles held, taken out of the segment sizes once this write lands. */
  readonly sizeDeltas: SizeDelta[];
}

/**
 * Step two of a merge, pure: the snapshots the profile does not hold yet (by id and version) are merged into it
 * with {@link mergeProfiles}, each id joins its identity graph, and the refused links are recorded. A snapshot it
 * holds already (a redelivery, or a racing batch that absorbed it first) is skipped, so nothing counts twice.
 */
export function absorbInto(
  stored: Profile | undefined,
  customerId: string,
  retired: readonly Retired[],
  conflicts: readonly IdentityConflict[],
  now: number,
): Absorbed {
  let profile = stored;
  let merged = 0;
  let recorded = 0;
  const sizeDeltas: SizeDelta[] = [];
  for (const { id, link, snapshot } of retired) {
    if (hasAbsorbed(profile, id, link.v)) continue;
    const base = profile ?? emptyProfile(customerId, now);
    profile = withLink(snapshot === undefined ? base : mergeProfiles(base, snapshot.profile, now), link);
    merged++;
    for (const segmentId of Object.keys(snapshot?.profile.sg ?? {})) {
      sizeDeltas.push({ segmentId, customerId: id, delta: -1 });
    }
  }
  for (const conflict of conflicts) {
    const base = profile ?? emptyProfile(customerId, now);
    const next = withConflict(base, conflict);
    if (next !== base) {
      profile = next;
      recorded++;
    }
  }
  return { profile, changed: merged + recorded > 0, merged, recorded, sizeDeltas };
}

/** Step three: the forwards drop their snapshots once the customer's written profile holds them. */
export async function settleRetired(
  store: IdentityStore,
  customerId: string,
  retired: readonly Retired[],
): Promise<number> {
  const pending = retired.filter((r) => r.snapshot !== undefined);
  await Promise.all(pending.map((r) => store.settleForward(r.id, customerId)));
  return pending.length;
}

/**
 * Makes the customer the holder of its email address in the index when the batch brought that address (an event's
 * traits, or a profile merged in) and the customer does not hold it yet (`ec`): taking it over from an id it
 * absorbed through that address, or claiming a free one. Resolves the profile with `ec` set when the customer holds
 * the address (another holder keeps it: the identity rules record that conflict instead), the write made, and the
 * address it held before, to release once the profile is written.
 */
export async function claimCustomerEmail(
  store: IdentityStore,
  profile: Profile,
  brought: { readonly events: readonly TailorEvent[]; readonly retired: readonly Retired[] },
): Promise<{ profile: Profile; writes: number; previous?: string }> {
  const email = normalEmail(profile.t?.email);
  if (email === undefined || profile.ec === email) return { profile, writes: 0 };
  const { events, retired } = brought;
  const inBatch =
    events.some((event) => normalEmail(event.traits?.email) === email) ||
    retired.some((r) => normalEmail(r.snapshot?.profile.t?.email) === email);
  if (!inBatch) return { profile, writes: 0 };
  const replacing = retired.find((r) => r.emailClaim?.email === email)?.emailClaim?.owner;
  const holder = await store.claimEmail(email, { id: profile.customerId, known: profile.u === 1 }, replacing);
  if (holder !== profile.customerId) return { profile, writes: 1 };
  return {
    profile: { ...profile, ec: email },
    writes: 1,
    ...(profile.ec === undefined ? {} : { previous: profile.ec }),
  };
}
