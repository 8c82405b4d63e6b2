import { createHash } from "node:crypto";
import { type ExperimentIncrement, HOLDOUT_ARM } from "../domain/analytics/index.js";
import type { SendIntent } from "../domain/campaigns/contracts.js";
import { byPriority } from "../domain/campaigns/policy.js";
import { parseSendIntent } from "../domain/campaigns/send-intent.js";
import { ID_MAX } from "../domain/events/limits.js";
import type { EventRecord } from "../ports.js";
import type { DispatchDeps } from "./dispatch-deps.js";
import { dispatchIntent, type IntentOutcome, type IntentScope } from "./dispatch-intent.js";
import { mapLimit } from "./map-limit.js";
import { SubjectOverrides } from "./subject-override.js";

export type { DispatchDeps } from "./dispatch-deps.js";

/** One message of the sends queue. */
export interface SendMessage {
  readonly messageId: string;
  readonly body: string;
}

/** What one batch did, for metrics and logs. */
export interface DispatchSummary {
  received: number;
  sent: number;
  skipped: number;
  heldOut: number;
  deferred: number;
  /** Deliveries of an intent already settled: nothing done. */
  duplicates: number;
  /** Messages failed back to the queue to be tried again (claim held elsewhere, dependency or provider down). */
  failedRetryable: number;
  /** Sends recorded as failed for good (render failure, provider rejection, outcome unknown): not retried. */
  failedPermanent: number;
  /** Bodies that are not send intents: failed back, so they end in the DLQ. */
  malformed: number;
  /** Outcomes the provider already had that the ledger could not record (their claims stay pending). */
  unrecorded: number;
  /** The first few failures, for the log. */
  failures: { messageId: string; key?: string; reason: string }[];
  /** Emails sent per campaign variant (the per-variant metric). */
  sentByVariant: CampaignSendCount[];
}

/** Sends of one campaign variant in one batch. */
export interface CampaignSendCount {
  readonly campaign: string;
  readonly variant: string;
  readonly count: number;
}

/** What {@link dispatchSends} returns. */
export interface DispatchResult {
  /** Message ids to report as batch item failures: the queue delivers them again (then its DLQ). */
  readonly failed: ReadonlySet<string>;
  readonly summary: DispatchSummary;
}

const FAILURES_KEPT = 10;
const DEFAULT_CONCURRENCY = 4;
let sharedSubjects: SubjectOverrides | undefined;

/**
 * Dispatches a batch of the sends queue. Each body must be a send intent (else it is failed back, and ends in
 * the DLQ); each intent goes through the ledger, the send policy, rendering and the mailer (see
 * `dispatchIntent`). A customer's intents are handled one after the other in priority order (`byPriority`), so
 * a frequency cap holds across campaigns within the batch and the higher-priority campaign takes the last slot;
 * different customers go in parallel (`concurrency`), the rate limiter bounding the provider calls.
 */
/** `deps` with its links signed by the current key of the ring, when it has one to read. */
async function withCurrentLinkKey(deps: DispatchDeps): Promise<DispatchDeps> {
  if (deps.linkKeys === undefined) return deps;
  const { current } = await deps.linkKeys();
  return { ...deps, links: { ...deps.links, secret: current.secret, keyId: current.id } };
}

