import type { LedgerEntry, SendIntent } from "../../domain/campaigns/contracts.js";
import type { ClaimResult, SendAcceptance, SendLedger } from "../../ports.js";

const DAY_MS = 24 * 3_600_000;
/** Entries read to find an intent's settled outcome. */
const SETTLED_LOOKUP_LIMIT = 100;

/**
 * The send ledger as a dry run sees it: reads go to the real ledger (frequency caps, content rotation, whether an
 * intent was settled already), writes stay in memory. A claim is `"already"` when the real ledger (or this dry
 * run) holds a settled outcome of the send key, else `"claimed"`; nothing is ever written to the real ledger.
 * {@link drain} hands over (and forgets) what the dry run recorded, so memory stays bounded by a page.
 */
export class DryRunLedger implements SendLedger {
  readonly #ledger: Pick<SendLedger, "recent">;
  #entries: LedgerEntry[] = [];
  readonly #settled = new Set<string>();

  constructor(ledger: Pick<SendLedger, "recent">) {
    this.#ledger = ledger;
  }

  async claim(intent: SendIntent, _at: number): Promise<ClaimResult> {
    if (this.#settled.has(intent.key)) return "already";
    // A settled send is logged at or after its due time; a day's slack covers a clock running behind.
    const logged = await this.#ledger.recent(
      intent.customerId,
      Math.min(intent.startedAt, intent.dueAt) - DAY_MS,
      SETTLED_LOOKUP_LIMIT,
    );
    return logged.some((entry) => entry.key === intent.key && entry.outcome !== "deferred")
      ? "already"
      : "claimed";
  }

  /** Never reached: a dry-run claim is never `"reclaimed"`. */
  async accepted(_intent: Pick<SendIntent, "key" | "customerId">): Promise<SendAcceptance | undefined> {
    return undefined;
  }

  async record(entry: LedgerEntry): Promise<void> {
    this.#entries.push(entry);
    if (entry.outcome !== "deferred") this.#settled.add(entry.key);
  }

  async release(_intent: Pick<SendIntent, "key" | "customerId">): Promise<void> {}

  /** Always held: a dry run decides one intent at a time and writes nothing. */
  async lockCustomer(_customerId: string, _key: string, _at: number): Promise<boolean> {
    return true;
  }

  async unlockCustomer(_customerId: string, _key: string): Promise<void> {}

  async recent(
    customerId: string,
    sinceMs: number,
    limit?: number,
    outcome?: LedgerEntry["outcome"],
  ): Promise<LedgerEntry[]> {
    const stored = await this.#ledger.recent(customerId, sinceMs, limit, outcome);
    const own = this.#entries.filter(
      (entry) =>
        entry.customerId === customerId &&
        entry.at >= sinceMs &&
        (outcome === undefined || entry.outcome === outcome),
    );
    const merged = [...own, ...stored].sort((a, b) => b.at - a.at);
    return limit === undefined ? merged : merged.slice(0, Math.max(0, Math.floor(limit)));
  }

  /** The entries recorded since the last drain, oldest first; forgotten here (the settled keys are kept). */
  drain(): LedgerEntry[] {
    const entries = this.#entries;
    this.#entries = [];
    return entries;
  }
}
