import type { IdentityLink, Profile } from "#shared/domain/profile/index.js";
import type {
  ClearOutboxOutcome,
  EmailHolder,
  ErasableProfiles,
  ErasedProfile,
  Forward,
  IdentityStore,
  OutboxRemainder,
  OutboxStore,
  ProfileScan,
  ProfileStore,
  ProfilesAndTombstones,
  PutOutcome,
  Quarantine,
  QuarantinedRecord,
  ResolvedIds,
  ScanSlice,
  StoredProfile,
  Tombstone,
  TombstoneKind,
  TombstoneReader,
} from "#shared/ports.js";

/**
 * A profile store in memory with the same contract as the DynamoDB one: optimistic versions, an erased
 * customer's tombstone standing at its key in place of the profile (every write then fails on it), and a merged
 * id's forward likewise (with its own version, as the table's item has).
 */
export class InMemoryProfileStore
  implements ProfileStore, OutboxStore, ProfileScan, TombstoneReader, ErasableProfiles, IdentityStore
{
  /** Forwards by merged id, with the version of the item. */
  readonly forwards = new Map<string, { forward: Forward; version: number }>();
  /** The email index: lower-cased email → holder. */
  readonly emails = new Map<string, EmailHolder>();
  /** Called before each forward write: lets a test slip a concurrent writer in. */
  beforeRetire: ((id: string) => void) | undefined;

  readonly items = new Map<string, StoredProfile>();
  /** Tombstones by customer id: a key holds a profile or a tombstone, never both. */
  readonly tombstones = new Map<string, Tombstone>();
  puts = 0;
  /** Called before each put: lets a test slip a concurrent writer in, or make the store fail. */
  beforePut: ((profile: Profile) => void) | undefined;

  async get(customerId: string): Promise<StoredProfile | undefined> {
    return structuredClone(this.items.get(customerId));
  }

  async getMany(customerIds: readonly string[]): Promise<Map<string, StoredProfile>> {
    return (await this.loadWithTombstones(customerIds)).profiles;
  }

  /** Batch loads made (`getMany`, `loadWithTombstones`). */
  reads = 0;

  async loadWithTombstones(customerIds: readonly string[]): Promise<ProfilesAndTombstones> {
    this.reads++;
    const profiles = new Map<string, StoredProfile>();
    const erased = new Set<string>();
    for (const id of customerIds) {
      const stored = this.items.get(id);
      if (stored !== undefined) profiles.set(id, structuredClone(stored));
      if (this.tombstones.has(id)) erased.add(id);
    }
    return { profiles, erased };
  }

  async resolveIds(ids: readonly string[]): Promise<ResolvedIds> {
    const { profiles, erased } = await this.loadWithTombstones(ids);
    const forwards = new Map<string, Forward>();
    for (const id of ids) {
      const found = this.forwards.get(id);
      if (found !== undefined) forwards.set(id, structuredClone(found.forward));
    }
    return { profiles, erased, forwards };
  }

  retires = 0;

  async retire(
    id: string,
    previous: StoredProfile | undefined,
    to: string,
    at: number,
    link: IdentityLink,
  ): Promise<boolean> {
    this.beforeRetire?.(id);
    this.retires++;
    if (this.tombstones.has(id) || this.forwards.has(id)) return false;
    const current = this.items.get(id);
    if (current?.profile.version !== previous?.profile.version) return false;
    this.items.delete(id);
    const pending = previous === undefined ? {} : { pending: structuredClone(previous) };
    this.forwards.set(id, {
      forward: { to, at, link, ...pending },
      version: (previous?.profile.version ?? 0) + 1,
    });
    return true;
  }

  async settleForward(id: string, to: string): Promise<void> {
    const found = this.forwards.get(id);
    if (found === undefined || found.forward.to !== to) return;
    const { pending: _pending, ...rest } = found.forward;
    this.forwards.set(id, { ...found, forward: rest });
  }

  async eraseForward(id: string, to: string, at: number): Promise<void> {
    if (this.forwards.get(id)?.forward.to !== to) return;
    this.forwards.delete(id);
    this.tombstones.set(id, { erasedAt: at, kind: "erased" });
  }

  async emailOwner(email: string): Promise<EmailHolder | undefined> {
    return this.emails.get(email.trim().toLowerCase());
  }

  async claimEmail(email: string, holder: EmailHolder, replacing?: string): Promise<string> {
    const key = email.trim().toLowerCase();
    const current = this.emails.get(key);
    if (current === undefined || current.id === holder.id || current.id === replacing) {
      this.emails.set(key, holder);
      return holder.id;
    }
    return current.id;
  }

  async releaseEmail(email: string, customerId: string): Promise<void> {
    const key = email.trim().toLowerCase();
    if (this.emails.get(key)?.id === customerId) this.emails.delete(key);
  }

  async erase(customerId: string, erasedAt: number, kind: TombstoneKind): Promise<ErasedProfile> {
    const first = this.tombstones.get(customerId);
    if (first !== undefined) return { tombstone: first, replaced: false };
    this.forwards.delete(customerId);
    const replaced = this.items.delete(customerId);
    this.tombstones.set(customerId, { erasedAt, kind });
    return { tombstone: { erasedAt, kind }, replaced };
  }

  async tombstone(customerId: string): Promise<Tombstone | undefined> {
    return this.tombstones.get(customerId);
  }

  async lift(customerId: string): Promise<Tombstone | undefined> {
    const lifted = this.tombstones.get(customerId);
    this.tombstones.delete(customerId);
    return lifted;
  }

  async put(profile: Profile, previous: StoredProfile | undefined): Promise<PutOutcome> {
    this.beforePut?.(profile);
    this.puts++;
    if (this.tombstones.has(profile.customerId) || this.forwards.has(profile.customerId)) {
      return { ok: false, reason: "conflict" };
    }
    const current = this.items.get(profile.customerId);
    if (current?.profile.version !== previous?.profile.version) return { ok: false, reason: "conflict" };
    const version = (previous?.profile.version ?? 0) + 1;
    const itemBytes = JSON.stringify(profile).length;
    this.items.set(profile.customerId, { profile: structuredClone({ ...profile, version }), itemBytes });
    return { ok: true, version, itemBytes, writeUnits: Math.ceil(itemBytes / 1024) };
  }

  outboxClears = 0;
  /** Called before each outbox clear: lets a test slip a concurrent writer in. */
  beforeClear: ((customerId: string) => void) | undefined;

  async clearOutbox(
    customerId: string,
    version: number,
    remaining: OutboxRemainder,
    itemBytes: number,
  ): Promise<ClearOutboxOutcome> {
    this.beforeClear?.(customerId);
    this.outboxClears++;
    const current = this.items.get(customerId);
    if (current === undefined || current.profile.version !== version)
      return { ok: false, reason: "conflict" };
    const profile: Profile = { ...structuredClone(current.profile), version: version + 1 };
    if (remaining.transitions.length > 0) profile.ob = structuredClone([...remaining.transitions]);
    else delete profile.ob;
    if (remaining.intents.length > 0) profile.oi = structuredClone([...remaining.intents]);
    else delete profile.oi;
    if (remaining.counts.length > 0) profile.ox = structuredClone([...remaining.counts]);
    else delete profile.ox;
    this.items.set(customerId, { profile, itemBytes: current.itemBytes });
    return { ok: true, version: version + 1, writeUnits: Math.max(1, Math.ceil(itemBytes / 1024)) };
  }

  /** Slices by the position of the customer id in sorted order, like a hash would, deterministically. */
  async *scan(slice: ScanSlice): AsyncIterable<StoredProfile> {
    const ids = [...this.items.keys()].sort();
    for (const [index, id] of ids.entries()) {
      if (index % slice.totalSegments !== slice.segment) continue;
      const stored = this.items.get(id);
      if (stored !== undefined) yield structuredClone(stored);
    }
  }
}

/** A quarantine in memory; `failNext` makes the next put throw like an unreachable bucket. */
export class InMemoryQuarantine implements Quarantine {
  readonly records: QuarantinedRecord[] = [];
  failNext = false;

  async put(record: QuarantinedRecord): Promise<void> {
    if (this.failNext) {
      this.failNext = false;
      throw new Error("bucket unreachable");
    }
    this.records.push(record);
  }
}
