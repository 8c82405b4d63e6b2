import type { Profile } from "../../shared/domain/profile/index.js";
import type {
  ClearOutboxOutcome,
  OutboxRemainder,
  OutboxStore,
  ProfileScan,
  ProfileStore,
  PutOutcome,
  Quarantine,
  QuarantinedRecord,
  ScanSlice,
  StoredProfile,
} from "../../shared/ports.js";

/** A profile store in memory with the same optimistic-version contract as the DynamoDB one. */
export class InMemoryProfileStore implements ProfileStore, OutboxStore, ProfileScan {
  readonly items = new Map<string, StoredProfile>();
  puts = 0;
  /** Called before each put: lets a test slip a concurrent writer in, or make the store fail. */
  beforePut: ((profile: Profile) => void) | undefined;

  async get(customerId: string): Promise<StoredProfile | undefined> {
    return structuredClone(this.items.get(customerId));
  }

  async getMany(customerIds: readonly string[]): Promise<Map<string, StoredProfile>> {
    const found = new Map<string, StoredProfile>();
    for (const id of customerIds) {
      const stored = this.items.get(id);
      if (stored !== undefined) found.set(id, structuredClone(stored));
    }
    return found;
  }

  async put(profile: Profile, previous: StoredProfile | undefined): Promise<PutOutcome> {
    this.beforePut?.(profile);
    this.puts++;
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
