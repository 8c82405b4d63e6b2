import { createHash } from "node:crypto";
import { DynamoDBClient, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { KinesisClient, ListShardsCommand } from "@aws-sdk/client-kinesis";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalStack } from "#infra/local/local-stack.js";
import { LOCAL_NAMES } from "#infra/local-names.js";
import { DynamoSendLedger } from "#shared/aws/dynamo-send-ledger.js";
import { profileKey } from "#shared/aws/profile-key.js";
import type { LedgerEntry } from "#shared/domain/campaigns/index.js";
import type { SentMail } from "#shared/sim/sent-mail.js";
import { tempDir } from "#test/local/helpers.js";
import { mailTo as mailToCustomer, putOnStream, tickAt } from "#test/local/stream-session.js";
import { TestClock } from "#test/local/test-clock.js";
import { startTestStack } from "#test/local/test-stack.js";

/**
 * Campaigns end to end on the local stack, with real handlers behind their pollers and a clock the test moves:
 * events on the stream → ingest → journeys (send timers) → the timers rule → the sends queue → dispatch → the
 * SES emulator; and the unsubscribe link through the local HTTP API back onto the stream.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** 13:00 UTC: the cart reminders of a 13:00 add fall due at 17:00 UTC, outside quiet hours. */
const T0 = Date.UTC(2026, 10, 23, 13);

const clock = new TestClock(T0);
const temp = tempDir("tailor-e2e-");
let stack: LocalStack;
let kinesis: KinesisClient;
let ledger: DynamoSendLedger;
let dynamodb: DynamoDBClient;
let sequence = 0;
/** The records of the first batch, kept to replay them. */
let firstBatch: Record<string, unknown>[] = [];

function track(customerId: string, event: string, at: number, properties: Record<string, unknown> = {}) {
  sequence++;
  return {
    type: "track",
    event,
    messageId: `e2e-${sequence}-${customerId}`,
    userId: customerId,
    timestamp: new Date(at).toISOString(),
    properties,
  };
}

/** A reachable customer: an email address, a first name, marketing consent; a time zone when given. */
function signUp(customerId: string, at: number, traits: Record<string, unknown> = {}) {
  sequence++;
  return [
    {
      type: "identify",
      messageId: `e2e-${sequence}-${customerId}`,
      userId: customerId,
      timestamp: new Date(at).toISOString(),
      traits: { email: `${customerId}@example.com`, first_name: "Ada", ...traits },
    },
    track(customerId, "Consent Updated", at, { purpose: "marketing_email", granted: true }),
  ];
}

/** The anonymous visitor of the identity test, and the customer she becomes. */
const VISITOR = "e2e-visitor-2";
const SIGNED_UP = "e2e-h";

/** The visitor's cart add, before she has a userId: two pairs of a 61.00 product. */
function anonymousAdd(at: number) {
  sequence++;
  const { userId: _none, ...event } = track(VISITOR, "Product Added", at, {
    product_id: "p-anon-1",
    category: "shoes",
    price: 61,
    quantity: 2,
  });
  return { ...event, anonymousId: VISITOR };
}

const addToCart = (customerId: string, at: number) =>
  track(customerId, "Product Added", at, { product_id: "p-001", category: "shoes", price: 80, quantity: 1 });

const put = (events: readonly Record<string, unknown>[]) => putOnStream(stack, kinesis, events);
/** What a minute passing does at the clock's time: due timers fire, their sends are dispatched. */
const tick = (at: number) => tickAt(stack, clock, at);
const mailTo = (customerId: string) => mailToCustomer(stack, customerId);

async function ledgerOf(customerId: string): Promise<LedgerEntry[]> {
  return ledger.recent(customerId, T0 - 30 * 24 * HOUR, 100);
}

function header(mail: SentMail, name: string): string | undefined {
  return mail.headers.find((h) => h.name.toLowerCase() === name.toLowerCase())?.value;
}

