import { join } from "node:path";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import type { LocalStack } from "#infra/local/local-stack.js";
import { type LocalModels, modelEndpointsOf, startLocalModels } from "#infra/local/model-server-runner.js";
import { localAccountId, localRegion } from "#infra/local/sdk-env.js";
import { stackTemplate } from "#infra/local/stack-template.js";
import { planStateMachines, type StateMachineSpec } from "#infra/local/state-machine-plan.js";
import { runStateMachine, type TaskBinding } from "#infra/local/state-machine-runner.js";
import { bindStateMachineTasks } from "#infra/local/state-machine-tasks.js";
import { LOCAL_NAMES } from "#infra/local-names.js";
import { tierOf } from "#shared/app/rescoring/index.js";
import { DynamoClusterStore } from "#shared/aws/dynamo-cluster-store.js";
import { DynamoProfileStore } from "#shared/aws/dynamo-profile-store.js";
import { DynamoSegmentStore } from "#shared/aws/dynamo-segment-store.js";
import { assignCluster, clusterFeatures } from "#shared/domain/clusters/index.js";
import { profileFeatures } from "#shared/domain/features/index.js";
import {
  countPrediction,
  emptyCalibrationCounts,
  liveCalibration,
} from "#shared/domain/models/live-calibration.js";
import { mayProfile } from "#shared/domain/profile/consent.js";
import { DAY_MS, type Profile } from "#shared/domain/profile/index.js";
import type { ModelScore } from "#shared/domain/segments/contracts.js";
import { type LogisticArtifact, loadArtifactDirectory } from "#shared/model-server/artifacts.js";
import { scoreLogistic } from "#shared/model-server/logistic.js";
import { tempDir } from "../local/helpers.js";
import { TestClock } from "../local/test-clock.js";
import { startTestStack } from "../local/test-stack.js";
import { simulatePopulation } from "../segments/sim-profiles.js";

/**
 * The nightly rescoring end to end on the local stack: the state machine that CDK synthesises, run by
 * aws-local-stepfunctions with its task states bound to the rescore function's real handlers, over simulated
 * profiles written to the local DynamoDB, scoring through the SageMaker runtime client against the model server.
 * It checks what lands in the tables (scores equal to the model's own answer on the profile's features, tiers,
 * customer clusters, segment memberships and their counters), the drift of a second run, and a run with the endpoint down that
 * keeps every score as it was.
 */

const liveCalibrationSchema = z.record(
  z.string(),
  z.looseObject({ gap: z.number().optional(), bias: z.number().optional(), observations: z.number() }),
);

const START = Date.UTC(2026, 6, 1);
const DAYS = 60;
const CUSTOMERS = 160;
/** What the models are trained on: big enough for scores that spread over more than one tier. */
const TRAINING_HISTORY = { seed: 1, customers: 150, days: 90 };
const PREDICTIVE = ["likely-to-convert-high", "likely-to-convert-medium", "likely-to-convert-low"];

const temp = tempDir("tailor-rescoring-");
const clock = new TestClock(START + DAYS * DAY_MS);
let stack: LocalStack;
let models: LocalModels;
let modelsRunning = false;
let spec: StateMachineSpec;
let tasks: Record<string, TaskBinding>;
let profiles: DynamoProfileStore;
let segments: DynamoSegmentStore;
let purchaseModel: LogisticArtifact;
const written = new Map<string, Profile>();

async function readAll(): Promise<Map<string, Profile>> {
  const found = await profiles.getMany([...written.keys()]);
  return new Map([...found].map(([id, stored]) => [id, stored.profile]));
}

function runRescoring(totalSegments = 4): Promise<unknown> {
  return runStateMachine(spec, { input: { totalSegments }, tasks, retryIntervalMs: 1 });
}

