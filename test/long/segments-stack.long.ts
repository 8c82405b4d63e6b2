import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { KinesisClient, PutRecordsCommand } from "@aws-sdk/client-kinesis";
import type { SQSEvent } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { explainCommand } from "#cli/explain-command.js";
import { segmentsCommand } from "#cli/segments-command.js";
import { segmentTimersEnvSchema } from "#functions/segment-timers/env.js";
import { makeSegmentTimersDeps } from "#functions/segment-timers/make-deps.js";
import { type LocalStack, startLocalStack } from "#infra/local/local-stack.js";
import { LOCAL_NAMES } from "#infra/local-names.js";
import { fireDueTimers } from "#shared/app/fire-due-timers.js";
import { mergedInto } from "#shared/app/identity/merged-into.js";
import { reevaluateStale } from "#shared/app/segments-batch.js";
import { DynamoProfileStore } from "#shared/aws/dynamo-profile-store.js";
import { parseEvent, type TailorEvent } from "#shared/domain/events/index.js";
import type { SegmentTransition } from "#shared/domain/segments/index.js";
import { loadEnv } from "#shared/lambda/env.js";
import { simulate } from "#shared/sim/index.js";
import { oracleEvaluate } from "#test/segments/oracle.js";
import { captureOutput } from "#test/support/capture-output.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const encoder = new TextEncoder();

let stack: LocalStack;
let dataDir: string;
/** Customers the simulated traffic created (filled by the first test). */
const simulated: string[] = [];

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "tailor-seg-it-"));
  stack = await startLocalStack({
    dataDir,
    fresh: true,
    ports: { dynamodb: 0, kinesis: 0, sqsS3: 0, ses: 0, api: 0 },
    // Timers are fired by the test, at a clock of its choosing; the schedule only ticks when asked.
    scheduleIntervalMs: 3_600_000,
    log: () => undefined,
    env: { POWERTOOLS_METRICS_DISABLED: "true", POWERTOOLS_LOG_LEVEL: "ERROR" },
    handlers: {
      [LOCAL_NAMES.campaignTransitionsFunction]: async (event: SQSEvent) => {
        for (const record of event.Records) delivered.push(JSON.parse(record.body));
        return { batchItemFailures: [] };
      },
    },
  });
});

