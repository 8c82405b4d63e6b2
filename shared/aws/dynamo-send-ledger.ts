import { createHash } from "node:crypto";
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
} from "@aws-sdk/client-dynamodb";
import { marshall } from "@aws-sdk/util-dynamodb";
import type { LedgerEntry, SendIntent, SendPurpose } from "../domain/campaigns/contracts.js";
import { sendRefOf } from "../domain/email-feedback/ses-tags.js";
import { DependencyUnavailableError } from "../errors.js";
import type { ClaimResult, SendAcceptance, SendAcceptances, SendLedger } from "../ports.js";
import { DEFAULT_LEDGER_RETENTION_DAYS, ttlAttribute } from "./dynamo-ttl.js";

/** Digits of a padded epoch-ms time, so sort keys order like numbers. */
const AT_DIGITS = 15;
/**
 * How long a pending claim blocks other attempts: 4 minutes. It must exceed the longest time one attempt can
 * hold a claim (the dispatch function's timeout, 60 s: after it Lambda has stopped the attempt), and with that
 * timeout stay within the sends queue's visibility timeout (6 minutes), so that the message of an attempt that
 * died comes back after the lease has ended and is retaken then, not 20 minutes later. `infra` checks the three
 * together.
 */
export const SEND_CLAIM_LEASE_MS = 4 * 60_000;
const DEFAULT_RECENT_LIMIT = 100;
const MAX_RECENT_LIMIT = 1000;
const PENDING = "pending";

const pad = (n: number) => String(Math.max(0, Math.floor(n))).padStart(AT_DIGITS, "0");
const claimKey = (customerId: string, key: string): Record<string, AttributeValue> => ({
  customerId: { S: customerId },
  sk: { S: `key#${key}` },
});
/** The customer's send lock: one item per customer, beside the claims and the log (`lock` sorts before both). */
const lockKey = (customerId: string): Record<string, AttributeValue> => ({
  customerId: { S: customerId },
  sk: { S: "lock" },
});
/**
 * SES's acceptance of a send, found by its reference alone (what the `Send` event carries): a partition of its
 * own whose sort key no customer's item uses (`key#…`, `log#…`), so even a customer id equal to the partition
 * shares no item with it. The reference holds the customer id, and the item lives outside the customer's
 * partition (which an erasure deletes): it is keyed by the reference's SHA-256 and does not keep the reference.
 */
const acceptanceKey = (sendRef: string): Record<string, AttributeValue> => ({
  customerId: { S: `ses-send#${createHash("sha256").update(sendRef, "utf8").digest("hex")}` },
  sk: { S: "accepted" },
});

const PURPOSES: ReadonlySet<string> = new Set<SendPurpose>(["marketing", "transactional"]);
const OUTCOMES: ReadonlySet<string> = new Set<LedgerEntry["outcome"]>([
  "sent",
  "holdout",
  "skipped",
  "deferred",
  "failed",
]);
const isPurpose = (value: string | undefined): value is SendPurpose =>
  value !== undefined && PURPOSES.has(value);
const isOutcome = (value: string | undefined): value is LedgerEntry["outcome"] =>
  value !== undefined && OUTCOMES.has(value);

/** A log item back into an entry; `undefined` for an item that is not one (never thrown: explain must work). */
function toEntry(item: Record<string, AttributeValue>): LedgerEntry | undefined {
  const key = item.key?.S;
  const customerId = item.customerId?.S;
  const campaignId = item.campaignId?.S;
  const purpose = item.purpose?.S;
  const outcome = item.outcome?.S;
  const priority = Number(item.priority?.N);
  const at = Number(item.at?.N);
  if (key === undefined || customerId === undefined || campaignId === undefined) return undefined;
  if (!isPurpose(purpose) || !isOutcome(outcome) || !Number.isFinite(priority) || !Number.isFinite(at)) {
    return undefined;
  }
  const variant = item.variant?.S;
  const reason = item.reason?.S;
  const messageId = item.messageId?.S;
  const contentIds = item.contentIds?.L?.flatMap((value) => (value.S === undefined ? [] : [value.S]));
  const channel = item.channel?.S;
  const offerId = item.offerId?.S;
  const linkIds = item.linkIds?.L?.flatMap((value) => (value.S === undefined ? [] : [value.S]));
  return {
    key,
    customerId,
    campaignId,
    purpose,
    priority,
    at,
    outcome,
    ...(variant === undefined ? {} : { variant }),
    ...(reason === undefined ? {} : { reason }),
    ...(messageId === undefined ? {} : { messageId }),
    ...(contentIds === undefined || contentIds.length === 0 ? {} : { contentIds }),
    ...(channel === "sms" ? { channel } : {}),
    ...(offerId === undefined ? {} : { offerId }),
    ...(linkIds === undefined || linkIds.length === 0 ? {} : { linkIds }),
  };
}

