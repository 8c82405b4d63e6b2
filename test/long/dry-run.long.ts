import { DynamoDBClient, paginateScan } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dryRunOnStack } from "#cli/campaign-dry-run.js";
import type { LocalStack } from "#infra/local/local-stack.js";
import { LOCAL_NAMES } from "#infra/local-names.js";
import { DynamoProfileStore } from "#shared/aws/dynamo-profile-store.js";
import { DynamoSendLedger } from "#shared/aws/dynamo-send-ledger.js";
import type { LedgerEntry } from "#shared/domain/campaigns/contracts.js";
import { emptyProfile, type Profile } from "#shared/domain/profile/index.js";
import { tempDir } from "../local/helpers.js";
import { startTestStack } from "../local/test-stack.js";

/**
 * A dry run of the newsletter on the local stack, then the real run of the same tick: the dry run writes nothing
 * (every table is the same after it), and its counts are what the real fan-out and dispatch then do: sends per
 * variant, skips per reason. The stack's clock is a Monday 10:00 UTC, outside the newsletter's quiet hours.
 */

const AUDIENCE = "high-engagement";
const T = Date.UTC(2026, 10, 23, 10);
const TICK = new Date(T).toISOString();
const DAY = 86_400_000;

const temp = tempDir("tailor-dry-run-");
let stack: LocalStack;
let client: DynamoDBClient;
let ledger: DynamoSendLedger;
const customers: string[] = [];

/** 40 customers, every other one in the audience; among the members some cannot or may not be mailed. */
function profileOf(i: number): Profile {
  const id = `dry-${String(i).padStart(3, "0")}`;
  customers.push(id);
  const base: Profile = {
    ...emptyProfile(id, T - 30 * DAY),
    t: { email: `${id}@example.com`, first_name: `Ann ${i}` },
    c: { marketing_email: { g: true, at: T - 30 * DAY } },
  };
  if (i % 2 === 1) return base;
  const member: Profile = { ...base, sg: { [AUDIENCE]: { e: T - DAY, v: 1 } } };
  if (i % 10 === 0) return { ...member, c: {} };
  if (i % 10 === 2) return { ...member, s: { unsubscribe: { r: "link", at: T - DAY } } };
  if (i % 10 === 4) return { ...member, t: { first_name: "No Address" } };
  return member;
}

/** Every item of every table of the stack, as sorted JSON: what "nothing written" compares. */
async function snapshot(): Promise<string[]> {
  const items: string[] = [];
  for (const table of stack.plan.tables) {
    for await (const page of paginateScan({ client }, { TableName: table.name, ConsistentRead: true })) {
      for (const item of page.Items ?? []) items.push(`${table.name} ${JSON.stringify(item)}`);
    }
  }
  return items.sort();
}

beforeAll(async () => {
  stack = await startTestStack({ dataDir: temp.dir, clock: { now: () => T } });
  client = new DynamoDBClient({});
  ledger = new DynamoSendLedger({ client, tableName: LOCAL_NAMES.sendLedgerTable, retentionDays: 400 });
  const profiles = new DynamoProfileStore({ client, tableName: LOCAL_NAMES.profileTable });
  for (let i = 0; i < 40; i++) await profiles.put(profileOf(i), undefined);
  // dry-006 had three marketing emails this week: the cap of 3 per 7 days skips it.
  for (let n = 0; n < 3; n++) {
    await ledger.record({
      key: `earlier#dry-006#${n}`,
      customerId: "dry-006",
      campaignId: "earlier",
      purpose: "marketing",
      priority: 50,
      at: T - (n + 1) * DAY,
      outcome: "sent",
      variant: "a",
    });
  }
  await stack.waitUntilIdle({ timeoutMs: 30_000 });
}, 120_000);

afterAll(async () => {
  client?.destroy();
  await stack?.stop();
  temp.remove();
});

describe("tailor campaign dry-run on the local stack", () => {
  it("writes nothing, and counts what the real run of the same tick then sends", async () => {
    // Prepare
    const before = await snapshot();

    // Act: the dry run
    const answer = await dryRunOnStack(stack, { campaignId: "newsletter", at: T, sample: 3 });
    if (answer.kind !== "tick") throw new Error("expected a tick's report");
    const dry = answer.report;

    // Assess: not one item changed
    expect(await snapshot()).toEqual(before);
    expect(dry).toMatchObject({ occurrence: TICK, segmentId: AUDIENCE, members: 20, decided: 20 });
    expect(dry.wouldSend).toBe(7);
    expect(dry.skipped).toEqual({
      "no consent: marketing_email not granted": 4,
      "suppressed: unsubscribed": 4,
      "no email address": 4,
      "capped: 3 marketing emails in 7 days": 1,
    });
    expect(dry.samples).toHaveLength(3);
    expect(dry.samples[0]?.html).toContain("<html");
    expect(dry.samples[0]?.subject.length).toBeGreaterThan(0);

    // Act: the real run of the same tick (fan-out workflow, sends queue, dispatch)
    await stack.startExecution(LOCAL_NAMES.fanOutStateMachine, { campaignId: "newsletter", time: TICK });
    await stack.waitUntilIdle({ timeoutMs: 60_000 });

    // Assess: the ledger holds what the dry run said
    const entries: LedgerEntry[] = [];
    for (const id of customers) {
      entries.push(...(await ledger.recent(id, 0, 100)).filter((e) => e.campaignId === "newsletter"));
    }
    const sent = entries.filter((e) => e.outcome === "sent");
    expect(sent).toHaveLength(dry.wouldSend);
    const byVariant: Record<string, number> = {};
    for (const entry of sent) byVariant[entry.variant ?? "a"] = (byVariant[entry.variant ?? "a"] ?? 0) + 1;
    expect(byVariant).toEqual(dry.byVariant);
    const skipped: Record<string, number> = {};
    for (const entry of entries.filter((e) => e.outcome === "skipped")) {
      const reason = entry.reason ?? "";
      skipped[reason] = (skipped[reason] ?? 0) + 1;
    }
    expect(skipped).toEqual(dry.skipped);
    expect(entries.filter((e) => e.outcome === "holdout")).toHaveLength(dry.heldOut);

    // Act: a dry run of the tick that ran
    const again = await dryRunOnStack(stack, { campaignId: "newsletter", at: T });

    // Assess: nothing left to send
    if (again.kind !== "tick") throw new Error("expected a tick's report");
    expect(again.report.alreadySettled).toBe(20);
    expect(again.report.wouldSend).toBe(0);
  }, 240_000);
});
