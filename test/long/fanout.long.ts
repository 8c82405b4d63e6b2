import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { Context } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LambdaHandler } from "#infra/local/handler-loader.js";
import type { LocalStack } from "#infra/local/local-stack.js";
import { applyEnvironment } from "#infra/local/sdk-env.js";
import { LOCAL_NAMES } from "#infra/local-names.js";
import { fanOutPartInputSchema } from "#shared/app/fanout/index.js";
import { DynamoFanOutRuns } from "#shared/aws/dynamo-fanout-runs.js";
import { DynamoProfileStore } from "#shared/aws/dynamo-profile-store.js";
import { emptyProfile } from "#shared/domain/profile/index.js";
import { tempDir } from "../local/helpers.js";
import { startTestStack } from "../local/test-stack.js";

/**
 * The scheduled campaigns' fan-out workflow on the local stack, run from the synthesised definition by
 * aws-local-stepfunctions (its Distributed Map run inline) with the real plan, part and finish handlers, on a
 * small table: 61 profiles, every third one in the newsletter's audience (written straight to the table, as an
 * upgraded stack's existing profiles are: not in the membership index until a reindex). A recorder stands in for
 * dispatch, so
 * every intent put on the sends queue is seen (dispatch's ledger would refuse a second send of a key anyway:
 * here no key may even be enqueued twice, except where said).
 */

const AUDIENCE = "high-engagement";
const PROFILES = 61;
/** Ticks in the past (the stack runs on the system clock): their intents are due, so they go to the queue. */
const T0 = Date.UTC(2026, 10, 23, 9);

const temp = tempDir("tailor-fanout-");
let stack: LocalStack;
let runs: DynamoFanOutRuns;
/** Send keys put on the sends queue, in the order dispatch received them. */
const enqueued: string[] = [];
const members: string[] = [];
/** Faults of the `Part` stand-in (it runs the real handler). */
const faults = { failAfterCheckpoint: 0, failBeforeReading: 0 };
let realPart: LambdaHandler | undefined;

/** The real `part` handler, its module loaded with the function's own environment (as the stack would). */
async function loadRealPart(): Promise<LambdaHandler> {
  if (realPart !== undefined) return realPart;
  const fn = stack.plan.functions.find((f) => f.name === LOCAL_NAMES.fanOutPartFunction);
  if (fn === undefined) throw new Error("no part function in the template");
  const restore = applyEnvironment({ ...fn.environment, ...stack.env, POWERTOOLS_METRICS_DISABLED: "true" });
  try {
    const module = await import("#functions/campaign-fanout/handler.js");
    realPart = (event: unknown, context: Context) => module.part(fanOutPartInputSchema.parse(event), context);
    return realPart;
  } finally {
    restore();
  }
}

const part: LambdaHandler = async (event, context) => {
  if (faults.failBeforeReading > 0) {
    faults.failBeforeReading--;
    throw new Error("part stopped before reading");
  }
  const result = await (await loadRealPart())(event, context);
  if (faults.failAfterCheckpoint > 0) {
    faults.failAfterCheckpoint--;
    throw new Error("part timed out after its checkpoint");
  }
  return result;
};

const dispatch: LambdaHandler = async (event) => {
  const records = typeof event === "object" && event !== null && "Records" in event ? event.Records : [];
  for (const record of Array.isArray(records) ? records : []) {
    const body: unknown = JSON.parse(String(record.body));
    if (typeof body === "object" && body !== null && "key" in body) enqueued.push(String(body.key));
  }
  return { batchItemFailures: [] };
};

beforeAll(async () => {
  stack = await startTestStack({
    dataDir: temp.dir,
    // Small pages, one page per invocation: each part loops through PartDone? several times.
    env: { FANOUT_PAGE_SIZE: "4", FANOUT_PART_BUDGET_SECONDS: "0" },
    handlers: { [LOCAL_NAMES.dispatchFunction]: dispatch, [LOCAL_NAMES.fanOutPartFunction]: part },
  });
  const client = new DynamoDBClient({});
  runs = new DynamoFanOutRuns({ client, tableName: LOCAL_NAMES.segmentsTable });
  const profiles = new DynamoProfileStore({ client, tableName: LOCAL_NAMES.profileTable });
  for (let i = 0; i < PROFILES; i++) {
    const id = `fan-${String(i).padStart(3, "0")}`;
    const profile = emptyProfile(id, T0 - 86_400_000);
    const inAudience = i % 3 === 0;
    if (inAudience) members.push(id);
    await profiles.put(
      inAudience ? { ...profile, sg: { [AUDIENCE]: { e: T0 - 3_600_000, v: 1 } } } : profile,
      undefined,
    );
  }
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  temp.remove();
});

const keysOf = (time: string) => members.map((id) => `newsletter#${id}#${time}#0`).sort();

async function drain(): Promise<void> {
  await stack.waitUntilIdle({ timeoutMs: 30_000 });
}