/**
 * The send ledger in a DynamoDB table (partition `customerId`, sort `sk`, both strings), without transactions.
 *
 * - A claim: `sk = key#<send key>`, `state` `pending` until settled, then the outcome (`sent`, `holdout`,
 *   `skipped`, `failed`). `claim` is a conditional put: it succeeds when no claim exists, or when a pending one
 *   is older than the lease (its attempt died: the lease outlasts the dispatch function's timeout).
 * - A log entry: `sk = log#<at, padded>#<send key>`, the whole {@link LedgerEntry}; `recent` is one Query,
 *   newest first.
 *
 * Races, and why no email goes out twice:
 * - Two attempts claim at once: the condition lets exactly one through; the other sees `pending` and must retry
 *   later rather than drop its message (the holder may yet release).
 * - A retryable failure before the provider accepted the email: the holder `release`s (a delete conditional on
 *   `pending`), then its retry claims again. A late `release` after `record` deletes nothing: settled claims stay.
 * - `record` settles the claim before it writes the log entry: a crash in between loses a log line, never
 *   causes a second send.
 * - An attempt that dies after the provider accepted the email and before `record` leaves a pending claim, taken
 *   over after the lease (`reclaimed`). SES's `Send` event, recorded by the feedback path as an acceptance of the
 *   send key's tag reference (`recordAccepted`: `customerId = ses-send#<SHA-256 of the reference>`,
 *   `sk = accepted`), tells the taker the email went out: it records it as sent instead of sending again
 *   (`accepted`). The window left:
 *   a `Send` event not recorded by the time the claim is retaken (lost, or later than the lease), and a provider
 *   timeout (`MailerUnavailableError.maybeSent`), which must not be released and is settled as failed.
 *
 * - Two attempts for one customer decide under a frequency cap at once (two batches in parallel): each would
 *   count the same room, and both send. The customer's send lock (`sk = lock`, the holder's send key and time) is
 *   a conditional put like a claim, with the same lease; the second waits for it or retries later.
 *
 * Costs: a send is three writes (claim, settle, log) plus the feedback path's acceptance, and two more (lock,
 * unlock) under a frequency cap; a skip without a claim two; a retaken claim one more read; `recent` reads the
 * log only.
 */
export class DynamoSendLedger implements SendLedger, SendAcceptances {
  readonly #client: DynamoDBClient;
  readonly #tableName: string;
  readonly #leaseMs: number;
  readonly #retentionDays: number;

