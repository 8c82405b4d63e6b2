import { mkdtempSync, writeFileSync } from "node:fs";
import path from "node:path";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { KinesisClient, PutRecordsCommand } from "@aws-sdk/client-kinesis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contentCommand } from "#cli/content-command.js";
import type { LocalStack } from "#infra/local/local-stack.js";
import { LOCAL_NAMES } from "#infra/local-names.js";
import { DynamoContentLibrary } from "#shared/aws/dynamo-content-library.js";
import { DynamoSendLedger } from "#shared/aws/dynamo-send-ledger.js";
import { demoContentLibrary } from "#shared/sim/index.js";
import { readSentMail } from "#shared/sim/sent-mail.js";
import { captureOutput } from "#test/support/capture-output.js";
import { tempDir } from "../local/helpers.js";
import { TestClock } from "../local/test-clock.js";
import { startTestStack } from "../local/test-stack.js";

/**
 * Content by interest on the local stack: the demo library is seeded, `tailor content import` replaces it, a
 * customer's content views and product views go through the stream into the profile, and the newsletter template
 * dispatch sends shows the category the customer read about, in French, and not the same items in the next email.
 */

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
/** Monday 23 November 2026, 13:00 UTC: outside the newsletter's quiet hours. */
const T0 = Date.UTC(2026, 10, 23, 13);
const CUSTOMER = "content-reader";

const clock = new TestClock(T0);
const temp = tempDir("tailor-content-");
let stack: LocalStack;
let kinesis: KinesisClient;
let dynamodb: DynamoDBClient;
let sequence = 0;

const envelope = (type: string, at: number) => ({
  type,
  messageId: `content-${++sequence}`,
  userId: CUSTOMER,
  timestamp: new Date(at).toISOString(),
});

async function put(events: readonly Record<string, unknown>[]): Promise<void> {
  const out = await kinesis.send(
    new PutRecordsCommand({
      StreamName: LOCAL_NAMES.eventStream,
      Records: events.map((event) => ({
        PartitionKey: CUSTOMER,
        Data: new TextEncoder().encode(JSON.stringify(event)),
      })),
    }),
  );
  expect(out.FailedRecordCount ?? 0).toBe(0);
  await stack.waitUntilIdle({ timeoutMs: 90_000 });
}

/** Asks for the journal email (the newsletter template, test campaign `journal`): ingest → sends → dispatch. */
async function requestJournal(at: number): Promise<void> {
  clock.at = at;
  await put([{ ...envelope("track", at), event: "Journal Requested", properties: {} }]);
}

const item = (id: string, tags: string[], locale: string | undefined, daysOld: number) => ({
  id,
  kind: "article",
  title: `Title of ${id}`,
  summary: `Summary of ${id}`,
  url: `https://shop.example/journal/${id}`,
  tags,
  ...(locale === undefined ? {} : { locale }),
  published_at: new Date(T0 - daysOld * DAY).toISOString(),
});

beforeAll(async () => {
  // No welcome email (it would show content first): the test campaign only.
  stack = await startTestStack({
    dataDir: temp.dir,
    clock,
    env: { CAMPAIGNS_DIR: "test/content/fixtures/campaigns" },
  });
  kinesis = new KinesisClient({});
  dynamodb = new DynamoDBClient({});
}, 120_000);

afterAll(async () => {
  for (const client of [kinesis, dynamodb]) client?.destroy();
  await stack?.stop();
  temp.remove();
});

describe("content by interest on the local stack", () => {
  it("seeds the demo library: every category in English, French and German", async () => {
    const library = new DynamoContentLibrary({ client: dynamodb, tableName: LOCAL_NAMES.contentTable });
    const items = await library.all();
    expect(items).toHaveLength(demoContentLibrary(T0).length);
    expect(new Set(items.map((entry) => entry.locale ?? "en"))).toEqual(new Set(["en", "fr", "de"]));
  });

  it("imports a library file, then sends the category the customer read about, and rotates it", async () => {
    // Prepare: the shop's own library replaces the demo (its items leave the file, so they are retired).
    const folder = mkdtempSync(path.join(temp.dir, "file-"));
    const file = path.join(folder, "content.jsonl");
    const rows = [
      item("garden-soil", ["garden"], undefined, 2),
      item("garden-soil.fr", ["garden"], "fr", 2),
      item("garden-bees.fr", ["garden"], "fr", 6),
      item("garden-tools.fr", ["garden"], "fr", 9),
      item("garden-water.fr", ["garden"], "fr", 12),
      item("books-autumn.fr", ["books"], "fr", 1),
      item("toys-safe.fr", ["toys"], "fr", 1),
      item("garden-pests.de", ["garden"], "de", 1),
      { id: "broken", kind: "video" },
    ];
    writeFileSync(file, `${rows.map((row) => JSON.stringify(row)).join("\n")}\n`);
    const imported = await captureOutput(() => contentCommand(["import", file, "--data-dir", temp.dir]));
    expect(imported.code).toBe(1);
    expect(imported.out).toContain("8 written");
    expect(imported.out).toContain(`${demoContentLibrary(T0).length} retired`);
    expect(imported.out).toMatch(/line 9 \(broken\): kind: expected "article", "tip" or "guide"/);

    // A French reader reads one garden article and looks at a garden product.
    await put([
      {
        ...envelope("identify", T0 - 10 * MINUTE),
        traits: { email: `${CUSTOMER}@example.com`, first_name: "Zoé", locale: "fr-FR" },
      },
      {
        ...envelope("track", T0 - 10 * MINUTE),
        event: "Consent Updated",
        properties: { purpose: "marketing_email", granted: true },
      },
      {
        ...envelope("page", T0 - 5 * MINUTE),
        name: "Journal",
        properties: { content_id: "garden-soil.fr", keywords: ["garden", "soil"] },
      },
      {
        ...envelope("track", T0 - 4 * MINUTE),
        event: "Product Viewed",
        properties: { product_id: "prod-garden-001", category: "garden", price: 12 },
      },
    ]);

    // Act: two journal emails a day apart.
    await requestJournal(T0);
    await requestJournal(T0 + DAY);

    // Assess: the ledger records what each showed; the first shows French garden articles, unread first.
    const ledger = new DynamoSendLedger({ client: dynamodb, tableName: LOCAL_NAMES.sendLedgerTable });
    const sent = (await ledger.recent(CUSTOMER, T0 - DAY, 10, "sent")).reverse();
    expect(sent).toHaveLength(2);
    const [first, second] = sent.map((entry) => entry.contentIds ?? []);
    expect(first).toEqual(["garden-bees.fr", "garden-tools.fr", "garden-water.fr"]);
    expect(second?.length).toBeGreaterThan(0);
    expect(second?.filter((id) => first?.includes(id) === true)).toEqual([]);
    const mails = (await readSentMail(stack.endpoints.sesv2)).filter((mail) =>
      mail.to.some((to) => to.includes(CUSTOMER)),
    );
    expect(mails).toHaveLength(2);
    expect(mails[0]?.html).toContain("Title of garden-bees.fr");
    expect(mails[1]?.html).not.toContain("Title of garden-bees.fr");
    expect(mails.every((mail) => mail.html?.includes("garden-pests.de") === false)).toBe(true);
  }, 240_000);
});