beforeAll(async () => {
  const template = await stackTemplate();
  stack = await startTestStack({ dataDir: temp.dir, clock });
  const found = planStateMachines(template, stack.plan, {
    region: localRegion,
    accountId: localAccountId,
  }).find((machine) => machine.name === LOCAL_NAMES.rescoreStateMachine);
  if (found === undefined) throw new Error("the template has no rescoring state machine");
  spec = found;
  const slice = stack.plan.functions.find((f) => f.name === spec.taskFunctions.RescoreSlice);
  const endpoints = modelEndpointsOf(slice?.environment.MODEL_ENDPOINTS);
  // The folder is empty: the models are trained first, on a smaller history than `tailor train`'s (seconds less).
  models = await startLocalModels({
    dir: join(temp.dir, "models"),
    endpoints,
    log: () => {},
    trainingHistory: TRAINING_HISTORY,
  });
  modelsRunning = true;
  const artifact = (await loadArtifactDirectory(join(temp.dir, "models"))).get("purchase_30d");
  if (artifact?.kind !== "logistic") throw new Error("no purchase_30d model was trained");
  purchaseModel = artifact;
  tasks = await bindStateMachineTasks(spec, stack.plan.functions, models.env);

  const dynamodb = new DynamoDBClient({});
  profiles = new DynamoProfileStore({ client: dynamodb, tableName: LOCAL_NAMES.profileTable });
  segments = new DynamoSegmentStore({ client: dynamodb, tableName: LOCAL_NAMES.segmentsTable });
  const population = simulatePopulation({ customers: CUSTOMERS, days: DAYS, seed: 11, start: START });
  for (const { customerId, profile } of population.customers) {
    await profiles.put(profile, undefined);
    written.set(customerId, profile);
  }
}, 120_000);

afterAll(async () => {
  if (modelsRunning) await models.stop();
  await stack?.stop();
  temp.remove();
});