  constructor(options: {
    client: DynamoDBClient;
    tableName: string;
    /** How long a pending claim blocks others. @default {@link SEND_CLAIM_LEASE_MS} (4 minutes) */
    leaseMs?: number;
    /**
     * Days every item is kept after it was written (its `ttl`, read by DynamoDB's TTL): a claim from its claim,
     * then from its settlement; a log entry and an acceptance from their time.
     * @default {@link DEFAULT_LEDGER_RETENTION_DAYS} (400)
     */
    retentionDays?: number;
  }) {
    this.#client = options.client;
    this.#tableName = options.tableName;
    this.#leaseMs = options.leaseMs ?? SEND_CLAIM_LEASE_MS;
    this.#retentionDays = options.retentionDays ?? DEFAULT_LEDGER_RETENTION_DAYS;
    ttlAttribute(0, this.#retentionDays);
  }

  async claim(intent: SendIntent, at: number): Promise<ClaimResult> {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const out = await this.#client.send(
          new PutItemCommand({
            TableName: this.#tableName,
            Item: {
              ...claimKey(intent.customerId, intent.key),
              state: { S: PENDING },
              claimedAt: { N: String(at) },
              campaignId: { S: intent.campaignId },
              ...ttlAttribute(at, this.#retentionDays),
            },
            ConditionExpression: "attribute_not_exists(sk) OR (#state = :pending AND claimedAt < :stale)",
            ExpressionAttributeNames: { "#state": "state" },
            ExpressionAttributeValues: {
              ":pending": { S: PENDING },
              ":stale": { N: String(at - this.#leaseMs) },
            },
            // A claim replaced is a pending one whose lease had ended: its attempt died, maybe after sending.
            ReturnValues: "ALL_OLD",
          }),
        );
        return out.Attributes === undefined ? "claimed" : "reclaimed";
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) {
          throw new DependencyUnavailableError(`PutItem (claim) on ${this.#tableName} failed`, error);
        }
      }
      const state = await this.#claimState(intent);
      // Gone between the two calls: it was released, so claim again.
      if (state !== undefined) return state === PENDING ? "pending" : "already";
    }
    return "pending";
  }

