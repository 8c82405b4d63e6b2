import type {
  AuditLog,
  Clock,
  CustomerItems,
  ErasableProfiles,
  LedgerItem,
  PendingTimer,
  ProfileStore,
  QuarantinedItems,
} from "#shared/ports.js";

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
