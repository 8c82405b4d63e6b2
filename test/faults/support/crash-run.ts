import { rmSync } from "node:fs";
import path from "node:path";
import { experimentIncrements } from "#shared/domain/analytics/index.js";
import { parseEvent } from "#shared/domain/events/index.js";
import { foldEvents, type Profile } from "#shared/domain/profile/index.js";
import { tempDir } from "#test/local/helpers.js";
import { EXPERIMENT_CAMPAIGN, type ShopEvent } from "./shop-events.js";
import { StackChild, startMailSink } from "./stack-child.js";
import { mailByRecipient, StackReaders } from "./stack-readers.js";

/** The campaigns the stack children run: one welcome, once per customer (see the fixture). */
export const FAULT_CAMPAIGNS_DIR = path.resolve("test/faults/fixtures/campaigns");
export const WELCOME = "fault-welcome";
/** Seconds a message a killed dispatch held stays invisible (see `stack-process.ts`). */
const SENDS_VISIBILITY_S = 5;

/** A data dir, a mail sink, and the stack child currently running on them. */
export class CrashRun {
  readonly #temp = tempDir("tailor-faults-");
  #sink: { url: string; stop: () => Promise<void> } | undefined;
  #child: StackChild | undefined;
  #readers: StackReaders | undefined;
  /** What happened, for the report: starts, kills and their moments. */
  readonly log: string[] = [];
  readonly #started = Date.now();

  get sinkUrl(): string {
    if (this.#sink === undefined) throw new Error("the run has no mail sink yet");
    return this.#sink.url;
  }

  get readers(): StackReaders {
    if (this.#readers === undefined) throw new Error("no stack child is running");
    return this.#readers;
  }

  note(line: string): void {
    this.log.push(`${((Date.now() - this.#started) / 1000).toFixed(1)}s ${line}`);
  }

  /** Starts the stack on the run's data dir (again, after a kill). */
  async start(): Promise<StackReaders> {
    this.#sink ??= await startMailSink();
    const startedAt = Date.now();
    this.#child = await StackChild.start({
      dataDir: this.#temp.dir,
      sesUrl: this.#sink.url,
      campaignsDir: FAULT_CAMPAIGNS_DIR,
      // Outside the data dir: the stack owns that one.
      templateFile: `${this.#temp.dir}-template.json`,
      sendsVisibilitySeconds: SENDS_VISIBILITY_S,
    });
    this.#readers = new StackReaders(this.#child.endpoints);
    const visibility = await this.#readers.sendsVisibility();
    if (visibility !== SENDS_VISIBILITY_S) throw new Error(`the sends queue's visibility is ${visibility} s`);
    this.note(`started in ${Date.now() - startedAt} ms`);
    return this.#readers;
  }

  /** SIGKILL of the running stack child. */
  async kill(moment: string): Promise<void> {
    await this.#child?.kill();
    this.#readers?.destroy();
    this.#child = undefined;
    this.#readers = undefined;
    this.note(`killed ${moment}`);
  }

  /** A clean stop, the mail sink closed and the data dir removed. */
  async dispose(): Promise<void> {
    this.#readers?.destroy();
    await this.#child?.stop();
    await this.#sink?.stop();
    // FAULTS_KEEP_DATA=1 keeps the data dir for a post-mortem (`tailor profile <id> --data-dir …`).
    if (process.env.FAULTS_KEEP_DATA === "1") this.note(`data dir kept: ${this.#temp.dir}`);
    else this.#temp.remove();
    rmSync(`${this.#temp.dir}-template.json`, { force: true });
  }
}

/** Events by customer, in the order given. */
export function byCustomer(events: readonly ShopEvent[]): Map<string, ShopEvent[]> {
  const grouped = new Map<string, ShopEvent[]>();
  for (const event of events) {
    const list = grouped.get(event.customerId) ?? [];
    list.push(event);
    grouped.set(event.customerId, list);
  }
  return grouped;
}

/**
 * The oracle: each customer's profile as the fold of all their events in one go, and the experiment counts of
 * {@link EXPERIMENT_CAMPAIGN} those folds imply (the increments of each customer's events from no profile).
 */