  async record(entry: LedgerEntry): Promise<void> {
    if (entry.outcome !== "deferred") {
      await this.#call("PutItem (settle)", () =>
        this.#client.send(
          new PutItemCommand({
            TableName: this.#tableName,
            Item: {
              ...claimKey(entry.customerId, entry.key),
              state: { S: entry.outcome },
              settledAt: { N: String(entry.at) },
              campaignId: { S: entry.campaignId },
              ...ttlAttribute(entry.at, this.#retentionDays),
            },
          }),
        ),
      );
    }
    await this.#call("PutItem (log)", () =>
      this.#client.send(
        new PutItemCommand({
          TableName: this.#tableName,
          Item: {
            ...marshall(entry, { removeUndefinedValues: true }),
            sk: { S: `log#${pad(entry.at)}#${entry.key}` },
            ...ttlAttribute(entry.at, this.#retentionDays),
          },
        }),
      ),
    );
  }

  async accepted(intent: Pick<SendIntent, "key" | "customerId">): Promise<SendAcceptance | undefined> {
    const sendRef = sendRefOf(intent.key);
    const out = await this.#call("GetItem (accepted)", () =>
      this.#client.send(
        new GetItemCommand({ TableName: this.#tableName, Key: acceptanceKey(sendRef), ConsistentRead: true }),
      ),
    );
    const messageId = out.Item?.messageId?.S;
    const acceptedAt = Number(out.Item?.acceptedAt?.N);
    if (messageId === undefined || !Number.isFinite(acceptedAt)) return undefined;
    const variant = out.Item?.variant?.S;
    return { sendRef, messageId, acceptedAt, ...(variant === undefined ? {} : { variant }) };
  }

  async recordAccepted(acceptance: SendAcceptance): Promise<void> {
    try {
      await this.#client.send(
        new PutItemCommand({
          TableName: this.#tableName,
          Item: {
            ...acceptanceKey(acceptance.sendRef),
            messageId: { S: acceptance.messageId },
            acceptedAt: { N: String(acceptance.acceptedAt) },
            ...(acceptance.variant === undefined ? {} : { variant: { S: acceptance.variant } }),
            ...ttlAttribute(acceptance.acceptedAt, this.#retentionDays),
          },
          ConditionExpression: "attribute_not_exists(sk)",
        }),
      );
    } catch (error) {
      // Recorded before (a redelivered event): the first record stays.
      if (error instanceof ConditionalCheckFailedException) return;
      throw new DependencyUnavailableError(`PutItem (accepted) on ${this.#tableName} failed`, error);
    }
  }

  async release(intent: Pick<SendIntent, "key" | "customerId">): Promise<void> {
    try {
      await this.#client.send(
        new DeleteItemCommand({
          TableName: this.#tableName,
          Key: claimKey(intent.customerId, intent.key),
          ConditionExpression: "#state = :pending",
          ExpressionAttributeNames: { "#state": "state" },
          ExpressionAttributeValues: { ":pending": { S: PENDING } },
        }),
      );
    } catch (error) {
      // Settled or already gone: nothing to release.
      if (error instanceof ConditionalCheckFailedException) return;
      throw new DependencyUnavailableError(`DeleteItem (release) on ${this.#tableName} failed`, error);
    }
  }

  async lockCustomer(customerId: string, key: string, at: number): Promise<boolean> {
    try {
      await this.#client.send(
        new PutItemCommand({
          TableName: this.#tableName,
          Item: {
            ...lockKey(customerId),
            holder: { S: key },
            lockedAt: { N: String(at) },
            ...ttlAttribute(at, this.#retentionDays),
          },
          ConditionExpression: "attribute_not_exists(sk) OR holder = :key OR lockedAt < :stale",
          ExpressionAttributeValues: { ":key": { S: key }, ":stale": { N: String(at - this.#leaseMs) } },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw new DependencyUnavailableError(`PutItem (lock) on ${this.#tableName} failed`, error);
    }
  }

  async unlockCustomer(customerId: string, key: string): Promise<void> {
    try {
      await this.#client.send(
        new DeleteItemCommand({
          TableName: this.#tableName,
          Key: lockKey(customerId),
          ConditionExpression: "holder = :key",
          ExpressionAttributeValues: { ":key": { S: key } },
        }),
      );
    } catch (error) {
      // Another holder's now (this one's lease ended), or gone: nothing to drop.
      if (error instanceof ConditionalCheckFailedException) return;
      throw new DependencyUnavailableError(`DeleteItem (unlock) on ${this.#tableName} failed`, error);
    }
  }

  async recent(
    customerId: string,
    sinceMs: number,
    limit = DEFAULT_RECENT_LIMIT,
    outcome?: LedgerEntry["outcome"],
  ): Promise<LedgerEntry[]> {
    const bound = Math.max(0, Math.min(MAX_RECENT_LIMIT, Math.floor(limit)));
    const entries: LedgerEntry[] = [];
    let start: Record<string, AttributeValue> | undefined;
    while (entries.length < bound) {
      const out = await this.#call("Query (recent)", () =>
        this.#client.send(
          new QueryCommand({
            TableName: this.#tableName,
            KeyConditionExpression: "customerId = :c AND sk BETWEEN :from AND :to",
            // Filtered after the read: `Limit` counts the items read, so the loop pages on until enough match.
            ...(outcome === undefined ? {} : { FilterExpression: "outcome = :outcome" }),
            ExpressionAttributeValues: {
              ":c": { S: customerId },
              ":from": { S: `log#${pad(sinceMs)}` },
              // `~` sorts after every digit and `#`.
              ":to": { S: "log#~" },
              ...(outcome === undefined ? {} : { ":outcome": { S: outcome } }),
            },
            ScanIndexForward: false,
            ConsistentRead: true,
            Limit: bound - entries.length,
            ExclusiveStartKey: start,
          }),
        ),
      );
      for (const item of out.Items ?? []) {
        const entry = toEntry(item);
        if (entry !== undefined) entries.push(entry);
      }
      start = out.LastEvaluatedKey;
      if (start === undefined) break;
    }
    return entries;
  }

  async #claimState(intent: SendIntent): Promise<string | undefined> {
    const out = await this.#call("GetItem (claim)", () =>
      this.#client.send(
        new GetItemCommand({
          TableName: this.#tableName,
          Key: claimKey(intent.customerId, intent.key),
          ConsistentRead: true,
        }),
      ),
    );
    return out.Item?.state?.S;
  }

  async #call<T>(operation: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw new DependencyUnavailableError(`${operation} on ${this.#tableName} failed`, error);
    }
  }
}
