import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import { KinesisClient, PutRecordsCommand } from "@aws-sdk/client-kinesis";
import { SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importCommand, localIngestSink } from "#cli/import-command.js";
import { DEFAULT_MAPPING } from "#cli/import-mapping.js";
import { type ImportReport, runImport } from "#cli/import-run.js";
import { readLibrary } from "#cli/segment-library.js";
import type { LocalStack } from "#infra/local/local-stack.js";
import { LOCAL_NAMES } from "#infra/local-names.js";
import { DynamoProfileStore } from "#shared/aws/dynamo-profile-store.js";
import { DynamoSendLedger } from "#shared/aws/dynamo-send-ledger.js";
import { SEND_TIMER_NAMESPACE } from "#shared/aws/dynamo-send-timers.js";
import { SqsTransitionPublisher } from "#shared/aws/sqs-transition-publisher.js";
import { readSentMail } from "#shared/sim/sent-mail.js";
import { tempDir } from "#test/local/helpers.js";
import { TestClock } from "#test/local/test-clock.js";
import { startTestStack } from "#test/local/test-stack.js";
import { captureOutput } from "#test/support/capture-output.js";

/**
 * `tailor import` against the whole local stack (real handlers behind their pollers), with campaigns that would
 * send at once for every trigger the history holds: a sign-up (welcome), orders (post-purchase), a lapse
 * (win-back). The history is folded (orders counted once, RFM inputs right) and sends nothing, a re-run changes
 * nothing, and a live event afterwards still starts its journey.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 10, 23, 13);
const iso = (ms: number) => new Date(ms).toISOString();

const clock = new TestClock(T0);
const temp = tempDir("tailor-import-");
let stack: LocalStack;
let dynamodb: DynamoDBClient;
let sqs: SQSClient;
let profiles: DynamoProfileStore;
let file: string;
let first: ImportReport;

const header =
  "customer_id,email,first_name,created_at,marketing_consent,order_id,ordered_at,currency,total,product_id,category,price,quantity";
const csv = [
  header,
  // h-1: signed up an hour ago (a live welcome), two orders, the second of two lines two hours ago.
  `h-1,h-1@example.com,Ada,${iso(T0 - HOUR)},yes,o-1,${iso(T0 - 30 * DAY)},EUR,40.00,p-1,shoes,40.00,1`,
  `h-1,h-1@example.com,Ada,${iso(T0 - HOUR)},yes,o-2,${iso(T0 - 2 * HOUR)},EUR,70.50,p-2,bags,30.25,1`,
  `h-1,h-1@example.com,Ada,${iso(T0 - HOUR)},yes,o-2,${iso(T0 - 2 * HOUR)},EUR,70.50,p-3,bags,20.00,2`,
  // h-2: one order 100 days ago: lapsed (a live win-back).
  `h-2,h-2@example.com,Bo,,true,o-3,2026-08-15 10:00:00,EUR,25,p-1,shoes,25,1`,
  // h-3: a customer without orders.
  `h-3,h-3@example.com,Cy,${iso(T0 - 3 * DAY)},no,,,,,,,,`,
  // Refused: no customer id; a date that is not one; a price that is not a number; a quantity of 0.
  `,x@example.com,X,,,o-9,${iso(T0 - DAY)},EUR,1,p-1,,1,1`,
  "h-4,h-4@example.com,Di,,,o-4,yesterday,EUR,1,p-1,,1,1",
  `h-5,h-5@example.com,Ed,,,o-5,${iso(T0 - DAY)},EUR,1,p-1,,1.2.3,1`,
  `h-6,h-6@example.com,Fa,,,o-6,${iso(T0 - DAY)},EUR,1,p-1,,1,0`,
].join("\n");

function importNow(): Promise<ImportReport> {
  const queue = stack.plan.queues.find((q) => q.name === LOCAL_NAMES.transitionsQueue);
  if (queue === undefined) throw new Error("no transitions queue");
  const publisher = new SqsTransitionPublisher({ client: sqs, queueUrl: queue.url });
  return runImport({
    file,
    format: "csv",
    mapping: DEFAULT_MAPPING,
    sink: localIngestSink(dynamodb, readLibrary(undefined), publisher, clock),
    now: clock.now(),
    customersPerDelivery: 2,
  });
}

async function mailTo(customerId: string) {
  const mail = await readSentMail(stack.endpoints.sesv2);
  return mail.filter((m) => m.to.some((to) => to.includes(`${customerId}@example.com`)));
}

/** The campaigns of the send timers standing for a customer (read with a scan: reading due timers moves a cursor). */
async function sendTimersOf(customerId: string): Promise<string[]> {
  const out = await dynamodb.send(new ScanCommand({ TableName: LOCAL_NAMES.timersTable }));
  return (out.Items ?? [])
    .filter((item) => item.b?.S?.startsWith(`${SEND_TIMER_NAMESPACE}#`) && !item.b.S.includes("#idx#"))
    .map((item) => item.k?.S ?? "")
    .filter((key) => key.includes(`#${customerId}#`))
    .map((key) => key.split("#")[1] ?? "");
}

