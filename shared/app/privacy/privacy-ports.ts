import type { JsonValue } from "#shared/domain/privacy/json-value.js";
import type {
  AuditLog,
  Clock,
  CustomerItems,
  ErasableProfiles,
  IdentityStore,
  LedgerItem,
  PendingTimer,
  PhoneIndex,
  ProfileStore,
  QuarantinedItems,
  SegmentMemberWriter,
} from "#shared/ports.js";

/** What erasure and export need: every store that holds a customer's data, and the audit log. */
export interface PrivacyDeps {
  readonly profiles: Pick<ProfileStore, "get"> & ErasableProfiles;
  /**
   * The identity map: any id of a customer (an anonymous id merged into it) reaches the whole customer, every id
   * of it is erased (its forward replaced by a tombstone) and exported, and its email's index entry is released.
   * @default - the id is taken as a customer of its own
   */
  readonly identities?: Pick<IdentityStore, "resolveIds" | "releaseEmail">;
  readonly ledger: CustomerItems<LedgerItem>;
  /** Segment and send timers (one table, keyed by due minute). */
  readonly timers: CustomerItems<PendingTimer>;
  readonly quarantine: QuarantinedItems;
  /**
   * The segment membership index: the customer's entries are replaced by markers that keep no id.
   * @default - no index is kept
   */
  readonly members?: Pick<SegmentMemberWriter, "erase">;
  /**
   * The watch index of catalog-triggered campaigns: which products the customer viewed or carted lately.
   * @default - no watch index (nothing to erase there)
   */
  readonly watches?: CustomerItems<{ [key: string]: JsonValue }>;
  /**
   * The phone index of SMS replies: the entry of the profile's phone number is removed when it names the customer.
   * @default - no phone index (SMS off)
   */
  readonly phones?: Pick<PhoneIndex, "forget">;
  readonly audit: AuditLog;
  readonly clock: Clock;
}