export function oracle(
  events: readonly ShopEvent[],
  now: number,
): { profiles: Map<string, Profile>; counts: Record<string, number> } {
  const profiles = new Map<string, Profile>();
  const counts: Record<string, number> = {};
  for (const [customerId, list] of byCustomer(events)) {
    const parsed = list.map(({ body }) => {
      const result = parseEvent(body, now);
      if (!result.ok) throw new Error(`event ${String(body.messageId)} is invalid: ${result.error.message}`);
      return result.event;
    });
    const profile = foldEvents(undefined, customerId, parsed, now).profile;
    profiles.set(customerId, profile);
    for (const increment of experimentIncrements(undefined, profile, parsed)) {
      if (increment.campaignId !== EXPERIMENT_CAMPAIGN) continue;
      counts[increment.metric] = (counts[increment.metric] ?? 0) + increment.amount;
    }
  }
  return { profiles, counts };
}

/**
 * What of a profile is deterministic in its events (not in processing time or in how they were batched): count
 * and last time per kind, orders and revenue, cart, traits, consent, suppressions, products bought and viewed,
 * custom events, email engagement, first and last seen, lifecycle stage.
 */
export function deterministicPart(profile: Profile | undefined): Record<string, unknown> | undefined {
  if (profile === undefined) return undefined;
  const kinds: Record<string, unknown> = {};
  for (const [code, stats] of Object.entries(profile.k)) {
    if (stats !== undefined) kinds[code] = { n: stats.n, l: stats.l };
  }
  return {
    k: kinds,
    o: profile.o,
    ct: profile.ct,
    t: profile.t,
    c: profile.c,
    s: profile.s,
    bp: profile.bp,
    rv: profile.rv,
    x: profile.x,
    e: profile.e,
    fs: profile.fs,
    ls: profile.ls,
    stage: profile.lc.s,
  };
}

/** Splits `items` into `parts` runs of about equal length, in order. */
export function split<T>(items: readonly T[], parts: number): T[][] {
  const size = Math.ceil(items.length / parts);
  const runs: T[][] = [];
  for (let at = 0; at < items.length; at += size) runs.push(items.slice(at, at + size));
  return runs;
}

/** How the once-per-customer welcome of each customer ended, from the mail sink and the send ledger. */
export interface WelcomeOutcomes {
  /** One email, its claim settled as sent: the normal case. */
  readonly once: string[];
  /**
   * One email, its claim still pending: the kill came after SES accepted it and before the ledger recorded it.
   * The documented remaining window of `DynamoSendLedger`: once the 15-minute lease ends, a redelivery of the
   * intent takes the claim over and sends the email again.
   */
  readonly sentClaimPending: string[];
  /** No email yet, the claim pending: killed between the claim and the send; it goes out after the lease. */
  readonly unsentClaimPending: string[];
  /** More than one email. */
  readonly twice: string[];
  /** No email and no pending claim: lost (or, with a claim settled as sent, sent where the sink never saw it). */
  readonly lost: string[];
}

/** Sorts each customer's welcome into {@link WelcomeOutcomes}. */
export async function welcomeOutcomes(
  readers: StackReaders,
  sinkUrl: string,
  customerIds: readonly string[],
): Promise<WelcomeOutcomes> {
  const mail = await mailByRecipient(sinkUrl);
  const outcomes: WelcomeOutcomes = {
    once: [],
    sentClaimPending: [],
    unsentClaimPending: [],
    twice: [],
    lost: [],
  };
  for (const id of customerIds) {
    const got = mail.get(`${id}@example.com`) ?? 0;
    const claim = [...(await readers.claims(id)).entries()].find(([key]) =>
      key.startsWith(`${WELCOME}#`),
    )?.[1];
    if (got > 1) outcomes.twice.push(id);
    else if (got === 1) (claim === "pending" ? outcomes.sentClaimPending : outcomes.once).push(id);
    else (claim === "pending" ? outcomes.unsentClaimPending : outcomes.lost).push(id);
  }
  return outcomes;
}

/** The ledger items and stored outboxes of the customers whose welcome was lost or doubled, for the log. */
export async function postMortem(readers: StackReaders, outcomes: WelcomeOutcomes): Promise<string[]> {
  const lines: string[] = [];
  for (const id of [...outcomes.lost, ...outcomes.twice]) {
    const profile = (await readers.profiles([id])).get(id);
    lines.push(`${id}: profile version ${profile?.version}, oi ${JSON.stringify(profile?.oi ?? [])}`);
    for (const item of await readers.ledgerItems(id)) lines.push(`${id}: ledger ${item}`);
  }
  return lines;
}

/** The outcomes as one line for the run's log. */
export function describeOutcomes(outcomes: WelcomeOutcomes): string {
  return Object.entries(outcomes)
    .map(
      ([name, ids]) =>
        `${name} ${ids.length}${ids.length > 0 && ids.length <= 5 ? ` (${ids.join(", ")})` : ""}`,
    )
    .join(", ");
}
