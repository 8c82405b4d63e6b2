import type fc from "fast-check";
import type { IdentityLink, Profile } from "#shared/domain/profile/index.js";
import type {
  ErasedProfile,
  ProfilesAndTombstones,
  PutOutcome,
  ResolvedIds,
  StoredProfile,
  Tombstone,
  TombstoneKind,
} from "#shared/ports.js";
import { InMemoryProfileStore } from "./in-memory-stores.js";

/**
 * The in-memory profile store with every call a step that the fast-check scheduler may run in any order against the
 * other calls in flight (batches, redeliveries, erasures, merges).
 */
export class ScheduledProfileStore extends InMemoryProfileStore {
  readonly #s: fc.Scheduler;

  constructor(s: fc.Scheduler) {
    super();
    this.#s = s;
  }

  #step(label: string): Promise<string> {
    return this.#s.schedule(Promise.resolve(label));
  }

  override async get(customerId: string): Promise<StoredProfile | undefined> {
    await this.#step(`get ${customerId}`);
    return super.get(customerId);
  }

  override async loadWithTombstones(customerIds: readonly string[]): Promise<ProfilesAndTombstones> {
    await this.#step(`load ${customerIds.join(",")}`);
    return super.loadWithTombstones(customerIds);
  }

  override async resolveIds(ids: readonly string[]): Promise<ResolvedIds> {
    await this.#step(`resolve ${ids.join(",")}`);
    return super.resolveIds(ids);
  }

  override async put(profile: Profile, previous: StoredProfile | undefined): Promise<PutOutcome> {
    await this.#step(`put ${profile.customerId}`);
    return super.put(profile, previous);
  }

  override async retire(
    id: string,
    previous: StoredProfile | undefined,
    to: string,
    at: number,
    link: IdentityLink,
  ): Promise<boolean> {
    await this.#step(`retire ${id} → ${to}`);
    return super.retire(id, previous, to, at, link);
  }

  override async settleForward(id: string, to: string): Promise<void> {
    await this.#step(`settle ${id}`);
    return super.settleForward(id, to);
  }

  override async erase(customerId: string, erasedAt: number, kind: TombstoneKind): Promise<ErasedProfile> {
    await this.#step(`erase ${customerId}`);
    return super.erase(customerId, erasedAt, kind);
  }

  override async tombstone(customerId: string): Promise<Tombstone | undefined> {
    await this.#step(`tombstone ${customerId}`);
    return super.tombstone(customerId);
  }
}
