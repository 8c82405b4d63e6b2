import { ScanCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoFanOutRuns } from "#shared/aws/dynamo-fanout-runs.js";
import { DynamoProfileStore } from "#shared/aws/dynamo-profile-store.js";
import { emptyProfile } from "#shared/domain/profile/index.js";
import { createTable, startDynalite } from "#test/support/dynamo-table.js";

const KEY = { campaignId: "newsletter", occurrence: "2026-11-23T09:00:00.000Z" };
const PLAN = { ...KEY, source: "scan" as const, segmentId: "vip", parts: 3, startedAt: 1_000 };
const COUNTS = { read: 10, members: 4, enqueued: 4, timed: 0 };

describe("fan-out runs and paged scans on DynamoDB (dynalite)", () => {
  let dynamo: Awaited<ReturnType<typeof startDynalite>>;
  let runs: DynamoFanOutRuns;
  let profiles: DynamoProfileStore;
  let segmentsTable: string;

  beforeAll(async () => {
    dynamo = await startDynalite();
    segmentsTable = await createTable(dynamo.client, "segments", "pk", "sk");
    runs = new DynamoFanOutRuns({ client: dynamo.client, tableName: segmentsTable });
    profiles = new DynamoProfileStore({
      client: dynamo.client,
      tableName: await createTable(dynamo.client, "profiles", "pk"),
    });
  }, 30_000);
  afterAll(async () => dynamo.stop());

  it("keeps the first start's plan on a restart, and counts each checkpoint once", async () => {
    expect(await runs.start(PLAN)).toEqual(PLAN);
    expect(await runs.advance(KEY, 0, { step: 0, cursor: "c#a", done: false, counts: COUNTS })).toBe(true);
    // A retried invocation that read the same checkpoint: refused, nothing added.
    expect(await runs.advance(KEY, 0, { step: 0, cursor: "c#a", done: false, counts: COUNTS })).toBe(false);
    expect(await runs.part(KEY, 0)).toEqual({ step: 1, cursor: "c#a", done: false });
    expect(await runs.advance(KEY, 0, { step: 1, done: true, counts: COUNTS })).toBe(true);
    expect(await runs.advance(KEY, 0, { step: 2, done: false, counts: COUNTS })).toBe(false);
    expect(await runs.advance(KEY, 2, { step: 0, cursor: "c#b", done: false, counts: COUNTS })).toBe(true);
    await runs.finish(KEY, 5_000);

    const restarted = await runs.start({ ...PLAN, parts: 40, source: "index", startedAt: 9_000 });
    const run = await runs.get(KEY);

    expect(restarted).toEqual(PLAN);
    expect(await runs.part(KEY, 0)).toEqual({ step: 2, done: true });
    expect(await runs.part(KEY, 1)).toEqual({ step: 0, done: false });
    expect(run).toMatchObject({ ...PLAN, starts: 2, partsDone: 1, counts: { read: 30, members: 12 } });
    expect(run?.finishedAt).toBeUndefined();
  });

  it("sums a run of more parts than one BatchGetItem reads, each part's checkpoint in its own partition", async () => {
    const wide = { ...KEY, campaignId: "wide" };
    await runs.start({ ...PLAN, ...wide, parts: 230 });
    const checkpoints = [0, 99, 100, 101, 199, 229];
    for (const part of checkpoints) {
      expect(await runs.advance(wide, part, { step: 0, done: part % 2 === 1, counts: COUNTS })).toBe(true);
    }

    const run = await runs.get(wide);

    expect(run).toMatchObject({ parts: 230, partsDone: 4, counts: { read: 60, members: 24, enqueued: 24 } });
    const keys = await dynamo.client.send(new ScanCommand({ TableName: segmentsTable }));
    const partitions = new Set(
      (keys.Items ?? []).flatMap((item) =>
        item.pk?.S?.startsWith("fanout#wide#") === true ? [item.pk.S] : [],
      ),
    );
    expect(partitions.size).toBe(checkpoints.length);
  });

  it("keeps the first errors whole and counts them all; finds a campaign's latest run", async () => {
    const later = { ...KEY, occurrence: "2026-11-30T09:00:00.000Z" };
    await runs.start({ ...PLAN, ...later });
    for (let i = 0; i < 12; i++) await runs.recordError(later, `part 1: failure ${i}`);
    await runs.finish(later, 7_000);

    const latest = await runs.latest("newsletter");

    expect(latest).toMatchObject({ occurrence: later.occurrence, errorCount: 12, finishedAt: 7_000 });
    expect(latest?.errors).toHaveLength(10);
    expect(latest?.errors[0]).toBe("part 1: failure 0");
    expect(await runs.latest("other")).toBeUndefined();
  });

  it("reads a scan slice page by page from a cursor, every profile once", async () => {
    for (let i = 0; i < 25; i++) await profiles.put(emptyProfile(`c-${i}`, 1_000), undefined);
    const seen: string[] = [];
    for (let segment = 0; segment < 2; segment++) {
      let cursor: string | undefined;
      do {
        const page = await profiles.page(
          { segment, totalSegments: 2 },
          { limit: 4, ...(cursor === undefined ? {} : { cursor }) },
        );
        expect(page.profiles.length).toBeLessThanOrEqual(4);
        seen.push(...page.profiles.map((stored) => stored.profile.customerId));
        cursor = page.cursor;
      } while (cursor !== undefined);
    }

    expect(seen.sort()).toEqual(Array.from({ length: 25 }, (_, i) => `c-${i}`).sort());
    // dynalite reports no ItemCount (DynamoDB refreshes it every six hours): the plan's minimum parts cover both.
    expect(await profiles.approximateCount()).toBeGreaterThanOrEqual(0);
  });
});
