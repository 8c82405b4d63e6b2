import { type AttributeValue, DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import { KinesisClient } from "@aws-sdk/client-kinesis";
import type { LocalStack } from "#infra/local/local-stack.js";
import { putAll } from "#infra/local/put-records.js";
import { LOCAL_NAMES } from "#infra/local-names.js";
import { DynamoSendLedger } from "#shared/aws/dynamo-send-ledger.js";
import { buildCatalog } from "#shared/sim/catalog.js";
import { buildCustomers } from "#shared/sim/customers.js";
import { SimulatedRecipients } from "#shared/sim/recipients.js";
import { readSentMail } from "#shared/sim/sent-mail.js";

/** What the simulated recipients did with the mail they received. */
export interface RecipientTally {
  mails: number;
  delivered: number;
  opened: number;
  clicked: number;
  bounced: number;
  complained: number;
  orders: number;
}

const KIND: Readonly<Record<string, keyof RecipientTally>> = {
  "Email Delivered": "delivered",
  "Email Opened": "opened",
  "Email Clicked": "clicked",
  "Email Bounced": "bounced",
  "Email Complaint Received": "complained",
};

/** How far the demo moves the clock on for its customers to read their mail. */
export const MAX_ADVANCE_MS = 30 * 60_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Plays the simulated shop's customers as recipients of the mail the stack sent (SES sends no feedback here):
 * their deliveries, opens, clicks, bounces and complaints go to the SES feedback function through the local
 * event bus, as EventBridge would deliver them, and their purchases go on the stream as the shop's app would
 * put them, which starts the next emails. Reactions come within seconds (`meanOpenDelayMs`), for the demo.
 */
export async function playRecipients(
  stack: LocalStack,
  sim: { readonly seed: number; readonly customers: number; readonly start: number },
  options: {
    readonly rounds?: number;
    readonly roundMs?: number;
    /** The stack's clock (reactions fall due on it). @default - the system clock */
    readonly now?: () => number;
    /**
     * Moves the stack's clock forward: given, the loop does not wait for the next reaction but moves the clock
     * to it (up to {@link MAX_ADVANCE_MS} past the first round), runs the time-driven work due by then, and
     * draws each email's reactions from its send's key, so that every run of the same shop reads alike.
     * @default - reactions come in real time, drawn per SES message id
     */
    readonly advanceTo?: (at: number) => void;
  } = {},
): Promise<RecipientTally> {
  const now = options.now ?? Date.now;
  const { advanceTo } = options;
  const dynamodb = new DynamoDBClient({});
  const kinesis = new KinesisClient({});
  const tally: RecipientTally = {
    mails: 0,
    delivered: 0,
    opened: 0,
    clicked: 0,
    bounced: 0,
    complained: 0,
    orders: 0,
  };
  try {
    const recipients = new SimulatedRecipients({
      customers: buildCustomers(sim.seed, sim.customers, sim.start),
      catalog: buildCatalog(sim.seed),
      ledger: new DynamoSendLedger({ client: dynamodb, tableName: LOCAL_NAMES.sendLedgerTable }),
      seed: sim.seed,
      meanOpenDelayMs: 1500,
      reactionStream: advanceTo === undefined ? "message-id" : "send-key",
    });
    const rounds = options.rounds ?? (advanceTo === undefined ? 12 : 200);
    const horizon = now() + MAX_ADVANCE_MS;
    for (let round = 0; round < rounds; round++) {
      const mail = await readSentMail(stack.endpoints.sesv2);
      const fresh = mail.length !== tally.mails;
      tally.mails = mail.length;
      const played = await recipients.play(mail, now());
      for (const event of played.sesEvents) {
        await stack.publishEvent(event);
        const kind = KIND[event["detail-type"]];
        if (kind !== undefined) tally[kind]++;
      }
      if (played.shopEvents.length > 0) {
        tally.orders += played.shopEvents.length;
        await putAll({
          kinesis,
          streamName: LOCAL_NAMES.eventStream,
          records: played.shopEvents.map((record) => ({
            partitionKey: record.partitionKey,
            data: new TextEncoder().encode(JSON.stringify(record.event)),
          })),
        });
      }
      await stack.waitUntilIdle({ timeoutMs: 120_000 });
      const quiet = !fresh && played.sesEvents.length === 0 && played.shopEvents.length === 0;
      if (advanceTo === undefined) {
        if (round > 2 && recipients.pending === 0 && played.sesEvents.length === 0) break;
        await sleep(options.roundMs ?? 1000);
        continue;
      }
      // Mail may still be on its way (the ledger entry after the send): look again before moving on.
      if (!quiet || played.skipped.length > 0) continue;
      const next = recipients.nextAt;
      if (next === undefined || next > horizon) break;
      advanceTo(next);
      await stack.runSchedulesNow();
      await stack.waitUntilIdle({ timeoutMs: 120_000 });
    }
    return tally;
  } finally {
    dynamodb.destroy();
    kinesis.destroy();
  }
}

/** The send ledger's decisions, counted: outcomes, and the most frequent reasons not to send. */
export interface LedgerTally {
  readonly byOutcome: ReadonlyMap<string, number>;
  readonly byCampaign: ReadonlyMap<string, number>;
  readonly reasons: readonly (readonly [string, number])[];
  /** The customers who were sent an email, those sent the most first. */
  readonly sentTo: readonly string[];
}

/**
 * Reads the (local, small) ledger log: every decision, or those made at or after `since` (epoch ms), so a run
 * on a data dir that holds earlier runs counts its own.
 */
export async function tallyLedger(since = 0): Promise<LedgerTally> {
  const client = new DynamoDBClient({});
  const byOutcome = new Map<string, number>();
  const byCampaign = new Map<string, number>();
  const reasons = new Map<string, number>();
  const sentTo = new Map<string, number>();
  const bump = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
  try {
    let start: Record<string, AttributeValue> | undefined;
    do {
      const out = await client.send(
        new ScanCommand({
          TableName: LOCAL_NAMES.sendLedgerTable,
          FilterExpression: "begins_with(sk, :log) AND #at >= :since",
          ExpressionAttributeNames: { "#at": "at" },
          ExpressionAttributeValues: { ":log": { S: "log#" }, ":since": { N: String(since) } },
          ExclusiveStartKey: start,
        }),
      );
      for (const item of out.Items ?? []) {
        const outcome = item.outcome?.S ?? "?";
        bump(byOutcome, outcome);
        if (outcome === "sent") {
          bump(byCampaign, item.campaignId?.S ?? "?");
          const customer = item.customerId?.S;
          if (customer !== undefined) bump(sentTo, customer);
        }
        // Reasons without the per-customer detail: "quiet hours until 08:00 Europe/Paris" → "quiet hours".
        const reason = item.reason?.S;
        if (reason !== undefined && outcome !== "sent") bump(reasons, reason.replace(/ until .*$/, ""));
      }
      start = out.LastEvaluatedKey;
    } while (start !== undefined);
  } finally {
    client.destroy();
  }
  return {
    byOutcome,
    byCampaign,
    // Most frequent first; ties by reason, so the summary is the same whichever order the sends were decided in.
    reasons: [...reasons.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 5),
    sentTo: [...sentTo.entries()].sort((a, b) => b[1] - a[1]).map(([customer]) => customer),
  };
}
