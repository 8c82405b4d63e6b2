import type { AuditLog, Clock, ProfileStore, StoredProfile } from "../../ports.js";

/** A JSON value, as the export document holds it. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** One send-ledger item of a customer: a claim (`key#…`) or a logged outcome (`log#…`), as stored. */
export interface LedgerItem {
  readonly kind: "claim" | "log";
  /** The stored attributes, the partition key included. */
  readonly item: { readonly [key: string]: JsonValue };
}

/** One pending timer of a customer in the due-time table. */
export interface PendingTimer {
  /** `segment`: a re-evaluation of the customer's segments; `send`: a delayed email. */
  readonly kind: "segment" | "send";
  /** When it is due (epoch ms). */
  readonly dueAt: number;
  /** The send intent (JSON) of a send timer. */
  readonly payload?: string;
}

/** What is kept about a quarantined record of the customer (its raw bytes are not exported, only deleted). */
export interface QuarantinedMetadata {
  /** Where it is stored (the object key). */
  readonly key: string;
  readonly reason: string;
  readonly partitionKey: string;
  readonly sequenceNumber: string;
  readonly shardId: string | null;
  readonly approximateArrivalTimestamp: number;
  readonly receivedAt: number;
}

/** A store holding items of a customer that erasure removes and export reads. */
export interface CustomerItems<T> {
  /** Every item of the customer held here. */
  list(customerId: string): Promise<T[]>;
  /** Deletes every item of the customer; resolves how many were deleted (0 when none: erasing is idempotent). */
  erase(customerId: string): Promise<number>;
}

/**
 * The quarantine as erasure and export see it. A quarantined record may name the customer under another
 * record's key, inside a batch of several customers' events, or only by email address, so records are looked up
 * by the customer id and by the customer's email addresses (the profile's, read before it is deleted).
 */
export interface QuarantinedItems {
  /** Every quarantined record holding `customerId` or one of `emails` (compared lower-cased). */
  list(customerId: string, emails: readonly string[]): Promise<QuarantinedMetadata[]>;
  /** Deletes those records; resolves how many were deleted (0 when none: erasing is idempotent). */
  erase(customerId: string, emails: readonly string[]): Promise<number>;
}

/** The mark an erasure leaves in the profiles table: a hash and a time, nothing personal. */
export interface Tombstone {
  /** SHA-256 (hex) of the erased customer id. */
  readonly customerHash: string;
  readonly erasedAt: number;
}

/** Profiles as erasure sees them: deleted one by one, tombstones written beside them. */
export interface ErasableProfiles {
  /** Deletes the profile; resolves 1 when there was one, 0 otherwise. */
  delete(customerId: string): Promise<number>;
  /** Writes the tombstone of `customerId` (`tomb#<hash>`; rewriting it keeps the first `erasedAt`). */
  putTombstone(customerId: string, erasedAt: number): Promise<Tombstone>;
}

/** What the ingest loads per batch when erasure is on: profiles and tombstones, in one read. */
export interface ProfilesAndTombstones {
  readonly profiles: Map<string, StoredProfile>;
  /** The customers of the batch that were erased (their tombstone exists). */
  readonly erased: ReadonlySet<string>;
}

/** Reads profiles and tombstones of a batch's customers together (one BatchGetItem with both keys). */
export interface TombstoneReader {
  loadWithTombstones(customerIds: readonly string[]): Promise<ProfilesAndTombstones>;
}

/** What erasure and export need: every store that holds a customer's data, and the audit log. */
export interface PrivacyDeps {
  readonly profiles: Pick<ProfileStore, "get"> & ErasableProfiles;
  readonly ledger: CustomerItems<LedgerItem>;
  /** Segment and send timers (one table, keyed by due minute). */
  readonly timers: CustomerItems<PendingTimer>;
  readonly quarantine: QuarantinedItems;
  readonly audit: AuditLog;
  readonly clock: Clock;
}
