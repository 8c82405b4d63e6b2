import type { Profile } from "./domain/profile/index.js";

/** Where profiles live: one compact item per customer, written with an optimistic version check. */
export interface ProfileStore {
  /** Loads the profiles that exist among `customerIds` (absent customers are simply missing from the map). */
  getMany(customerIds: readonly string[]): Promise<Map<string, StoredProfile>>;
  /** Loads one profile, or `undefined` when the customer is unknown. */
  get(customerId: string): Promise<StoredProfile | undefined>;
  /**
   * Writes `profile` as the next version of `previous` if the stored version is still `previous`'s
   * (`undefined`: the item must not exist yet). Resolves `{ ok: false }` on a version conflict; throws a
   * retryable error on throttling or an outage.
   */
  put(profile: Profile, previous: StoredProfile | undefined): Promise<PutOutcome>;
}

/** A profile as loaded, with the size of its stored item (write units depend on the larger of before and after). */
export interface StoredProfile {
  readonly profile: Profile;
  readonly itemBytes: number;
}

export type PutOutcome =
  | { readonly ok: true; readonly version: number; readonly itemBytes: number; readonly writeUnits: number }
  | { readonly ok: false; readonly reason: "conflict" };

/** A record that could not be understood, kept whole with the reason, so nothing is ever silently lost. */
export interface QuarantinedRecord {
  readonly reason: string;
  readonly issues: readonly { readonly path: string; readonly rule: string; readonly message: string }[];
  readonly source: "kinesis";
  readonly shardId: string | undefined;
  readonly sequenceNumber: string;
  readonly partitionKey: string;
  readonly approximateArrivalTimestamp: number;
  readonly raw: Uint8Array;
  readonly receivedAt: number;
}

/** Storage for malformed records (an S3 bucket on AWS and on the local stack). */
export interface Quarantine {
  put(record: QuarantinedRecord): Promise<void>;
}

/** The only source of "now" outside tests; the domain takes time as a parameter. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
