import type { LedgerEntry, SendIntent } from "../../domain/campaigns/contracts.js";
import type { CampaignLibrary } from "../../domain/campaigns/library.js";
import type { Profile } from "../../domain/profile/index.js";
import type { OutgoingEmail } from "../../ports.js";
import type { DispatchDeps } from "../dispatch-deps.js";
import { dispatchSends } from "../dispatch-sends.js";
import { DryRunLedger } from "./dry-run-ledger.js";
import { type DispatchReads, dispatchReads } from "./dry-run-reads.js";
import { RecordingMailer, RecordingSendTimers, unlimited } from "./dry-run-recorders.js";

/** What a dry run found, counted: who would receive what, and why the others would not. */
export interface DryRunCounts {
  /** Items the audience reader read (index entries or scanned profiles). */
  read: number;
  /** Members of the audience among them. */
  members: number;
  /** Send intents due at the dry run's time, decided by dispatch's code. */
  decided: number;
  /** Intents of later steps (a delay): they would wait as send timers and are decided when due. */
  later: number;
  /** Emails that would be sent. */
  wouldSend: number;
  /** Emails that would be sent, per variant. */
  byVariant: Record<string, number>;
  /** Members held out (the experiment's control). */
  heldOut: number;
  /** Intents skipped, per reason (consent, suppression, frequency cap, exit condition, …). */
  skipped: Record<string, number>;
  /** Intents deferred (quiet hours), per reason: they would go out later. */
  deferred: Record<string, number>;
  /** Intents the ledger has settled already (this tick was run before): nothing would happen. */
  alreadySettled: number;
  /** Sends that would fail for good, per reason (e.g. a render failure). */
  failed: Record<string, number>;
  /** Intents dispatch could not decide now (a dependency down): a real run would retry them. */
  retry: Record<string, number>;
}

/** One email a dry run rendered, as it would go out. */
export interface DryRunEmail {
  readonly customerId: string;
  readonly to: string;
  readonly variant: string;
  readonly sendKey: string;
  readonly subject: string;
  readonly html: string;
  readonly text: string;
}

/** Counts of nothing yet. */
export function emptyCounts(): DryRunCounts {
  return {
    read: 0,
    members: 0,
    decided: 0,
    later: 0,
    wouldSend: 0,
    byVariant: {},
    heldOut: 0,
    skipped: {},
    deferred: {},
    alreadySettled: 0,
    failed: {},
    retry: {},
  };
}

const add = (counts: Record<string, number>, key: string, amount = 1) => {
  counts[key] = (counts[key] ?? 0) + amount;
};

/** The reason dispatch gives for an intent of a customer without a profile (it records nothing). */
const UNKNOWN_CUSTOMER = "unknown customer (no profile)";

/**
 * Dispatch's own code (`dispatchSends`: profile, ledger protocol, send policy, rendering) over a dry run's
 * intents, built from dispatch's reading ports only ({@link dispatchReads}, an allowlist): every writing port is
 * the dry run's own, a {@link DryRunLedger} (reads the real ledger, writes nothing), a recording mailer and send
 * timers, texts rendered but not sent, no holdout events, no experiment or outcome counters, no erasure reach, no
 * pacing, and the clock fixed at the dry run's time. Everything dispatch reads (profiles, identities, catalog,
 * recommender, content, link keys, templates) is read as the real dispatch reads it.
 */
export class DryRunSession {
  readonly counts = emptyCounts();
  readonly samples: DryRunEmail[] = [];
  readonly #deps: DispatchDeps;
  readonly #ledger: DryRunLedger;
  readonly #mailer = new RecordingMailer();
  readonly #sample: number;