afterAll(async () => {
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function put(records: readonly { key: string; event: Record<string, unknown> }[]): Promise<void> {
  const kinesis = new KinesisClient({});
  for (let i = 0; i < records.length; i += 500) {
    const out = await kinesis.send(
      new PutRecordsCommand({
        StreamName: LOCAL_NAMES.eventStream,
        Records: records.slice(i, i + 500).map(({ key, event }) => ({
          PartitionKey: key,
          Data: encoder.encode(JSON.stringify(event)),
        })),
      }),
    );
    expect(out.FailedRecordCount ?? 0).toBe(0);
  }
  kinesis.destroy();
}

/**
 * Transitions the queue delivered to the campaign-transitions function, which this test replaces with a recorder
 * (the real one would start journeys; here the transitions themselves are what is checked).
 */
const delivered: SegmentTransition[] = [];

/** Every transition delivered since the last call. */
async function drainTransitions(): Promise<SegmentTransition[]> {
  await stack.waitUntilIdle({ timeoutMs: 90_000 });
  return delivered.splice(0, delivered.length);
}

function timersDeps(now: () => number) {
  return makeSegmentTimersDeps(loadEnv(segmentTimersEnvSchema), { now });
}

describe("segments on the local stack", () => {
  it("stores for simulated customers the memberships a brute-force evaluation of their raw events gives", async () => {
    // Prepare: three simulated days ending an hour ago, put on the stream as an app would.
    const ingestStart = Date.now();
    const start = Math.floor((ingestStart - 3 * DAY - HOUR) / HOUR) * HOUR;
    const records = [...simulate({ customers: 40, days: 3, seed: 7, start })].map((r) => ({
      key: r.partitionKey,
      event: r.event,
    }));

    // Act
    await put(records);
    await stack.waitUntilIdle({ timeoutMs: 90_000 });
    let checkNow = Date.now();
    const deps = timersDeps(() => checkNow);
    // Windows move by the hour: if an hour began while ingesting, bring memberships to the check time first.
    if (Math.floor(ingestStart / HOUR) !== Math.floor(checkNow / HOUR)) {
      checkNow = Date.now();
      const client = new DynamoDBClient({});
      const scan = new DynamoProfileStore({ client, tableName: LOCAL_NAMES.profileTable });
      await reevaluateStale({ ...deps, scan }, { segment: 0, totalSegments: 1 });
      client.destroy();
    }

    // Assess: each event belongs to its userId's customer, or to the customer its anonymous id was merged into.
    const events = new Map<string, TailorEvent[]>();
    const client = new DynamoDBClient({});
    const identities = new DynamoProfileStore({ client, tableName: LOCAL_NAMES.profileTable });
    for (const { event } of records) {
      const parsed = parseEvent(event, checkNow);
      if (!parsed.ok) continue;
      const { userId, customerId: id } = parsed.event;
      const customerId = userId ?? (await mergedInto(identities, id)) ?? id;
      const list = events.get(customerId) ?? [];
      list.push({ ...parsed.event, customerId });
      events.set(customerId, list);
    }
    client.destroy();
    const library = deps.segments.library;
    const rfm = await deps.segments.store.rfmThresholds();
    expect(rfm).toBeUndefined();
    let compared = 0;
    let members = 0;
    const memberships = new Set<string>();
    for (const [customerId, own] of events) {
      const stored = await deps.profiles.get(customerId);
      expect(stored, customerId).toBeDefined();
      const profile = stored?.profile;
      for (const definition of library.definitions) {
        const expected = oracleEvaluate(definition, own, checkNow, { library, profile });
        const actual = profile?.sg?.[definition.id] !== undefined;
        expect(actual, `${customerId} in ${definition.id}`).toBe(expected);
        compared++;
        if (actual) {
          members++;
          memberships.add(definition.id);
        }
      }
    }
    expect(events.size).toBeGreaterThan(20);
    simulated.push(...events.keys());
    expect(compared).toBe(events.size * library.definitions.length);
    // Not a vacuous agreement: customers are in several different segments.
    expect(members).toBeGreaterThan(10);
    expect(memberships.size).toBeGreaterThanOrEqual(3);

    // Every stored membership was announced on the queue.
    const transitions = await drainTransitions();
    const entered = new Set(
      transitions.filter((t) => t.kind === "entered").map((t) => `${t.customerId}:${t.segmentId}`),
    );
    for (const [customerId] of events) {
      const profile = (await deps.profiles.get(customerId))?.profile;
      for (const segmentId of Object.keys(profile?.sg ?? {}))
        expect(entered).toContain(`${customerId}:${segmentId}`);
      expect(profile?.ob ?? []).toEqual([]);
    }
  });

  it("exits a cart abandoner when the clock passes the 48 h window with no new event", async () => {
    // Prepare
    const now = Date.now();
    const customerId = "it-cart";
    await put([
      {
        key: customerId,
        event: {
          type: "track",
          event: "Product Added",
          messageId: "it-cart-1",
          userId: customerId,
          timestamp: new Date(now - HOUR).toISOString(),
          properties: { product_id: "p-1", category: "books", price: 12.5, quantity: 1 },
        },
      },
    ]);
    await stack.waitUntilIdle({ timeoutMs: 90_000 });
    const early = timersDeps(() => Date.now());
    const before = (await early.profiles.get(customerId))?.profile;
    expect(before?.sg?.["cart-abandoners"]).toBeDefined();
    expect(before?.tm).toBeGreaterThan(now);
    await drainTransitions();

    // Act: the poller runs at a time past the window; nothing else happened.
    const later = now + 49 * HOUR;
    const summary = await fireDueTimers(timersDeps(() => later));

    // Assess
    expect(summary.failed + summary.abandoned).toBe(0);
    const after = (await early.profiles.get(customerId))?.profile;
    expect(after?.sg?.["cart-abandoners"]).toBeUndefined();
    const exits = (await drainTransitions()).filter(
      (t) => t.customerId === customerId && t.kind === "exited",
    );
    expect(exits).toContainEqual(
      expect.objectContaining({
        segmentId: "cart-abandoners",
        at: later,
        id: `${customerId}#cart-abandoners#exited#${later}`,
      }),
    );
    // Fired again at the same time: nothing new.
    const again = await fireDueTimers(timersDeps(() => later));
    expect(again.transitions).toBe(0);
    // The real handler behind the every-minute schedule runs cleanly at the real time (nothing is due yet).
    expect(await stack.runSchedulesNow([LOCAL_NAMES.segmentTimersSchedule])).toEqual({
      invocations: 1,
      errors: 0,
    });
  });

  it("lists segments with sizes, recounts them exactly, imports a static list and explains a customer", async () => {
    // Prepare
    const [member, other] = simulated;
    if (member === undefined || other === undefined) throw new Error("the first test simulated no customers");
    const csv = join(dataDir, "vip.csv");
    writeFileSync(csv, `customerId,note\n${member},first\nnobody-here,unknown\n`);
    const at = ["--data-dir", dataDir];

    // Act
    const imported = await captureOutput(() => segmentsCommand(["import", "vip-list", csv, ...at]));
    const recount = await captureOutput(() => segmentsCommand(["recount", "--slices", "3", ...at]));
    const listed = await captureOutput(() => segmentsCommand(["--json", ...at]));
    const table = await captureOutput(() => segmentsCommand(at));
    const explained = await captureOutput(() => explainCommand([member, "--json", ...at]));
    const text = await captureOutput(() => explainCommand([other, ...at]));

    // Assess
    expect(imported.code).toBe(2);
    expect(imported.out).toMatch(/vip-list: 1 added, 0 already listed, 1 unknown/);
    expect(imported.out).toContain("unknown customer: nobody-here");
    expect(recount.code).toBe(0);

    const rows: { id: string; size: number; countedAt: string | null }[] = JSON.parse(listed.out);
    const deps = timersDeps(() => Date.now());
    expect(rows.map((r) => r.id).sort()).toEqual(deps.segments.library.definitions.map((d) => d.id).sort());
    const exact = new Map<string, number>();
    for (const customerId of [...simulated, "it-cart"]) {
      const profile = (await deps.profiles.get(customerId))?.profile;
      for (const segmentId of Object.keys(profile?.sg ?? {}))
        exact.set(segmentId, (exact.get(segmentId) ?? 0) + 1);
    }
    for (const row of rows) {
      expect(row.size, row.id).toBe(exact.get(row.id) ?? 0);
      expect(row.countedAt).not.toBeNull();
    }
    expect(rows.find((r) => r.id === "vip-list")?.size).toBe(1);
    expect(table.out).toMatch(/^segment\s+name\s+version\s+size\s+counted at/);
    expect(table.out).toContain("vip-list");

    const explanation = JSON.parse(explained.out);
    expect(explanation.customerId).toBe(member);
    const vip = explanation.segments.find((e: { segmentId: string }) => e.segmentId === "vip-list");
    expect(vip).toMatchObject({ member: true, storedSince: expect.any(String) });
    expect(explanation.segments).toHaveLength(rows.length);
    expect(text.code).toBe(0);
    expect(text.out).toMatch(new RegExp(`^${other} at .*: in \\d+ of ${rows.length} segments`));
    expect(text.out).toMatch(/OUT {2}vip-list \(VIP/);
  });
});
