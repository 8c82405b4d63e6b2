import { type AttributeValue, DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import { KinesisClient, PutRecordsCommand } from "@aws-sdk/client-kinesis";
import { GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalStack } from "#infra/local/local-stack.js";
import { LOCAL_NAMES } from "#infra/local-names.js";
import type { CustomerExport } from "#shared/app/privacy/export-customer.js";
import { readableProfile } from "#shared/app/privacy/readable-profile.js";
import { DynamoAuditLog } from "#shared/aws/dynamo-audit-log.js";
import { DynamoProfileStore } from "#shared/aws/dynamo-profile-store.js";
import { DynamoSendLedger } from "#shared/aws/dynamo-send-ledger.js";
import { profileKey } from "#shared/aws/profile-key.js";
import { customerHash } from "#shared/domain/privacy/customer-hash.js";
import { readSentMail } from "#shared/sim/sent-mail.js";
import { tempDir } from "../local/helpers.js";
import { TestClock } from "../local/test-clock.js";
import { startTestStack } from "../local/test-stack.js";

/**
 * Erasure on the local stack, with real handlers: a customer's events go through the ingest, a reminder is
 * sent by dispatch, the customer is exported and then erased through the HTTP API; every table and the
 * quarantine bucket are then scanned for the id, and a late event must not rebuild the profile.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** 13:00 UTC: the 4 h reminder of a 13:00 cart add falls due at 17:00 UTC, outside quiet hours. */
const T0 = Date.UTC(2026, 10, 23, 13);
/** The erased customer; no other id in the test contains this text. */
const GONE = "zq-erase-7f3a";
/** A bystander, whose data must survive. */
const KEPT = "keeper-01";

const clock = new TestClock(T0);
const temp = tempDir("tailor-erase-");
let stack: LocalStack;
let kinesis: KinesisClient;
let dynamodb: DynamoDBClient;
let s3: S3Client;
let sequence = 0;
/** The export taken before the erasure, as the API answered it (status, parsed body). */
let exported: { status: number; document: CustomerExport };

/** Message ids that do not carry the customer id (they are the ids of audit entries). */
const messageId = () => `msg-${++sequence}`;

function track(customerId: string, event: string, at: number, properties: Record<string, unknown> = {}) {
  return {
    type: "track",
    event,
    messageId: messageId(),
    userId: customerId,
    timestamp: new Date(at).toISOString(),
    properties,
  };
}

/** Identify, marketing consent, a past order and a cart add: a reminder is due 4 h later. */
function shopper(customerId: string): Record<string, unknown>[] {
  return [
    {
      type: "identify",
      messageId: messageId(),
      userId: customerId,
      timestamp: new Date(T0 - 2 * HOUR).toISOString(),
      traits: { email: `${customerId}@example.com`, first_name: "Ada" },
    },
    {
      ...track(customerId, "Consent Updated", T0 - 2 * HOUR, {
        purpose: "marketing_email",
        granted: true,
        source: "signup_form",
      }),
      context: { library: { name: "shop-web" } },
    },
    track(customerId, "Order Completed", T0 - HOUR, {
      order_id: `o-${customerId}`,
      total: 40,
      currency: "EUR",
    }),
    track(customerId, "Product Added", T0, {
      product_id: "p-001",
      category: "shoes",
      price: 80,
      quantity: 1,
    }),
  ];
}

/** Puts raw records (JSON or not) keyed by `partitionKey`, then waits for the functions to finish. */
async function putRaw(records: readonly { partitionKey: string; data: string }[]): Promise<void> {
  const out = await kinesis.send(
    new PutRecordsCommand({
      StreamName: LOCAL_NAMES.eventStream,
      Records: records.map((r) => ({ PartitionKey: r.partitionKey, Data: new TextEncoder().encode(r.data) })),
    }),
  );
  expect(out.FailedRecordCount ?? 0).toBe(0);
  await stack.waitUntilIdle({ timeoutMs: 90_000 });
}

const put = (events: readonly Record<string, unknown>[]) =>
  putRaw(events.map((event) => ({ partitionKey: String(event.userId), data: JSON.stringify(event) })));

async function tick(at: number): Promise<void> {
  clock.at = at;
  await stack.runSchedulesNow();
  await stack.waitUntilIdle({ timeoutMs: 90_000 });
}

async function api(method: string, path: string): Promise<{ status: number; body: string }> {
  const response = await fetch(`${stack.apiUrl}${path}`, { method });
  return { status: response.status, body: await response.text() };
}

/** Every item of every table of the stack, as JSON text, by table. */
async function everyItem(): Promise<Map<string, string[]>> {
  const found = new Map<string, string[]>();
  for (const table of stack.names.tables) {
    const items: string[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const out = await dynamodb.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
      for (const item of out.Items ?? []) items.push(JSON.stringify(unmarshall(item)));
      start = out.LastEvaluatedKey;
    } while (start !== undefined);
    found.set(table, items);
  }
  return found;
}

/**
 * Every object of the quarantine bucket, its key included (index entries are empty objects named by hashes),
 * with a quarantined record's raw bytes decoded to text.
 */
async function everyQuarantined(): Promise<string[]> {
  const out = await s3.send(new ListObjectsV2Command({ Bucket: LOCAL_NAMES.quarantineBucket }));
  return Promise.all(
    (out.Contents ?? []).map(async ({ Key }) => {
      const object = await s3.send(new GetObjectCommand({ Bucket: LOCAL_NAMES.quarantineBucket, Key }));
      const text = (await object.Body?.transformToString("utf-8")) ?? "";
      const raw: unknown = text === "" ? "" : JSON.parse(text).rawBase64;
      return `${Key}\n${text}\n${Buffer.from(String(raw), "base64").toString("utf8")}`;
    }),
  );
}

beforeAll(async () => {
  stack = await startTestStack({
    dataDir: temp.dir,
    clock,
    env: { CAMPAIGNS_DIR: "test/e2e/fixtures/campaigns" },
  });
  kinesis = new KinesisClient({});
  dynamodb = new DynamoDBClient({});
  s3 = new S3Client({ forcePathStyle: true });

  await put([...shopper(GONE), ...shopper(KEPT)]);
  // A malformed record of each (no event name), quarantined under the customer's partition key.
  await putRaw(
    [GONE, KEPT].map((id) => ({
      partitionKey: id,
      data: JSON.stringify({ type: "track", messageId: messageId(), userId: id, timestamp: "not a time" }),
    })),
  );
  // 17:01: the 4 h reminders are sent; the 48 h step waits in the send timers.
  await tick(T0 + 4 * HOUR + MINUTE);
  const response = await api("GET", `/v1/customers/${GONE}/export`);
  exported = { status: response.status, document: JSON.parse(response.body) };
}, 120_000);

afterAll(async () => {
  kinesis?.destroy();
  dynamodb?.destroy();
  s3?.destroy();
  await stack?.stop();
  temp.remove();
});

describe("erasure on the local stack", () => {
  it("has the customer's data everywhere before: a sent reminder, a pending step, a quarantined record", async () => {
    const mail = await readSentMail(stack.endpoints.sesv2);
    expect(mail.filter((m) => m.to.some((to) => to.includes(`${GONE}@example.com`)))).toHaveLength(1);
    const items = await everyItem();
    for (const table of [LOCAL_NAMES.profileTable, LOCAL_NAMES.sendLedgerTable, LOCAL_NAMES.timersTable]) {
      expect(items.get(table)?.some((item) => item.includes(GONE))).toBe(true);
    }
    expect((await everyQuarantined()).some((doc) => doc.includes(GONE))).toBe(true);
  });

  it("exports everything held, and the export round-trips to the stored data", async () => {
    expect(exported.status).toBe(200);
    const { document } = exported;
    const stored = await new DynamoProfileStore({
      client: dynamodb,
      tableName: LOCAL_NAMES.profileTable,
    }).get(GONE);
    if (stored === undefined) throw new Error("no profile stored");
    expect(document.profile).toEqual(readableProfile(stored.profile));
    const ledger = new DynamoSendLedger({ client: dynamodb, tableName: LOCAL_NAMES.sendLedgerTable });
    const logged = await ledger.recent(GONE, 0, 100);
    expect(document.ledger.log).toHaveLength(logged.length);
    expect(document.ledger.log).toContainEqual(
      expect.objectContaining({ outcome: "sent", customerId: GONE }),
    );
    expect(document.timers).toContainEqual(expect.objectContaining({ kind: "send" }));
    expect(document.quarantine).toEqual([expect.objectContaining({ partitionKey: GONE })]);
    expect(document.consentHistory).toContainEqual(
      expect.objectContaining({
        action: "consent.changed",
        actor: "app:shop-web",
        details: expect.objectContaining({ purpose: "marketing_email", granted: true }),
      }),
    );
    expect(JSON.parse(JSON.stringify(document))).toEqual(document);
  });

  describe("after DELETE /v1/customers/{id}", () => {
    let receipt: { status: number; body: Record<string, unknown> };

    beforeAll(async () => {
      const response = await api("DELETE", `/v1/customers/${GONE}`);
      receipt = { status: response.status, body: JSON.parse(response.body) };
    });

    it("answers a receipt of what was deleted where", () => {
      expect(receipt.status).toBe(200);
      expect(receipt.body).toMatchObject({
        customerHash: customerHash(GONE),
        tombstone: "erased",
        deleted: { profiles: 1, quarantine: 1 },
      });
      const deleted = receipt.body.deleted;
      expect(deleted).toMatchObject({ ledger: expect.any(Number), timers: expect.any(Number) });
      expect(JSON.stringify(deleted)).not.toMatch(/"(ledger|timers)":0/);
    });

    it("leaves no item holding the customer id in any table, only the tombstone's hash", async () => {
      const items = await everyItem();
      const holding = [...items].flatMap(([table, rows]) =>
        rows.filter((row) => row.includes(GONE)).map((row) => `${table}: ${row}`),
      );
      expect(holding).toEqual([]);
      expect(items.get(LOCAL_NAMES.profileTable)).toContainEqual(expect.stringContaining(profileKey(GONE)));
      // The bystander keeps its data.
      expect(items.get(LOCAL_NAMES.profileTable)?.some((row) => row.includes(KEPT))).toBe(true);
      expect(items.get(LOCAL_NAMES.sendLedgerTable)?.some((row) => row.includes(KEPT))).toBe(true);
    });

    it("leaves no quarantined record of the customer", async () => {
      const documents = await everyQuarantined();
      expect(documents.filter((doc) => doc.includes(GONE))).toEqual([]);
      expect(documents.filter((doc) => doc.includes(KEPT))).toHaveLength(1);
    });

    it("drops a late event for the customer and counts it, without rebuilding the profile", async () => {
      await put([track(GONE, "Product Viewed", T0 + 5 * HOUR, { product_id: "p-002" })]);
      const profiles = new DynamoProfileStore({ client: dynamodb, tableName: LOCAL_NAMES.profileTable });
      expect(await profiles.get(GONE)).toBeUndefined();
      const audit = new DynamoAuditLog({ client: dynamodb, tableName: LOCAL_NAMES.auditTable });
      const entries = await audit.forCustomer(customerHash(GONE));
      expect(entries).toContainEqual(
        expect.objectContaining({ action: "customer.erasure_dropped_event", details: { events: 1 } }),
      );
      expect(entries).toContainEqual(expect.objectContaining({ action: "customer.erased" }));
    });
  });
});
