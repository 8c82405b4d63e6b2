import { gzipSync } from "node:zlib";
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalStack } from "#infra/local/local-stack.js";
import { localAccountId, localRegion } from "#infra/local/sdk-env.js";
import { stackTemplate } from "#infra/local/stack-template.js";
import { planStateMachines, type StateMachineSpec } from "#infra/local/state-machine-plan.js";
import { runStateMachine, type TaskBinding, type TaskOutcome } from "#infra/local/state-machine-runner.js";
import { bindStateMachineTasks } from "#infra/local/state-machine-tasks.js";
import { LOCAL_NAMES } from "#infra/local-names.js";
import { archiveHourPrefix, archiveLine } from "#shared/domain/events/archived-record.js";
import { DAY_MS } from "#shared/domain/profile/index.js";
import { archivedSimRecord, simulatedHistory } from "#shared/sim/index.js";
import { tempDir } from "../local/helpers.js";
import { startTestStack } from "../local/test-stack.js";

/**
 * The training workflow as CDK synthesises it (`modelHosting` existing: no SageMaker step), run by
 * aws-local-stepfunctions with its tasks bound to the model-training function's real handler, over the
 * simulator's history written to the local archive bucket: features, candidates, evaluations and decisions in
 * the local model bucket, each model promoted on the first run.
 */

const DAYS = 90;
const sim = simulatedHistory({ seed: 5, customers: 160, days: DAYS });
const iso = (day: number) => new Date(sim.start + day * DAY_MS).toISOString();
const temp = tempDir("tailor-training-workflow-");
let stack: LocalStack;
let spec: StateMachineSpec;
let tasks: Record<string, TaskBinding>;
let s3: S3Client;

beforeAll(async () => {
  const template = await stackTemplate();
  stack = await startTestStack({ dataDir: temp.dir });
  const found = planStateMachines(template, stack.plan, {
    region: localRegion,
    accountId: localAccountId,
  }).find((machine) => machine.name === LOCAL_NAMES.modelTrainingStateMachine);
  if (found === undefined) throw new Error("the template has no training workflow");
  spec = found;
  tasks = await bindStateMachineTasks(spec, stack.plan.functions, {});
  // The archive as Firehose writes it: gzip JSON lines, one object per hour of arrival.
  s3 = new S3Client({ forcePathStyle: true });
  const byHour = new Map<string, string[]>();
  [...sim.history].forEach((record, i) => {
    const archived = archivedSimRecord(record, i + 1);
    const prefix = archiveHourPrefix(Date.parse(archived.arrivedAt));
    byHour.set(prefix, [...(byHour.get(prefix) ?? []), archiveLine(archived)]);
  });
  for (const [prefix, lines] of byHour) {
    await s3.send(
      new PutObjectCommand({
        Bucket: LOCAL_NAMES.archiveBucket,
        Key: `${prefix}tailor-archive-1.gz`,
        Body: gzipSync(lines.join("")),
      }),
    );
  }
}, 300_000);

afterAll(async () => {
  await stack?.stop();
  temp.remove();
});

describe("the training workflow on the local stack", () => {
  it("builds the features, trains, evaluates and promotes each model (the propensity models and the recommender) into the local model bucket", async () => {
    // Act
    const outcomes: TaskOutcome[] = [];
    const output = await runStateMachine(spec, {
      input: { trigger: "test", from: iso(0), to: iso(DAYS), cutoff: iso(30), holdoutCutoff: iso(60) },
      tasks,
      retryIntervalMs: 1,
      onTask: (outcome) => outcomes.push(outcome),
    });

    // Assess
    expect(outcomes.filter((o) => !o.ok)).toEqual([]);
    expect(outcomes.map((o) => o.state).sort()).toEqual(
      [
        "BuildFeatures",
        ...Array(3).fill(["EvaluateCandidate", "RecordDecision", "TrainCandidate"]).flat(),
      ].sort(),
    );
    expect(output).toMatchObject({
      features: { rows: { train: expect.any(Number) } },
      results: [
        { model: "purchase_30d", evaluation: { promote: true }, decision: { current: expect.any(String) } },
        { model: "churn_60d", evaluation: { promote: true }, decision: { current: expect.any(String) } },
        {
          model: "recommendations",
          candidate: { artifactKey: expect.stringMatching(/^models\/recommendations\/.+\/model\.tar\.gz$/) },
          evaluation: { promote: true, lists: { precisionAt10: expect.any(Number) } },
          decision: { current: expect.any(String) },
        },
      ],
    });
    for (const model of ["purchase_30d", "churn_60d", "recommendations"]) {
      const current = await s3.send(
        new GetObjectCommand({ Bucket: LOCAL_NAMES.modelBucket, Key: `models/${model}/current.json` }),
      );
      expect(await current.Body?.transformToString()).toContain('"version"');
    }
  }, 600_000);
});