beforeAll(async () => {
  // Ticks come from the test (runSchedulesNow), never from wall-clock time.
  stack = await startTestStack({
    dataDir: temp.dir,
    clock,
    env: { CAMPAIGNS_DIR: "test/e2e/fixtures/campaigns" },
    // Two shards: the anonymous visitor's events and her sign-up are ingested by different shards' batches.
    streamShards: 2,
  });
  kinesis = new KinesisClient({});
  dynamodb = new DynamoDBClient({});
  ledger = new DynamoSendLedger({ client: dynamodb, tableName: LOCAL_NAMES.sendLedgerTable });

  // 13:00 — everyone signs up; A, B, C and D add to cart; C unsubscribes first; E asks for two emails.
  firstBatch = [
    ...signUp("e2e-a", T0 - MINUTE, { first_name: "<script>alert(1)</script>" }),
    ...signUp("e2e-b", T0 - MINUTE),
    ...signUp("e2e-c", T0 - MINUTE),
    ...signUp("e2e-e", T0 - MINUTE),
    track("e2e-c", "Unsubscribed", T0 - MINUTE, { purpose: "marketing_email" }),
    ...signUp("e2e-f", T0 - MINUTE),
    track("e2e-f", "Email Bounced", T0 - MINUTE, { message_id: "ses-earlier", bounce_type: "Permanent" }),
    addToCart("e2e-a", T0),
    addToCart("e2e-b", T0),
    addToCart("e2e-c", T0),
    addToCart("e2e-f", T0),
    ...signUp("e2e-g", T0 - MINUTE),
    addToCart("e2e-g", T0),
    track("e2e-e", "Wishlist Added", T0, { product_id: "p-002" }),
  ];
  await put(firstBatch);
  // An anonymous visitor fills a cart; half an hour later she signs up (another partition key, another shard).
  await put([anonymousAdd(T0)]);
  clock.at = T0 + 30 * MINUTE;
  await put(signUp(SIGNED_UP, T0 + 30 * MINUTE).map((event) => ({ ...event, anonymousId: VISITOR })));
  clock.at = T0 + 5 * MINUTE;
  await put([track("e2e-e", "Coupon Requested", T0 + 5 * MINUTE)]);
  // 14:00 — B buys before the reminder is due.
  clock.at = T0 + HOUR;
  await put([
    track("e2e-b", "Order Completed", T0 + HOUR, { order_id: "o-b", total: 80, currency: "EUR" }),
    // G withdraws marketing consent after the journey started and before the reminder is due.
    track("e2e-g", "Consent Updated", T0 + HOUR, { purpose: "marketing_email", granted: false }),
  ]);
  // 17:00 — the 4 h reminders fall due; D (Paris) adds to cart, due at 21:00 UTC = 22:00 in Paris.
  await tick(T0 + 4 * HOUR + MINUTE);
  await put([
    ...signUp("e2e-d", T0 + 4 * HOUR, { timezone: "Europe/Paris" }),
    addToCart("e2e-d", T0 + 4 * HOUR),
  ]);
  await tick(T0 + 8 * HOUR + MINUTE);
}, 120_000);

afterAll(async () => {
  kinesis?.destroy();
  dynamodb?.destroy();
  await stack?.stop();
  temp.remove();
});

/** Puts e2e-a's first cart reminder (its intent, as ingest made it) on the sends queue again, and waits. */
async function redeliverCartReminder(): Promise<void> {
  const sqs = new SQSClient({});
  const QueueUrl = stack.plan.queues.find((q) => q.name === LOCAL_NAMES.sendsQueue)?.url;
  await sqs.send(
    new SendMessageCommand({
      QueueUrl,
      MessageBody: JSON.stringify({
        key: `cart-abandonment#e2e-a#${T0}#0`,
        campaignId: "cart-abandonment",
        customerId: "e2e-a",
        occurrence: String(T0),
        step: 0,
        template: "cart-abandonment",
        dueAt: T0 + 4 * HOUR,
        startedAt: T0,
      }),
    }),
  );
  sqs.destroy();
  await stack.waitUntilIdle({ timeoutMs: 90_000 });
}

