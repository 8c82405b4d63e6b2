import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { KinesisClient } from "@aws-sdk/client-kinesis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalStack } from "#infra/local/local-stack.js";
import { putAll } from "#infra/local/put-records.js";
import { LOCAL_NAMES } from "#infra/local-names.js";
import { readCampaignTotals } from "#shared/app/experiments/campaign-totals.js";
import { DynamoExperimentCounters } from "#shared/aws/dynamo-experiment-counters.js";
import { DynamoSendLedger } from "#shared/aws/dynamo-send-ledger.js";
import { reportModel } from "#shared/domain/experiments/report-model.js";
import { buildCatalog } from "#shared/sim/catalog.js";
import { type RecipientCustomer, SimulatedRecipients } from "#shared/sim/recipients.js";
import { readSentMail } from "#shared/sim/sent-mail.js";
import { tempDir } from "../local/helpers.js";
import { TestClock } from "../local/test-clock.js";
import { startTestStack } from "../local/test-stack.js";

/**
 * An experiment end to end on the local stack: customers ask for offers, dispatch splits them between variants
 * a and b and a holdout, the simulated recipients click b 2.5 times as often as a (its true effect), their
 * feedback and orders flow back through SES feedback and ingest into the experiment counters, and the report
 * built from those counters finds that b wins on clicks.
 */

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 10, 23, 10);
// Enough for the verdict with a wide margin (b's click rate is two to three times a's: p about 0.0002 at this
// size, against 0.05) and for the split's bounds below, which scale with it.
const CUSTOMERS = 200;
const SEED = 7;
const DEMO_CATALOG_SEED = 42;
const encoder = new TextEncoder();

const clock = new TestClock(T0);
const temp = tempDir("tailor-experiment-");
let stack: LocalStack;
let dynamodb: DynamoDBClient;

const customerId = (i: number) => `ab-${String(i).padStart(4, "0")}`;

beforeAll(async () => {
  stack = await startTestStack({
    dataDir: temp.dir,
    clock,
    env: { CAMPAIGNS_DIR: "test/e2e/fixtures/experiment", SEND_RATE_PER_SECOND: "10000" },
  });
  dynamodb = new DynamoDBClient({});
  const kinesis = new KinesisClient({});
  const events = Array.from({ length: CUSTOMERS }, (_, i) => {
    const id = customerId(i);
    const stamp = (ms: number) => new Date(ms).toISOString();
    return [
      {
        type: "identify",
        messageId: `id-${id}`,
        userId: id,
        timestamp: stamp(T0 - 60_000),
        traits: { email: `${id}@example.com`, first_name: "Sam" },
      },
      {
        type: "track",
        event: "Consent Updated",
        messageId: `cs-${id}`,
        userId: id,
        timestamp: stamp(T0 - 60_000),
        properties: { purpose: "marketing_email", granted: true },
      },
      {
        type: "track",
        event: "Offers Requested",
        messageId: `or-${id}`,
        userId: id,
        timestamp: stamp(T0),
        properties: {},
      },
    ];
  }).flat();
  await putAll({
    kinesis,
    streamName: LOCAL_NAMES.eventStream,
    records: events.map((event) => ({
      partitionKey: event.userId,
      data: encoder.encode(JSON.stringify(event)),
    })),
  });
  await stack.waitUntilIdle({ timeoutMs: 120_000 });

  // The recipients read their mail a day later: deliveries, opens, clicks (b is twice as appealing), orders.
  const customers: RecipientCustomer[] = Array.from({ length: CUSTOMERS }, (_, i) => ({
    id: customerId(i),
    persona: "bargain_hunter",
    emailEngagement: 0.8,
    traits: { email: `${customerId(i)}@example.com` },
  }));
  const recipients = new SimulatedRecipients({
    customers,
    // The shop the dispatcher recommends from (the simulator's demo catalog), so product links are recognised.
    catalog: buildCatalog(DEMO_CATALOG_SEED),
    ledger: new DynamoSendLedger({ client: dynamodb, tableName: LOCAL_NAMES.sendLedgerTable }),
    seed: SEED,
    meanOpenDelayMs: 60_000,
    variantAppeal: { b: 2.5 },
    rates: { permanentBounce: 0, complaint: 0 },
  });
  clock.at = T0 + 24 * HOUR;
  const played = await recipients.play(await readSentMail(stack.endpoints.sesv2), clock.now());
  for (const event of played.sesEvents) await stack.publishEvent(event);
  if (played.shopEvents.length > 0) {
    await putAll({
      kinesis,
      streamName: LOCAL_NAMES.eventStream,
      records: played.shopEvents.map((r) => ({
        partitionKey: r.partitionKey,
        data: encoder.encode(JSON.stringify(r.event)),
      })),
    });
  }
  await stack.waitUntilIdle({ timeoutMs: 120_000 });
  kinesis.destroy();
}, 240_000);

