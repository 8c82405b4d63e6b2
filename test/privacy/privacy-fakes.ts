import type { PrivacyDeps } from "#shared/app/privacy/privacy-ports.js";
import type {
  AuditAction,
  AuditEntry,
  AuditLog,
  CustomerItems,
  LedgerItem,
  PendingTimer,
  QuarantinedMetadata,
} from "#shared/ports.js";
import { InMemoryProfileStore } from "../fakes/in-memory-stores.js";

/** The audit log in memory: append-only, idempotent per id (the first entry of an id wins). */
export class InMemoryAuditLog implements AuditLog {
  readonly entries: AuditEntry[] = [];
  /** Makes `append` fail (an unreachable table). */
  failing = false;

  async append(entries: readonly AuditEntry[]): Promise<void> {
    if (this.failing) throw new Error("audit table unreachable");
    for (const entry of entries) {
      if (!this.entries.some((e) => e.id === entry.id)) this.entries.push(structuredClone(entry));
    }
  }

  async forCustomer(customerHash: string, limit = 100): Promise<AuditEntry[]> {
    return this.#newestFirst(this.entries.filter((e) => e.customerHash === customerHash)).slice(0, limit);
  }

  async between(
    fromMs: number,
    toMs: number,
    options: { action?: AuditAction; limit?: number } = {},
  ): Promise<AuditEntry[]> {
    const inRange = this.entries.filter(
      (e) => e.at >= fromMs && e.at <= toMs && (options.action === undefined || e.action === options.action),
    );
    return this.#newestFirst(inRange).slice(0, options.limit ?? 100);
  }

  #newestFirst(entries: AuditEntry[]): AuditEntry[] {
    return [...entries].sort((a, b) => b.at - a.at);
  }
}

/** Profiles and tombstones in memory: the profile store's fake, which keeps a tombstone in place of a profile. */
export class InMemoryErasableProfiles extends InMemoryProfileStore {}

/** Items of customers in memory, as a ledger, the timers or the quarantine hold them. */
export class InMemoryCustomerItems<T> implements CustomerItems<T> {
  readonly byCustomer = new Map<string, T[]>();

  add(customerId: string, ...items: T[]): void {
    this.byCustomer.set(customerId, [...(this.byCustomer.get(customerId) ?? []), ...items]);
  }

  async list(customerId: string): Promise<T[]> {
    return structuredClone(this.byCustomer.get(customerId) ?? []);
  }

  async erase(customerId: string): Promise<number> {
    const count = this.byCustomer.get(customerId)?.length ?? 0;
    this.byCustomer.delete(customerId);
    return count;
  }
}

/** Every store of a customer's data, in memory, with a fixed clock. */
export function privacyFakes(now: number) {
  const profiles = new InMemoryErasableProfiles();
  const ledger = new InMemoryCustomerItems<LedgerItem>();
  const timers = new InMemoryCustomerItems<PendingTimer>();
  const quarantine = new InMemoryCustomerItems<QuarantinedMetadata>();
  const audit = new InMemoryAuditLog();
  const clock = { at: now, now: () => clock.at };
  const deps: PrivacyDeps = { profiles, ledger, timers, quarantine, audit, clock };
  return { deps, profiles, ledger, timers, quarantine, audit, clock };
}