describe("the campaign fan-out workflow on the local stack", () => {
  it("sends a campaign to a segment: each member once, counted in the run's record", async () => {
    const time = "2026-11-23T09:00:00.000Z";
    const output = await stack.startExecution(
      LOCAL_NAMES.fanOutStateMachine,
      { campaignId: "newsletter", time },
      {
        retryIntervalMs: 1,
      },
    );
    await drain();

    expect(enqueued.filter((key) => key.includes(time)).sort()).toEqual(keysOf(time));
    expect(output).toMatchObject({
      campaignId: "newsletter",
      occurrence: time,
      source: "scan",
      sourceReason: expect.stringMatching(/never rebuilt: run `tailor segments reindex`/),
      parts: 4,
      partsDone: 4,
      starts: 1,
      counts: { read: PROFILES, members: members.length, enqueued: members.length },
      errorCount: 0,
    });
  }, 60_000);

  it("retries a part that failed after its checkpoint: it resumes there, nothing enqueued or counted twice", async () => {
    const time = "2026-11-30T09:00:00.000Z";
    faults.failAfterCheckpoint = 2;

    const output = await stack.startExecution(
      LOCAL_NAMES.fanOutStateMachine,
      { campaignId: "newsletter", time, parts: 2 },
      { retryIntervalMs: 1 },
    );
    await drain();

    expect(faults.failAfterCheckpoint).toBe(0);
    expect(enqueued.filter((key) => key.includes(time)).sort()).toEqual(keysOf(time));
    expect(output).toMatchObject({
      parts: 2,
      partsDone: 2,
      counts: { read: PROFILES, enqueued: members.length },
    });
  }, 60_000);

  it("restarts a run that stopped halfway: the same tick again sends each member exactly once", async () => {
    const time = "2026-11-16T09:00:00.000Z";
    const input = { campaignId: "newsletter", time, parts: 3 };
    // Parts fail for good after a few pages: the execution fails (as a stopped or timed-out one would end).
    let pages = 0;
    const countPages = () => {
      pages++;
      if (pages === 5) faults.failBeforeReading = 1_000;
    };
    const first = stack.startExecution(LOCAL_NAMES.fanOutStateMachine, input, {
      retryIntervalMs: 1,
      onTask: (outcome) => {
        if (outcome.state === "Part" && outcome.ok) countPages();
      },
    });
    await expect(first).rejects.toThrow(/part stopped before reading/);
    await drain();
    const halfway = await runs.get({ campaignId: "newsletter", occurrence: time });
    const sentHalfway = enqueued.filter((key) => key.includes(time)).length;

    faults.failBeforeReading = 0;
    const output = await stack.startExecution(LOCAL_NAMES.fanOutStateMachine, input, { retryIntervalMs: 1 });
    await drain();

    expect(sentHalfway).toBeGreaterThan(0);
    expect(sentHalfway).toBeLessThan(members.length);
    expect(halfway?.finishedAt).toBeUndefined();
    expect(halfway?.starts).toBe(1);
    expect(enqueued.filter((key) => key.includes(time)).sort()).toEqual(keysOf(time));
    expect(output).toMatchObject({
      starts: 2,
      partsDone: 3,
      counts: { read: PROFILES, enqueued: members.length },
    });
    expect(await runs.latest("newsletter")).toMatchObject({
      occurrence: "2026-11-30T09:00:00.000Z",
      partsDone: 2,
    });
  }, 90_000);

  it("after the nightly reindex, reads only the index: about the segment's members read, each sent once", async () => {
    // The nightly start of the reindex runs while the index was never rebuilt, then skips.
    const rebuilt = await stack.startExecution(
      LOCAL_NAMES.segmentJobsStateMachine,
      { job: "reindex", unlessRebuilt: true, parts: 2 },
      { retryIntervalMs: 1 },
    );
    const again = await stack.startExecution(
      LOCAL_NAMES.segmentJobsStateMachine,
      { job: "reindex", unlessRebuilt: true },
      { retryIntervalMs: 1 },
    );
    const time = "2026-11-09T09:00:00.000Z";
    const output = await stack.startExecution(
      LOCAL_NAMES.fanOutStateMachine,
      { campaignId: "newsletter", time },
      { retryIntervalMs: 1 },
    );
    await drain();

    expect(rebuilt).toMatchObject({ job: "reindex", profiles: PROFILES, entries: members.length });
    expect(again).toMatchObject({ job: "reindex", skip: true });
    expect(enqueued.filter((key) => key.includes(time)).sort()).toEqual(keysOf(time));
    expect(output).toMatchObject({
      source: "index",
      sourceReason: expect.stringMatching(/high-engagement is evaluated and the index was rebuilt/),
      errorCount: 0,
      counts: { read: members.length, members: members.length, enqueued: members.length },
    });
  }, 90_000);
});
