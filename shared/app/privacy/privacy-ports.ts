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

/**
 * The mark an erasure leaves at the customer's own key in the profiles table, in place of the profile: a time and
 * a kind, nothing personal (the key is a hash of the id).
 */
export interface Tombstone {
  /** When the customer was first erased (or blocked). */
  readonly erasedAt: number;
  /**
   * `erased`: Tailor held data for the customer and erased it. `blocked`: Tailor held nothing for the id, and an
   * operator confirmed that its future events be dropped anyway (`tailor erase --block`).
   */
  readonly kind: TombstoneKind;
}

/** Why a tombstone stands at a customer's key. */
export type TombstoneKind = "erased" | "blocked";

/** What replacing a profile by its tombstone found. */
export interface ErasedProfile {
  /** The tombstone now in place: the first one's time and kind when the customer was erased before. */
  readonly tombstone: Tombstone;
  /** Whether a profile was there and was replaced (false for an id without a profile, or erased before). */
  readonly replaced: boolean;
}

/** Profiles as erasure sees them: each replaced, in one write, by its tombstone. */
export interface ErasableProfiles {
  /**
   * Replaces the customer's profile by its tombstone in one write, whatever its version: from then on every
   * conditional write of the profile (an in-flight batch, a rescoring, an outbox clear) fails, and every reload
   * sees the tombstone, so nothing can bring the profile back. Erasing again keeps the first tombstone.
   */
  erase(customerId: string, erasedAt: number, kind: TombstoneKind): Promise<ErasedProfile>;
  /** The customer's tombstone, or `undefined` when the customer is not erased. */
  tombstone(customerId: string): Promise<Tombstone | undefined>;
  /** Removes the customer's tombstone (a profile is never removed here); resolves the one lifted, if any. */
  lift(customerId: string): Promise<Tombstone | undefined>;
}

/** What the ingest loads per batch: profiles and tombstones, in one read. */
export interface ProfilesAndTombstones {
  readonly profiles: Map<string, StoredProfile>;
  /** The customers of the batch that were erased (their key holds a tombstone). */
  readonly erased: ReadonlySet<string>;
}

/** Reads profiles and tombstones of customers together (a tombstone stands at the profile's own key). */
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
