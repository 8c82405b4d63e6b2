import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalStack } from "#infra/local/local-stack.js";
import { localAccountId, localRegion } from "#infra/local/sdk-env.js";
import { stackTemplate } from "#infra/local/stack-template.js";
import { planStateMachines, type StateMachineSpec } from "#infra/local/state-machine-plan.js";
import { runStateMachine, type TaskBinding, type TaskOutcome } from "#infra/local/state-machine-runner.js";
import { bindStateMachineTasks } from "#infra/local/state-machine-tasks.js";
import { LOCAL_NAMES } from "#infra/local-names.js";
import { countMembers } from "#shared/app/segments-batch.js";
import { DynamoProfileStore } from "#shared/aws/dynamo-profile-store.js";
import { DynamoSegmentMembers } from "#shared/aws/dynamo-segment-members.js";
import { DynamoSegmentStore } from "#shared/aws/dynamo-segment-store.js";
import { DAY_MS } from "#shared/domain/profile/index.js";
import { loadSegmentLibrary } from "#shared/templates/segment-files.js";
import { tempDir } from "../local/helpers.js";
import { TestClock } from "../local/test-clock.js";
import { startTestStack } from "../local/test-stack.js";
import { simulatePopulation } from "../segments/sim-profiles.js";

/**
 * The segment jobs' state machine as CDK synthesises it, run by aws-local-stepfunctions with its tasks bound to the
 * segment-jobs function's real handlers, over simulated profiles in the local DynamoDB: counts equal to a
 * single-pass count, a retried step that counts nothing twice, the membership index equal to the memberships.
 */

const START = Date.UTC(2026, 6, 1);
const DAYS = 45;
const CUSTOMERS = 90;

const temp = tempDir("tailor-segment-jobs-");
const clock = new TestClock(START + DAYS * DAY_MS);
let stack: LocalStack;
let spec: StateMachineSpec;
let tasks: Record<string, TaskBinding>;
let profiles: DynamoProfileStore;
let sizes: DynamoSegmentStore;
let index: DynamoSegmentMembers;
const library = loadSegmentLibrary("templates/segments");
/** Profiles written (the simulation's customers, anonymous visitors among them). */
let seeded = 0;

function run(input: object, bound = tasks, onTask?: (outcome: TaskOutcome) => void): Promise<unknown> {
  return runStateMachine(spec, {
    input,
    tasks: bound,
    retryIntervalMs: 1,
    ...(onTask === undefined ? {} : { onTask }),
  });
}

/** Every member of a segment in the index, over 4 parts. */
async function indexed(segmentId: string): Promise<string[]> {
  const ids: string[] = [];
  for (let part = 0; part < 4; part++) {
    let cursor: string | undefined;
    do {
      const page = await index.page(segmentId, {
        part,
        parts: 4,
        limit: 50,
        ...(cursor === undefined ? {} : { cursor }),
      });
      ids.push(...page.customerIds);
      cursor = page.cursor;
    } while (cursor !== undefined);
  }
  return ids.sort();
}

async function membersBySegment(): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>(library.definitions.map((d) => [d.id, []]));
  for await (const { profile } of profiles.scan({ segment: 0, totalSegments: 1 })) {
    for (const id of Object.keys(profile.sg ?? {})) out.get(id)?.push(profile.customerId);
  }
  for (const ids of out.values()) ids.sort();
  return out;
}

beforeAll(async () => {
  const template = await stackTemplate();
  stack = await startTestStack({ dataDir: temp.dir, clock });
  const found = planStateMachines(template, stack.plan, {
    region: localRegion,
    accountId: localAccountId,
  }).find((machine) => machine.name === LOCAL_NAMES.segmentJobsStateMachine);
  if (found === undefined) throw new Error("the template has no segment jobs state machine");
  spec = found;
  tasks = await bindStateMachineTasks(spec, stack.plan.functions, {});
  const dynamodb = new DynamoDBClient({});
  profiles = new DynamoProfileStore({ client: dynamodb, tableName: LOCAL_NAMES.profileTable });
  sizes = new DynamoSegmentStore({ client: dynamodb, tableName: LOCAL_NAMES.segmentsTable });
  index = new DynamoSegmentMembers({ client: dynamodb, tableName: LOCAL_NAMES.segmentsTable });
  const population = simulatePopulation({ customers: CUSTOMERS, days: DAYS, seed: 7, start: START });
  for (const { profile } of population.customers) await profiles.put(profile, undefined);
  seeded = population.customers.length;
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  temp.remove();
});

describe("the segment jobs state machine on the local stack", () => {
  it("reevaluates every profile part by part, and the membership index follows the memberships it writes", async () => {
    // Act
    const report = await run({ job: "reevaluate", parts: 3, pageSize: 7 });

    // Assess
    expect(report).toMatchObject({ job: "reevaluate", summary: { profiles: seeded } });
    const members = await membersBySegment();
    expect([...members.values()].some((ids) => ids.length > 0)).toBe(true);
    for (const [segmentId, ids] of members) expect(await indexed(segmentId), segmentId).toEqual(ids);
  }, 120_000);

  it("recounts what a single pass counts, with a step whose response is lost retried without counting twice", async () => {
    // Prepare: the first invocation of a step runs, writes its part, then fails as if its response were lost.
    const single = await countMembers({ scan: profiles, library }, { segment: 0, totalSegments: 1 });
    const real = tasks.WorkStep;
    if (real === undefined) throw new Error("no WorkStep task");
    let lost = 0;
    const flaky: Record<string, TaskBinding> = {
      ...tasks,
      WorkStep: {
        function: real.function,
        handler: async (event, context) => {
          const out = await real.handler(event, context);
          if (lost < 2) {
            lost++;
            throw new Error("response lost");
          }
          return out;
        },
      },
    };
    const outcomes: TaskOutcome[] = [];

    // Act
    const report = await run({ job: "recount", parts: 2, pageSize: 9 }, flaky, (o) => outcomes.push(o));

    // Assess
    expect(lost).toBe(2);
    expect(outcomes.filter((o) => o.state === "WorkStep" && !o.ok)).toHaveLength(2);
    expect(report).toEqual({ job: "recount", profiles: seeded, sizes: Object.fromEntries(single) });
    const stored = await sizes.sizes([...single.keys()]);
    expect(Object.fromEntries(stored.map((s) => [s.segmentId, s.size]))).toEqual(Object.fromEntries(single));
  }, 120_000);

  it("rebuilds the membership index from the profiles", async () => {
    // Act
    const report = await run({ job: "reindex", parts: 4, pageSize: 25 });

    // Assess
    const members = await membersBySegment();
    const total = [...members.values()].reduce((n, ids) => n + ids.length, 0);
    expect(report).toEqual({ job: "reindex", profiles: seeded, entries: total });
    for (const [segmentId, ids] of members) expect(await indexed(segmentId), segmentId).toEqual(ids);
  }, 120_000);

  it("runs rfm: thresholds over every buyer, then every buyer scored", async () => {
    // Act
    const report = await run({ job: "rfm", parts: 3, pageSize: 10 });

    // Assess
    const thresholds = await sizes.rfmThresholds();
    expect(thresholds?.population).toBeGreaterThan(0);
    expect(report).toMatchObject({ job: "rfm", summary: { profiles: seeded } });
    let scored = 0;
    for await (const { profile } of profiles.scan({ segment: 0, totalSegments: 1 }))
      if (profile.rfm !== undefined) scored++;
    expect(scored).toBe(thresholds?.population);
  }, 120_000);
});