async function stored(customerId: string) {
  const found = await profiles.get(customerId);
  if (found === undefined) throw new Error(`no profile for ${customerId}`);
  return found;
}

beforeAll(async () => {
  stack = await startTestStack({
    dataDir: temp.dir,
    clock,
    env: { CAMPAIGNS_DIR: "test/local/fixtures/import-campaigns" },
  });
  dynamodb = new DynamoDBClient({});
  sqs = new SQSClient({});
  profiles = new DynamoProfileStore({ client: dynamodb, tableName: LOCAL_NAMES.profileTable });
  file = path.join(temp.dir, "history.csv");
  writeFileSync(file, csv);
  first = await importNow();
  await stack.waitUntilIdle({ timeoutMs: 90_000 });
  // A minute later every timer due by then has fired, and every send queued has been dispatched.
  clock.at = T0 + MINUTE;
  await stack.runSchedulesNow();
  await stack.waitUntilIdle({ timeoutMs: 90_000 });
});

afterAll(async () => {
  await stack?.stop();
  dynamodb?.destroy();
  sqs?.destroy();
  temp.remove();
});

describe("tailor import into the local stack", () => {
  it("imports the good rows and refuses the bad ones with line, field and rule", () => {
    expect(first.rows).toBe(9);
    expect(first.rowsImported).toBe(5);
    expect(first.customers).toBe(3);
    expect(first.orders).toBe(3);
    expect(first.profilesWritten).toBe(3);
    expect(first.refused.map((r) => [r.line, r.field, r.rule])).toEqual([
      [7, "customer_id", "required"],
      [8, "ordered_at", "time"],
      [9, "price", "number"],
      [10, "quantity", "integer"],
    ]);
  });

  it("counts each order once with its lines, at its original time: the RFM inputs", async () => {
    const { profile } = await stored("h-1");
    expect(profile.o?.n).toBe(2);
    // EUR minor units: 40.00 + 70.50.
    expect(profile.o?.r).toBe(11_050);
    expect(profile.o?.f).toBe(T0 - 30 * DAY);
    expect(profile.o?.l).toBe(T0 - 2 * HOUR);
    expect(profile.bp).toEqual(expect.arrayContaining(["p-1", "p-2", "p-3"]));
    expect(profile.lc.s).toBe("repeat_buyer");
    expect(profile.t?.email).toBe("h-1@example.com");
    expect(profile.c?.marketing_email?.g).toBe(true);
    // Signed up an hour ago, first order a month ago: first seen is the order.
    expect(profile.fs).toBe(T0 - 30 * DAY);
  });

  it("puts a lapsed customer in the lapsed segment, with its lifecycle timer, and leaves no outbox", async () => {
    const { profile } = await stored("h-2");
    expect(profile.lc.s).toBe("lapsed");
    expect(profile.sg?.lapsed).toBeDefined();
    expect(profile.tm).toBeGreaterThan(T0);
    for (const id of ["h-1", "h-2", "h-3"]) {
      const { profile: p } = await stored(id);
      expect(p.ob ?? []).toEqual([]);
      expect(p.oi ?? []).toEqual([]);
    }
  });

  it("sends nothing: no email, no send timer, no ledger entry", async () => {
    for (const id of ["h-1", "h-2", "h-3"]) expect(await mailTo(id)).toEqual([]);
    for (const id of ["h-1", "h-2", "h-3"]) expect(await sendTimersOf(id)).toEqual([]);
    const ledger = new DynamoSendLedger({ client: dynamodb, tableName: LOCAL_NAMES.sendLedgerTable });
    for (const id of ["h-1", "h-2", "h-3"]) expect(await ledger.recent(id, T0 - 400 * DAY, 10)).toEqual([]);
  });

  it("changes nothing when run again", async () => {
    const before = await Promise.all(["h-1", "h-2", "h-3"].map(stored));
    const again = await importNow();
    expect(again.profilesWritten).toBe(0);
    expect(again.profilesUnchanged).toBe(3);
    expect(again.duplicates).toBe(again.events);
    const after = await Promise.all(["h-1", "h-2", "h-3"].map(stored));
    expect(after.map((s) => s.profile.version)).toEqual(before.map((s) => s.profile.version));
    expect(after.map((s) => s.profile.o)).toEqual(before.map((s) => s.profile.o));
  });

  it("leaves live behaviour alone: a live cart add of an imported customer starts its journey", async () => {
    const kinesis = new KinesisClient({});
    const event = {
      type: "track",
      event: "Product Added",
      messageId: "live-1",
      userId: "h-1",
      timestamp: iso(T0 + MINUTE),
      properties: { product_id: "p-9", price: 10, quantity: 1, currency: "EUR" },
    };
    await kinesis.send(
      new PutRecordsCommand({
        StreamName: LOCAL_NAMES.eventStream,
        Records: [{ PartitionKey: "h-1", Data: new TextEncoder().encode(JSON.stringify(event)) }],
      }),
    );
    kinesis.destroy();
    await stack.waitUntilIdle({ timeoutMs: 90_000 });
    expect(await sendTimersOf("h-1")).toEqual(["cart-abandonment"]);
    clock.at = T0 + HOUR + 2 * MINUTE;
    await stack.runSchedulesNow();
    await stack.waitUntilIdle({ timeoutMs: 90_000 });
    expect(await mailTo("h-1")).toHaveLength(1);
  });

  it("honours context.tailor.historical on the stream too: folded, no welcome, no post-purchase", async () => {
    const kinesis = new KinesisClient({});
    // s-1's history is marked; s-2 sends the same events live, and gets its emails.
    const signUpAndOrder = (id: string, context: Record<string, unknown>) => [
      {
        type: "identify",
        messageId: `${id}-identify`,
        userId: id,
        timestamp: iso(T0 + HOUR),
        traits: { email: `${id}@example.com` },
        context,
      },
      {
        type: "track",
        event: "Consent Updated",
        messageId: `${id}-consent`,
        userId: id,
        timestamp: iso(T0 + HOUR),
        properties: { purpose: "marketing_email", granted: true },
        context,
      },
      {
        type: "track",
        event: "Order Completed",
        messageId: `${id}-order`,
        userId: id,
        timestamp: iso(T0 + HOUR + MINUTE),
        properties: { order_id: `o-${id}`, total: 12, currency: "EUR" },
        context,
      },
    ];
    const events = [...signUpAndOrder("s-1", { tailor: { historical: true } }), ...signUpAndOrder("s-2", {})];
    await kinesis.send(
      new PutRecordsCommand({
        StreamName: LOCAL_NAMES.eventStream,
        Records: events.map((e) => ({
          PartitionKey: e.userId,
          Data: new TextEncoder().encode(JSON.stringify(e)),
        })),
      }),
    );
    kinesis.destroy();
    await stack.waitUntilIdle({ timeoutMs: 90_000 });
    clock.at = T0 + HOUR + 10 * MINUTE;
    await stack.runSchedulesNow();
    await stack.waitUntilIdle({ timeoutMs: 90_000 });
    const [history, live] = [await stored("s-1"), await stored("s-2")];
    expect(history.profile.o?.n).toBe(1);
    expect(live.profile.o?.n).toBe(1);
    expect(await mailTo("s-1")).toEqual([]);
    // The same events live: a welcome and a post-purchase email.
    expect((await mailTo("s-2")).length).toBeGreaterThanOrEqual(1);
  });
});