describe("the rescoring state machine on the local stack", () => {
  let firstRun: Map<string, Profile>;
  /** The profiles as the first run left them: its predictions wait in `cb` for their horizon. */
  let initial: Map<string, Profile>;

  it("scores every profile that may be profiled, writes tiers and moves them into the predictive segments", async () => {
    const before = clock.now();
    const report = await runRescoring();
    const after = clock.now();
    const stored = await readAll();
    firstRun = stored;
    initial = stored;

    const profiled = [...written.values()].filter(mayProfile);
    expect(profiled.length).toBeGreaterThan(CUSTOMERS / 2);
    expect(report).toMatchObject({
      profiles: written.size,
      scored: profiled.length,
      unscored: 0,
      skippedNoConsent: written.size - profiled.length,
      failedSlices: [],
      clusterModel: { fitted: true, population: profiled.length },
    });
    const clusters = (
      await new DynamoClusterStore({
        client: new DynamoDBClient({}),
        tableName: LOCAL_NAMES.segmentsTable,
      }).current()
    )?.model;
    if (clusters === undefined) throw new Error("the run stored no cluster model");

    const tiers = { high: 0, medium: 0, low: 0 };
    for (const [customerId, original] of written) {
      const profile = stored.get(customerId);
      expect(profile, customerId).toBeDefined();
      if (profile === undefined) continue;
      if (!mayProfile(original)) {
        expect(profile.sc, `${customerId} objected to profiling`).toBeUndefined();
        continue;
      }
      const purchase = profile.sc?.purchase_30d;
      const churn = profile.sc?.churn_60d;
      if (purchase === undefined || churn === undefined) throw new Error(`${customerId} was not scored`);
      // The score is the model's answer on the profile's features at the time of scoring: nothing lost between.
      const [expected] = scoreLogistic(purchaseModel, [profileFeatures(original, purchase.at).values]);
      expect(purchase.p).toBeCloseTo(expected ?? Number.NaN, 9);
      expect(purchase.at).toBeGreaterThanOrEqual(before);
      expect(purchase.at).toBeLessThanOrEqual(after);
      for (const score of [purchase, churn]) expect(score.t).toBe(tierOf(score.p));
      tiers[purchase.t]++;
      // Its cluster is the nearest centre of the model the run fitted before the slices.
      expect(profile.cl, customerId).toEqual({
        c: assignCluster(clusters, clusterFeatures(original, purchase.at)),
        at: purchase.at,
      });
      // Exactly the predictive segment of its tier.
      const memberOf = PREDICTIVE.filter((id) => profile.sg?.[id] !== undefined);
      expect(memberOf, customerId).toEqual([`likely-to-convert-${purchase.t}`]);
      expect(profile.sg?.["churn-risk"] !== undefined, customerId).toBe(churn.t === "high");
    }
    // The simulated population spreads over more than one tier.
    expect(Object.values(tiers).filter((n) => n > 0).length).toBeGreaterThan(1);
    expect(report).toMatchObject({ tiers: { purchase_30d: tiers } });

    // The counters the segment sizes are read from moved with the transitions.
    const sizes = await segments.sizes(PREDICTIVE);
    expect(Object.fromEntries(sizes.map((s) => [s.segmentId, s.size]))).toEqual({
      "likely-to-convert-high": tiers.high,
      "likely-to-convert-medium": tiers.medium,
      "likely-to-convert-low": tiers.low,
    });
    const entries = tiers.high + tiers.medium + tiers.low;
    expect(Reflect.get(Object(report), "transitions")).toBeGreaterThanOrEqual(entries);
  }, 120_000);

  it("a week later scores again and reports each model's drift against the first run", async () => {
    clock.at = clock.now() + 7 * DAY_MS;
    const report = await runRescoring(3);
    expect(report).toMatchObject({
      unscored: 0,
      failedSlices: [],
      psi: {
        purchase_30d: { psi: expect.any(Number), drift: expect.any(Boolean) },
        churn_60d: { psi: expect.any(Number), drift: expect.any(Boolean) },
      },
    });
    const stored = await readAll();
    for (const [customerId, profile] of stored) {
      const previous = firstRun.get(customerId)?.sc?.purchase_30d;
      if (previous === undefined) continue;
      expect(profile.sc?.purchase_30d?.at, customerId).toBeGreaterThan(previous.at);
    }
    firstRun = stored;
  }, 120_000);

  it("a horizon after the first run resolves its predictions once each and reports the live calibration", async () => {
    const first = [...initial.values()].flatMap((p) =>
      p.cb?.purchase_30d === undefined ? [] : [p.cb.purchase_30d],
    );
    const firstAt = Math.min(...first.map((pending) => pending.at));
    clock.at = firstAt + 31 * DAY_MS;
    const report = await runRescoring(3);
    const stored = await readAll();

    // Every profiled customer's first prediction, resolved by this run: no order came after the simulated history.
    const resolved: [number, 0 | 1][] = [];
    for (const [customerId, profile] of stored) {
      const before = initial.get(customerId)?.cb?.purchase_30d;
      if (before === undefined) continue;
      const now = profile.cb?.purchase_30d;
      expect(now?.r?.[1], customerId).toBe(before.p);
      expect(now?.r?.[2], customerId).toBe(0);
      expect(now?.at, customerId).toBeGreaterThanOrEqual(clock.now() - DAY_MS);
      resolved.push([before.p, 0]);
      // The churn model's 60 days have not passed: its first prediction still waits.
      expect(profile.cb?.churn_60d?.at, customerId).toBe(initial.get(customerId)?.cb?.churn_60d?.at);
    }
    const profiled = [...written.values()].filter(mayProfile).length;
    expect(resolved).toHaveLength(profiled);
    const counts = emptyCalibrationCounts();
    for (const [p, y] of resolved) countPrediction(counts, p, y);
    const expected = liveCalibration(counts);
    const calibration = liveCalibrationSchema.parse(Reflect.get(Object(report), "liveCalibration"));
    expect(Object.keys(calibration)).toEqual(["purchase_30d"]);
    const { gap, bias, ...rest } = calibration.purchase_30d ?? { observations: 0 };
    expect(rest).toMatchObject({
      observations: profiled,
      used: expected.used,
      bins: expected.bins,
      resolved: profiled,
    });
    // Nothing came true, so the gap is the mean prediction of the bins counted (none when no bin has 50).
    expect(gap === undefined).toBe(expected.gap === undefined);
    if (expected.gap !== undefined) {
      expect(gap).toBeCloseTo(expected.gap, 6);
      expect(bias).toBeCloseTo(expected.gap, 6);
    }
    firstRun = stored;
  }, 120_000);

  it("with the endpoint down, every profile keeps its last scores and the run says so", async () => {
    await models.stop();
    modelsRunning = false;
    clock.at = clock.now() + DAY_MS;
    const report = await runRescoring();
    const profiled = [...written.values()].filter(mayProfile).length;
    expect(report).toMatchObject({ scored: 0, unscored: profiled, failedSlices: [], psi: {} });
    expect(Reflect.get(Object(report), "errors")).toEqual(
      expect.arrayContaining([expect.stringMatching(/purchase_30d|churn_60d/)]),
    );
    const stored = await readAll();
    let compared = 0;
    for (const [customerId, profile] of stored) {
      const kept: Record<string, ModelScore> | undefined = firstRun.get(customerId)?.sc;
      expect(profile.sc, customerId).toEqual(kept);
      if (kept !== undefined) compared++;
    }
    expect(compared).toBe(profiled);
  }, 120_000);
});
