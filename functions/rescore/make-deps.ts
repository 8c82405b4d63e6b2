import { DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { SageMakerRuntimeClient } from "@aws-sdk/client-sagemaker-runtime";
import { z } from "zod";
import {
  type FinishRunDeps,
  type RescoreRun,
  type RescoreRunStore,
  type RescoreSliceSummaries,
  rescoreSummarySchema,
} from "#shared/app/rescoring/finish-run.js";
import type { FitClustersDeps } from "#shared/app/rescoring/fit-run-clusters.js";
import type { RescoreDeps, RescoreSummary } from "#shared/app/rescoring/index.js";
import { DynamoClusterStore } from "#shared/aws/dynamo-cluster-store.js";
import { DynamoJsonItem } from "#shared/aws/dynamo-json-item.js";
import { DynamoProfileStore } from "#shared/aws/dynamo-profile-store.js";
import { queryAll } from "#shared/aws/dynamo-query-all.js";
import { ttlAttribute } from "#shared/aws/dynamo-ttl.js";
import { SageMakerScorer } from "#shared/aws/sagemaker-scorer.js";
import { DependencyUnavailableError } from "#shared/errors.js";
import { runtimeClock } from "#shared/lambda/runtime-clock.js";
import { dynamoSegmentDeps } from "#shared/lambda/segment-adapters.js";
import { sendAdapters } from "#shared/lambda/send-adapters.js";
import type { Clock, ProfilePages } from "#shared/ports.js";
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

/** The `Plan` step: the profile table's approximate item count (DescribeTable) sizes the run's slices. */
export function makePlanDeps(env: RescoreEnv): { readonly profiles: Pick<ProfilePages, "approximateCount"> } {
  return {
    profiles: new DynamoProfileStore({ client: new DynamoDBClient({}), tableName: env.PROFILES_TABLE }),
  };
}

/** Where each slice keeps its summary for the run's `Finish` (the segments table). */
export function makeSliceSummaries(env: RescoreEnv): RescoreSliceSummaries {
  return new DynamoRescoreSliceSummaries({ client: new DynamoDBClient({}), tableName: env.SEGMENTS_TABLE });
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
    slices: new DynamoRescoreSliceSummaries({ client: dynamodb, tableName: env.SEGMENTS_TABLE }),
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

/** Days a run's slice summaries are kept: the run's Finish reads them within hours; then they expire. */
const SLICE_SUMMARY_RETENTION_DAYS = 14;

/**
 * Each slice's summary of a rescoring run in the segments table, at `pk = rescore-run#<startedAt>`,
 * `sk = slice#<segment>` (zero-padded), as JSON, expiring after two weeks. A retried slice replaces its item.
 */
export class DynamoRescoreSliceSummaries implements RescoreSliceSummaries {
  readonly #client: DynamoDBClient;
  readonly #tableName: string;

  constructor(options: { readonly client: DynamoDBClient; readonly tableName: string }) {
    this.#client = options.client;
    this.#tableName = options.tableName;
  }

  async put(run: number, segment: number, summary: RescoreSummary): Promise<void> {
    try {
      await this.#client.send(
        new PutItemCommand({
          TableName: this.#tableName,
          Item: {
            pk: { S: runKey(run) },
            sk: { S: `slice#${String(segment).padStart(5, "0")}` },
            segment: { N: String(segment) },
            json: { S: JSON.stringify(summary) },
            ...ttlAttribute(run, SLICE_SUMMARY_RETENTION_DAYS),
          },
        }),
      );
    } catch (error) {
      throw new DependencyUnavailableError(`PutItem on ${this.#tableName} failed`, error);
    }
  }

  async all(run: number): Promise<ReadonlyMap<number, RescoreSummary>> {
    const summaries = new Map<number, RescoreSummary>();
    const items = await queryAll(this.#client, {
      TableName: this.#tableName,
      KeyConditionExpression: "pk = :pk AND begins_with(sk, :slice)",
      ExpressionAttributeValues: { ":pk": { S: runKey(run) }, ":slice": { S: "slice#" } },
      ConsistentRead: true,
    });
    for (const item of items) {
      const segment = Number(item.segment?.N);
      const parsed = rescoreSummarySchema.safeParse(safeJson(item.json?.S));
      if (!Number.isSafeInteger(segment) || !parsed.success)
        throw new DependencyUnavailableError(
          `${this.#tableName} holds an unreadable rescoring slice summary (${item.sk?.S ?? "no key"})`,
        );
      summaries.set(segment, parsed.data);
    }
    return summaries;
  }
}

const runKey = (run: number) => `rescore-run#${run}`;

function safeJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
