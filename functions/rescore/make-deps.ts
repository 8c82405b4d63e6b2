import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SageMakerRuntimeClient } from "@aws-sdk/client-sagemaker-runtime";
import { z } from "zod";
import type { FinishRunDeps, RescoreRun, RescoreRunStore } from "#shared/app/rescoring/finish-run.js";
import type { FitClustersDeps } from "#shared/app/rescoring/fit-run-clusters.js";
import type { RescoreDeps } from "#shared/app/rescoring/index.js";
import { DynamoClusterStore } from "#shared/aws/dynamo-cluster-store.js";
import { DynamoJsonItem } from "#shared/aws/dynamo-json-item.js";
import { DynamoProfileStore } from "#shared/aws/dynamo-profile-store.js";
import { SageMakerScorer } from "#shared/aws/sagemaker-scorer.js";
import { runtimeClock } from "#shared/lambda/runtime-clock.js";
import { dynamoSegmentDeps } from "#shared/lambda/segment-adapters.js";
import { sendAdapters } from "#shared/lambda/send-adapters.js";
import type { Clock } from "#shared/ports.js";
import type { RescoreEnv } from "./env.js";

/**
 * The rescore function's composition root for one slice: SDK clients once per container, the segment library
 * read once, the scorer calling each model's endpoint from `MODEL_ENDPOINTS` (a batch can wait: 5 s per call).
 */
export function makeRescoreDeps(env: RescoreEnv, clock: Clock = runtimeClock): RescoreDeps {
  const dynamodb = new DynamoDBClient({});
  const profiles = new DynamoProfileStore({ client: dynamodb, tableName: env.PROFILES_TABLE });
  const endpoints = env.MODEL_ENDPOINTS;
  return {
    profiles,
    scan: profiles,
    clock,
    segments: dynamoSegmentDeps({ env, dynamodb, outbox: profiles, clock }),
    sends: sendAdapters(env, dynamodb),
    scorer: new SageMakerScorer({
      client: new SageMakerRuntimeClient({}),
      endpointFor: (model) => endpoints[model] ?? model,
    }),
    clusters: new DynamoClusterStore({ client: dynamodb, tableName: env.SEGMENTS_TABLE }),
  };
}

/** The `Clusters` step: every profile read to fit the run's clusters, the model kept in the segments table. */
export function makeClusterDeps(env: RescoreEnv, clock: Clock = runtimeClock): FitClustersDeps {
  const dynamodb = new DynamoDBClient({});
  return {
    scan: new DynamoProfileStore({ client: dynamodb, tableName: env.PROFILES_TABLE }),
    clusters: new DynamoClusterStore({ client: dynamodb, tableName: env.SEGMENTS_TABLE }),
    clock,
  };
}

/** The same function's finish step: the last run's score distributions (the baseline of the drift). */
export function makeFinishDeps(env: RescoreEnv, clock: Clock = runtimeClock): FinishRunDeps {
  const dynamodb = new DynamoDBClient({});
  return {
    runs: new DynamoRescoreRuns({ client: dynamodb, tableName: env.SEGMENTS_TABLE }),
    clock,
  };
}

const bins = z.array(z.number().nonnegative());
const calibrationRunSchema = z.object({ at: z.number(), n: bins, p: bins, y: bins });

const runSchema = z.object({
  startedAt: z.number(),
  finishedAt: z.number(),
  histograms: z.record(z.string(), z.array(z.number().nonnegative())),
  features: z.record(z.string(), z.array(z.number().nonnegative())).optional(),
  calibration: z.record(z.string(), z.array(calibrationRunSchema)).optional(),
});

/** The last rescoring run's distributions in the segments table, at `pk = rescore`, `sk = last`, as JSON. */
export class DynamoRescoreRuns implements RescoreRunStore {
  readonly #item: DynamoJsonItem<RescoreRun>;

  constructor(options: { readonly client: DynamoDBClient; readonly tableName: string }) {
    this.#item = new DynamoJsonItem({
      ...options,
      key: { pk: "rescore", sk: "last" },
      schema: runSchema,
      what: "rescore run",
    });
  }

  lastRun(): Promise<RescoreRun | undefined> {
    return this.#item.get();
  }

  putLastRun(run: RescoreRun): Promise<void> {
    return this.#item.put(run);
  }
}