export async function dispatchSends(
  deps: DispatchDeps,
  messages: readonly SendMessage[],
): Promise<DispatchResult> {
  const summary: DispatchSummary = {
    received: messages.length,
    sent: 0,
    skipped: 0,
    heldOut: 0,
    deferred: 0,
    duplicates: 0,
    failedRetryable: 0,
    failedPermanent: 0,
    malformed: 0,
    unrecorded: 0,
    failures: [],
    sentByVariant: [],
  };
  const failed = new Set<string>();
  const note = (messageId: string, reason: string, key?: string) => {
    if (summary.failures.length < FAILURES_KEPT) {
      summary.failures.push({ messageId, reason, ...(key === undefined ? {} : { key }) });
    }
  };

  const byCustomer = new Map<string, { intent: SendIntent; messageId: string }[]>();
  for (const message of messages) {
    const parsed = parseSendIntent(message.body);
    if (!parsed.ok) {
      summary.malformed++;
      failed.add(message.messageId);
      note(message.messageId, parsed.reason);
      continue;
    }
    const own = byCustomer.get(parsed.intent.customerId) ?? [];
    own.push({ intent: parsed.intent, messageId: message.messageId });
    byCustomer.set(parsed.intent.customerId, own);
  }

  sharedSubjects ??= new SubjectOverrides();
  const scope: IntentScope = {
    deps: await withCurrentLinkKey(deps),
    templates: new Map(deps.renderer.templates().map((template) => [template.name, template.variants])),
    subjects: deps.subjects ?? sharedSubjects,
    uncounted: { count: 0 },
  };
  const priorityOf = (campaignId: string) =>
    deps.library.byId.get(campaignId)?.priority ?? Number.NEGATIVE_INFINITY;

  const groups = [...byCustomer.values()];
  /** The `sent` count of each send or holdout of this batch, for the summary (the counters got them already). */
  const increments: ExperimentIncrement[] = [];
  const heldOut: SendIntent[] = [];
  const settled = await mapLimit(groups, deps.concurrency ?? DEFAULT_CONCURRENCY, async (group) => {
    const messageOf = new Map(group.map((item) => [item.intent, item.messageId]));
    const outcomes: { messageId: string; intent: SendIntent; outcome: IntentOutcome }[] = [];
    for (const intent of byPriority(
      group.map((item) => item.intent),
      priorityOf,
    )) {
      outcomes.push({
        messageId: messageOf.get(intent) ?? "",
        intent,
        outcome: await dispatchIntent(scope, intent),
      });
    }
    return outcomes;
  });

  settled.forEach((result, index) => {
    if (result.status === "rejected") {
      // dispatchIntent does not throw; should it ever, the group's messages are retried.
      for (const item of groups[index] ?? []) {
        summary.failedRetryable++;
        failed.add(item.messageId);
        note(item.messageId, String(result.reason), item.intent.key);
      }
      return;
    }
    for (const { messageId, intent, outcome } of result.value) {
      switch (outcome.kind) {
        case "sent":
          summary.sent++;
          increments.push({
            campaignId: intent.campaignId,
            arm: outcome.variant,
            segment: outcome.segment ?? UNKNOWN_SEGMENT,
            metric: "sent",
            amount: 1,
          });
          if (!outcome.recorded) {
            summary.unrecorded++;
            note(messageId, outcome.reason ?? "sent, not recorded", intent.key);
          }
          break;
        case "skipped":
          summary.skipped++;
          break;
        case "heldOut":
          summary.heldOut++;
          increments.push({
            campaignId: intent.campaignId,
            arm: HOLDOUT_ARM,
            segment: outcome.segment ?? UNKNOWN_SEGMENT,
            metric: "sent",
            amount: 1,
          });
          heldOut.push(intent);
          break;
        case "deferred":
          summary.deferred++;
          break;
        case "duplicate":
          summary.duplicates++;
          break;
        case "failedPermanent":
          summary.failedPermanent++;
          if (!outcome.recorded) summary.unrecorded++;
          note(messageId, outcome.reason, intent.key);
          break;
        case "retry":
          summary.failedRetryable++;
          failed.add(messageId);
          note(messageId, outcome.reason, intent.key);
          break;
      }
    }
  });
  const byVariant = new Map<string, { campaign: string; variant: string; count: number }>();
  for (const { campaignId, arm, metric } of increments) {
    if (metric !== "sent" || arm === HOLDOUT_ARM) continue;
    const key = JSON.stringify([campaignId, arm]);
    const counted = byVariant.get(key) ?? { campaign: campaignId, variant: arm, count: 0 };
    counted.count++;
    byVariant.set(key, counted);
  }
  summary.sentByVariant = [...byVariant.values()];
  if (deps.events !== undefined && heldOut.length > 0) {
    const now = deps.clock.now();
    try {
      const outcome = await deps.events.put(heldOut.map((intent) => holdoutEvent(intent, now)));
      if (outcome.rejected.length > 0)
        note("", `${outcome.rejected.length} holdout event(s) not put on the stream`);
    } catch (error) {
      note("", `holdout events not put: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  // The experiments' denominators were written by each intent, under its send key, before the ledger settled it.
  if (scope.uncounted.count > 0)
    note("", `${scope.uncounted.count} counter write(s) failed (experiments, campaign outcomes)`);
  return { failed, summary };
}

const encoder = new TextEncoder();
/** The segment of a send whose customer's stage is not known. */
const UNKNOWN_SEGMENT = "unknown";

/**
 * `prefix` and `key` as an id the ingest accepts (at most `ID_MAX` characters): as they are when they fit, else
 * `prefix` and the key's SHA-256. Deterministic either way, so a redelivery gives the same id.
 */
export function boundedEventId(prefix: string, key: string): string {
  const id = `${prefix}${key}`;
  if (id.length <= ID_MAX) return id;
  return `${prefix}sha256-${createHash("sha256").update(key, "utf8").digest("hex")}`;
}

/**
 * The `Email Held Out` event of a holdout decision: no email was sent; the fold remembers the touch, so an order
 * within the conversion window counts for the holdout arm. Deterministic id: a redelivery is one event. The send
 * key holds the customer id, so for a long id the key is hashed: Tailor's own event must always validate.
 */
export function holdoutEvent(intent: SendIntent, now: number): EventRecord {
  const event = {
    type: "track",
    event: "Email Held Out",
    messageId: boundedEventId("held-out-", intent.key),
    userId: intent.customerId,
    timestamp: new Date(now).toISOString(),
    properties: {
      message_id: boundedEventId("", intent.key),
      campaign_id: intent.campaignId,
      variant: HOLDOUT_ARM,
    },
    context: { library: { name: "tailor-dispatch" } },
  };
  return { customerId: intent.customerId, data: encoder.encode(JSON.stringify(event)) };
}
