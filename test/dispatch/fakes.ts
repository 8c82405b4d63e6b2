import type { LedgerEntry, SendIntent } from "#shared/domain/campaigns/contracts.js";
import type { Profile } from "#shared/domain/profile/index.js";
import type {
  ClaimResult,
  Mailer,
  MailReceipt,
  OutgoingEmail,
  ProfileStore,
  SendAcceptance,
  SendLedger,
  SendQueue,
  SendTimers,
  StoredProfile,
} from "#shared/ports.js";

/** The send ledger's contract in memory: one claim per key, pending until settled; a log per customer. */
export class InMemoryLedger implements SendLedger {
  readonly claims = new Map<string, string>();
  readonly log: LedgerEntry[] = [];
  /** SES's acceptances, by send key (what the feedback path would have recorded). */
  readonly acceptances = new Map<string, SendAcceptance>();
  releases = 0;

  async claim(intent: SendIntent, _at: number): Promise<ClaimResult> {
    const state = this.claims.get(intent.key);
    if (state === undefined) {
      this.claims.set(intent.key, "pending");
      return "claimed";
    }
    return state === "pending" ? "pending" : "already";
  }

  async accepted(intent: Pick<SendIntent, "key" | "customerId">): Promise<SendAcceptance | undefined> {
    return this.acceptances.get(intent.key);
  }

  async record(entry: LedgerEntry): Promise<void> {
    if (entry.outcome !== "deferred") this.claims.set(entry.key, entry.outcome);
    this.log.push(entry);
  }

  async release(intent: Pick<SendIntent, "key" | "customerId">): Promise<void> {
    if (this.claims.get(intent.key) === "pending") {
      this.claims.delete(intent.key);
      this.releases++;
    }
  }

  /** The customers' send locks: customer id → holding send key. */
  readonly locks = new Map<string, string>();

  async lockCustomer(customerId: string, key: string, _at: number): Promise<boolean> {
    const holder = this.locks.get(customerId);
    if (holder !== undefined && holder !== key) return false;
    this.locks.set(customerId, key);
    return true;
  }

  async unlockCustomer(customerId: string, key: string): Promise<void> {
    if (this.locks.get(customerId) === key) this.locks.delete(customerId);
  }

  async recent(
    customerId: string,
    sinceMs: number,
    limit = 100,
    outcome?: LedgerEntry["outcome"],
  ): Promise<LedgerEntry[]> {
    return this.log
      .filter(
        (entry) =>
          entry.customerId === customerId &&
          entry.at >= sinceMs &&
          (outcome === undefined || entry.outcome === outcome),
      )
      .sort((a, b) => b.at - a.at)
      .slice(0, limit);
  }

  /** Log entries of one send key. */
  of(key: string): LedgerEntry[] {
    return this.log.filter((entry) => entry.key === key);
  }
}

/** Profiles by customer id (only `get` is needed by dispatch). */
export class MapProfiles implements Pick<ProfileStore, "get"> {
  readonly #profiles = new Map<string, Profile>();

  constructor(profiles: readonly Profile[] = []) {
    for (const profile of profiles) this.#profiles.set(profile.customerId, profile);
  }

  async get(customerId: string): Promise<StoredProfile | undefined> {
    const profile = this.#profiles.get(customerId);
    return profile === undefined ? undefined : { profile: structuredClone(profile), itemBytes: 1000 };
  }
}

/** Send timers in memory: one per (key, due time). */
export class MemorySendTimers implements SendTimers {
  readonly timers = new Map<string, SendIntent>();
  failComplete = false;

  async schedule(intent: SendIntent): Promise<number> {
    this.timers.set(`${intent.key}@${intent.dueAt}`, intent);
    return 1;
  }

  async due(now: number, limit: number): Promise<SendIntent[]> {
    return [...this.timers.values()]
      .filter((intent) => intent.dueAt <= now)
      .sort((a, b) => a.dueAt - b.dueAt)
      .slice(0, limit);
  }

  async complete(intent: SendIntent): Promise<void> {
    if (this.failComplete) throw new Error("complete failed");
    this.timers.delete(`${intent.key}@${intent.dueAt}`);
  }
}

/** A queue that keeps what it accepts; `refuse` names keys it does not take. */
export class MemoryQueue implements SendQueue {
  readonly messages: SendIntent[] = [];
  readonly refuse = new Set<string>();

  async enqueue(intents: readonly SendIntent[]): Promise<ReadonlySet<string>> {
    const accepted = new Set<string>();
    for (const intent of intents) {
      if (this.refuse.has(intent.key)) continue;
      this.messages.push(intent);
      accepted.add(intent.key);
    }
    return accepted;
  }
}

/** A mailer that records every accepted email; `failures` are thrown, one per call, before any success. */
export class RecordingMailer implements Mailer {
  readonly sent: OutgoingEmail[] = [];
  readonly failures: Error[] = [];
  calls = 0;

  async send(email: OutgoingEmail): Promise<MailReceipt> {
    this.calls++;
    const failure = this.failures.shift();
    if (failure !== undefined) throw failure;
    this.sent.push(email);
    return { messageId: `msg-${this.sent.length}` };
  }
}