afterAll(async () => {
  dynamodb?.destroy();
  await stack?.stop();
  temp.remove();
});

/** Each customer whose ledger holds no `sent` or `holdout` entry for the test, with what it holds instead. */
async function outcomesOtherThanSent(client: DynamoDBClient): Promise<string[]> {
  const ledger = new DynamoSendLedger({ client, tableName: LOCAL_NAMES.sendLedgerTable });
  const out: string[] = [];
  for (let i = 0; i < CUSTOMERS; i++) {
    const entries = (await ledger.recent(customerId(i), 0, 50)).filter((e) => e.campaignId === "ab-test");
    if (entries.some((e) => e.outcome === "sent" || e.outcome === "holdout")) continue;
    const what = entries.map((e) => `${e.outcome}${e.reason === undefined ? "" : ` (${e.reason})`}`);
    out.push(`${customerId(i)}: ${what.length === 0 ? "no ledger entry" : what.join(", ")}`);
  }
  return out;
}

describe("an A/B test on the local stack", () => {
  it("counts every arm incrementally, and the report finds that b beats a on clicks", async () => {
    const counters = new DynamoExperimentCounters({ client: dynamodb, tableName: LOCAL_NAMES.segmentsTable });
    const [totals] = await readCampaignTotals(
      counters,
      [{ id: "ab-test", name: "Newsletter A/B test" }],
      "USD",
    );
    if (totals === undefined) throw new Error("no counters for ab-test");
    // An arm's totals over every segment (lifecycle stage) it was counted in.
    const arm = (variant: string) => {
      const own = totals.arms.filter((a) => a.variant === variant);
      const sum = (field: "sent" | "delivered" | "clicked" | "converted") =>
        own.reduce((n, a) => n + a[field], 0);
      return {
        sent: sum("sent"),
        delivered: sum("delivered"),
        clicked: sum("clicked"),
        converted: sum("converted"),
      };
    };

    // Every customer is in exactly one arm; the holdout got no email.
    const sent = ["a", "b", "holdout"].map((v) => arm(v)?.sent ?? 0);
    const counted = sent.reduce((x, y) => x + y, 0);
    // When one is missing, the ledger says what happened to it (the message names the customer and the outcome).
    const unsettled = counted === CUSTOMERS ? [] : await outcomesOtherThanSent(dynamodb);
    expect(counted, `counted ${counted} of ${CUSTOMERS}: ${unsettled.join("; ")}`).toBe(CUSTOMERS);
    expect(arm("holdout")?.delivered ?? 0).toBe(0);
    expect(arm("a")?.delivered).toBe(arm("a")?.sent);
    expect(arm("b")?.delivered).toBe(arm("b")?.sent);
    // Weights 1:1 within sampling error (about 3 standard deviations), a holdout near 10 % (4 to 17.5 %).
    expect(Math.abs((arm("a")?.sent ?? 0) - (arm("b")?.sent ?? 0))).toBeLessThan(CUSTOMERS / 5);
    expect(arm("holdout")?.sent ?? 0).toBeGreaterThan(CUSTOMERS * 0.04);
    expect(arm("holdout")?.sent ?? 0).toBeLessThan(CUSTOMERS * 0.175);

    const report = reportModel([totals], { confidence: 0.95, minimumDetectableEffect: 0.2 });
    const text = JSON.stringify(report);
    expect(text).toMatch(/B beats A on clicks/);
    // Orders after a click are attributed to the clicked variant's arm.
    expect((arm("a")?.converted ?? 0) + (arm("b")?.converted ?? 0)).toBeGreaterThan(0);
  });
});