describe("campaigns on the local stack", () => {
  it("sends the cart reminder once, after the delay, personalised and escaped", async () => {
    const mail = await mailTo("e2e-a");
    expect(mail).toHaveLength(1);
    const sent = mail[0];
    if (sent === undefined) throw new Error("no mail");
    expect(sent.html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(sent.html).not.toContain("<script>alert(1)");
    expect(header(sent, "List-Unsubscribe-Post")).toBe("List-Unsubscribe=One-Click");
    const entries = await ledgerOf("e2e-a");
    expect(entries.filter((e) => e.outcome === "sent")).toEqual([
      expect.objectContaining({
        campaignId: "cart-abandonment",
        messageId: sent.messageId,
      }),
    ]);
  });

  it("sends the anonymous cart's reminder to the customer the visitor became, once, with the anonymous cart", async () => {
    // The two ids hash to different shards, so the cart add and the sign-up were ingested by different batches.
    const out = await kinesis.send(new ListShardsCommand({ StreamName: LOCAL_NAMES.eventStream }));
    const shardOf = (key: string) => {
      const hash = BigInt(`0x${createHash("md5").update(key).digest("hex")}`);
      return out.Shards?.find(
        (shard) =>
          BigInt(shard.HashKeyRange?.StartingHashKey ?? "0") <= hash &&
          hash <= BigInt(shard.HashKeyRange?.EndingHashKey ?? "0"),
      )?.ShardId;
    };
    expect(shardOf(VISITOR)).not.toBe(shardOf(SIGNED_UP));

    const mail = await mailTo(SIGNED_UP);
    expect(mail).toHaveLength(1);
    expect(mail[0]?.html).toContain("Your cart (2 items)");
    expect(mail[0]?.html).toContain("× 2");
    const sent = (await ledgerOf(SIGNED_UP)).filter((e) => e.outcome === "sent");
    expect(sent).toEqual([
      expect.objectContaining({
        campaignId: "cart-abandonment",
        key: `cart-abandonment#${SIGNED_UP}#${T0}#0`,
      }),
    ]);
    // The visitor's id is no profile of its own any more: its key forwards to the customer.
    const item = await dynamodb.send(
      new GetItemCommand({ TableName: LOCAL_NAMES.profileTable, Key: { pk: { S: profileKey(VISITOR) } } }),
    );
    expect(item.Item?.fw?.S).toBe(SIGNED_UP);
  });

  it("sends nothing to a customer who bought in the meantime, and says why", async () => {
    expect(await mailTo("e2e-b")).toEqual([]);
    expect(await ledgerOf("e2e-b")).toContainEqual(
      expect.objectContaining({
        campaignId: "cart-abandonment",
        outcome: "skipped",
        reason: "exited: Order Completed",
      }),
    );
  });

  it("sends nothing to an unsubscribed customer", async () => {
    expect(await mailTo("e2e-c")).toEqual([]);
    expect(await ledgerOf("e2e-c")).toContainEqual(
      expect.objectContaining({ outcome: "skipped", reason: "suppressed: unsubscribed" }),
    );
  });

  it("checks consent at send time: a withdrawal after the journey started stops the reminder", async () => {
    expect(await mailTo("e2e-g")).toEqual([]);
    expect(await ledgerOf("e2e-g")).toContainEqual(
      expect.objectContaining({ outcome: "skipped", reason: "no consent: marketing_email withdrawn" }),
    );
  });

  it("sends nothing to a suppressed (hard-bounced) customer", async () => {
    expect(await mailTo("e2e-f")).toEqual([]);
    expect(await ledgerOf("e2e-f")).toContainEqual(
      expect.objectContaining({ outcome: "skipped", reason: "suppressed: hard bounce" }),
    );
  });

  it("holds the frequency cap across two campaigns", async () => {
    const mail = await mailTo("e2e-e");
    expect(mail).toHaveLength(1);
    const entries = await ledgerOf("e2e-e");
    expect(entries).toContainEqual(expect.objectContaining({ campaignId: "wishlist", outcome: "sent" }));
    expect(entries).toContainEqual(
      expect.objectContaining({
        campaignId: "coupon",
        outcome: "skipped",
        reason: "capped: 1 marketing email in 1 day",
      }),
    );
  });

  it("defers a send that falls in the customer's quiet hours to the next allowed minute, then sends it", async () => {
    expect(await mailTo("e2e-d")).toEqual([]);
    expect(await ledgerOf("e2e-d")).toContainEqual(
      expect.objectContaining({ outcome: "deferred", reason: "quiet hours until 08:00 Europe/Paris" }),
    );
    // 08:00 in Paris is 07:00 UTC the next day.
    await tick(Date.UTC(2026, 10, 24, 7, 0));
    expect(await mailTo("e2e-d")).toHaveLength(1);
  });

  it("never sends twice: a replayed event and a redelivered intent send nothing more", async () => {
    const sentBefore = await mailTo("e2e-a");
    // The whole first batch put again (a replayed batch), and the same add sent again by the app under a new id.
    await put(firstBatch);
    await put([{ ...addToCart("e2e-a", T0), messageId: "e2e-duplicate-a" }]);
    // The intent itself delivered again to the sends queue.
    await redeliverCartReminder();
    expect(await mailTo("e2e-a")).toEqual(sentBefore);
    // The replayed custom event re-creates the wishlist intent under the same key: the ledger drops it.
    expect(await mailTo("e2e-e")).toHaveLength(1);
  });

  it("refuses a tampered unsubscribe token; a valid one unsubscribes and the next step skips the customer", async () => {
    const sent = (await mailTo("e2e-a"))[0];
    if (sent === undefined) throw new Error("no mail");
    const link = /<([^>]+)>/.exec(header(sent, "List-Unsubscribe") ?? "")?.[1];
    expect(link).toMatch(/\/unsubscribe\?t=/);
    const url = new URL(link ?? "");
    const token = url.searchParams.get("t") ?? "";
    const local = `${stack.apiUrl}/unsubscribe`;
    const tampered = `${token.slice(0, 5)}${token[5] === "A" ? "B" : "A"}${token.slice(6)}`;
    const oneClick = {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "List-Unsubscribe=One-Click",
    };

    const refused = await fetch(`${local}?t=${encodeURIComponent(tampered)}`, oneClick);
    const page = await fetch(`${local}?t=${encodeURIComponent(token)}`);
    const accepted = await fetch(`${local}?t=${encodeURIComponent(token)}`, oneClick);
    await stack.waitUntilIdle({ timeoutMs: 90_000 });

    expect(refused.status).toBe(403);
    expect(page.status).toBe(200);
    expect(accepted.status).toBe(200);
    // The 48 h reminder falls due: the customer is now suppressed.
    await tick(T0 + 48 * HOUR + MINUTE);
    expect(await mailTo("e2e-a")).toHaveLength(1);
    expect(await ledgerOf("e2e-a")).toContainEqual(
      expect.objectContaining({
        key: `cart-abandonment#e2e-a#${T0}#1`,
        outcome: "skipped",
        reason: "suppressed: unsubscribed",
      }),
    );
  });

  it("publishes SES's Send event of every accepted email, which the feedback path records in the ledger", async () => {
    const key = `cart-abandonment#e2e-a#${T0}#0`;
    const [mail] = await mailTo("e2e-a");
    const sent = (await ledgerOf("e2e-a")).find((entry) => entry.key === key && entry.outcome === "sent");
    expect(mail?.messageId).toBeDefined();
    expect(sent?.messageId).toBe(mail?.messageId);
    expect(await ledger.accepted({ key, customerId: "e2e-a" })).toMatchObject({ messageId: mail?.messageId });
  });

  it("a send whose attempt died after SES accepted it is recorded from its Send event, not sent again", async () => {
    // GIVEN the cart reminder of e2e-a as a crash would leave it: accepted by SES, its claim pending, expired.
    const key = `cart-abandonment#e2e-a#${T0}#0`;
    const before = await mailTo("e2e-a");
    clock.at = T0 + 9 * HOUR;
    await dynamodb.send(
      new PutItemCommand({
        TableName: LOCAL_NAMES.sendLedgerTable,
        Item: {
          customerId: { S: "e2e-a" },
          sk: { S: `key#${key}` },
          state: { S: "pending" },
          claimedAt: { N: String(T0 + 9 * HOUR - 10 * MINUTE) },
          campaignId: { S: "cart-abandonment" },
        },
      }),
    );
    // WHEN its message comes back to dispatch
    await redeliverCartReminder();
    // THEN nothing more went out, and the claim is settled
    expect(await mailTo("e2e-a")).toEqual(before);
    const settled = await dynamodb.send(
      new GetItemCommand({
        TableName: LOCAL_NAMES.sendLedgerTable,
        Key: { customerId: { S: "e2e-a" }, sk: { S: `key#${key}` } },
        ConsistentRead: true,
      }),
    );
    expect(settled.Item?.state?.S).toBe("sent");
  });
});