  /**
   * `dispatch` is narrowed to its reads whatever else it holds. `library` replaces the campaigns dispatch reads
   * (a proposed definition); `view` changes each profile dispatch reads (a proposed segment's membership, as it
   * would be stored once the segment is deployed).
   */
  constructor(
    dispatch: DispatchReads,
    options: { at: number; sample: number; library?: CampaignLibrary; view?: (profile: Profile) => Profile },
  ) {
    const { sms, ...reads } = dispatchReads(dispatch);
    const { view } = options;
    this.#ledger = new DryRunLedger(reads.ledger);
    this.#sample = options.sample;
    this.#deps = {
      ...reads,
      ...(options.library === undefined ? {} : { library: options.library }),
      ...(view === undefined
        ? {}
        : {
            profiles: {
              get: async (customerId: string) => {
                const stored = await reads.profiles.get(customerId);
                return stored === undefined ? undefined : { ...stored, profile: view(stored.profile) };
              },
            },
          }),
      // Texts are rendered as dispatch would (links shortened, so counted as sent) and counted, never sent; no
      // phone number is remembered and no link stored.
      ...(sms === undefined
        ? {}
        : {
            sms: {
              renderer: sms.renderer,
              sender: { send: async () => ({ messageId: "dry-run" }) },
              ...(sms.links === undefined ? {} : { links: { ...sms.links, store: { put: async () => {} } } }),
            },
          }),
      ledger: this.#ledger,
      sendTimers: new RecordingSendTimers(),
      mailer: this.#mailer,
      limiter: unlimited,
      clock: { now: () => options.at },
    };
  }

  /**
   * Decides `intents` (those due at the dry run's time; the caller counts the later ones) as dispatch would, and
   * resolves the emails that would be sent, each with its customer.
   */
  async decide(intents: readonly SendIntent[]): Promise<OutgoingEmail[]> {
    if (intents.length === 0) return [];
    this.counts.decided += intents.length;
    const { summary } = await dispatchSends(
      this.#deps,
      intents.map((intent) => ({ messageId: intent.key, body: JSON.stringify(intent) })),
    );
    const entries = this.#ledger.drain();
    let recordedSkips = 0;
    for (const entry of entries) {
      if (tally(this.counts, entry) === "skipped") recordedSkips++;
    }
    // Dispatch records nothing for a customer without a profile; it counts the skip in its summary only.
    const unknown = summary.skipped - recordedSkips;
    if (unknown > 0) add(this.counts.skipped, UNKNOWN_CUSTOMER, unknown);
    this.counts.alreadySettled += summary.duplicates;
    if (summary.failedRetryable > 0) {
      const first = summary.failures.find((failure) => failure.key !== undefined)?.reason;
      add(this.counts.retry, first ?? "dependency unavailable", summary.failedRetryable);
    }
    const emails = this.#mailer.drain();
    for (const email of emails) {
      if (this.samples.length >= this.#sample) break;
      this.samples.push({
        customerId: email.customerId,
        to: email.to,
        variant: email.variant,
        sendKey: email.sendKey,
        subject: email.content.subject,
        html: email.content.html,
        text: email.content.text,
      });
    }
    return emails;
  }
}

/**
 * A reason without what is particular to one customer, so reasons group: `quiet hours until 08:00
 * Europe/Paris` → `quiet hours`, `no email address (waited 2d)` → `no email address`.
 */
export function reasonKind(reason: string): string {
  const general = reason.split(" until ")[0] ?? reason;
  return general.replace(/\s*\([^)]*\)/g, "").trim() || reason;
}

/** Adds a recorded ledger entry to the counts; resolves its outcome. */
function tally(counts: DryRunCounts, entry: LedgerEntry): LedgerEntry["outcome"] {
  const reason = reasonKind(entry.reason ?? entry.outcome);
  switch (entry.outcome) {
    case "sent":
      counts.wouldSend++;
      add(counts.byVariant, entry.variant ?? "a");
      break;
    case "holdout":
      counts.heldOut++;
      break;
    case "skipped":
      add(counts.skipped, reason);
      break;
    case "deferred":
      add(counts.deferred, reason);
      break;
    case "failed":
      add(counts.failed, reason);
      break;
  }
  return entry.outcome;
}