describe("tailor import (the command)", () => {
  it("imports into the data dir's running stack, lists the refused rows, writes them all, recomputes RFM", async () => {
    const recent = iso(Date.now() - 10 * DAY);
    const csvFile = path.join(temp.dir, "command.csv");
    writeFileSync(
      csvFile,
      `customer_id,order_id,ordered_at,total\ncmd-1,o-c1,${recent},30\ncmd-2,o-c2,last week,10\n`,
    );
    const run = await captureOutput(() => importCommand([csvFile, "--data-dir", temp.dir]));
    expect(run.code).toBe(2);
    expect(run.out).toContain("imported 1 of 2 rows");
    expect(run.out).toContain("line 3: ordered_at: expected an ISO 8601 date-time");
    expect(run.out).toMatch(/RFM recomputed over \d+ buyers/);
    expect(readFileSync(`${csvFile}.refused.csv`, "utf8").split("\n")[1]).toMatch(/^3,ordered_at,time,/);
    expect((await stored("cmd-1")).profile.o?.n).toBe(1);
  });

  it("exits 1 when nothing could be imported", async () => {
    const csvFile = path.join(temp.dir, "bad.csv");
    writeFileSync(csvFile, "customer_id,order_id,ordered_at\n,o-1,2026-01-01\n");
    const run = await captureOutput(() =>
      importCommand([csvFile, "--data-dir", temp.dir, "--report", path.join(temp.dir, "r.csv")]),
    );
    expect(run.code).toBe(1);
    expect(run.err).toContain("tailor import: nothing imported");
    expect(readFileSync(path.join(temp.dir, "r.csv"), "utf8")).toContain("2,customer_id,required");
  });
});
