import { fileURLToPath } from "node:url";
import { Duration } from "aws-cdk-lib";
import { type IAlarm, Metric } from "aws-cdk-lib/aws-cloudwatch";
import type { ITable } from "aws-cdk-lib/aws-dynamodb";
import { type IRule, Rule, RuleTargetInput, Schedule } from "aws-cdk-lib/aws-events";
import { SfnStateMachine } from "aws-cdk-lib/aws-events-targets";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import type { ITopic } from "aws-cdk-lib/aws-sns";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import {
  DefinitionBody,
  JsonPath,
  LogLevel,
  Map as MapState,
  Pass,
  StateMachine,
  TaskInput,
} from "aws-cdk-lib/aws-stepfunctions";
import { LambdaInvoke } from "aws-cdk-lib/aws-stepfunctions-tasks";
import { Construct, type Node } from "constructs";
import { rescoreEnvSchema } from "#functions/rescore/env.js";
import { parseScheduleExpression } from "#shared/domain/schedules/index.js";
import type { RfmMonetaryBasis } from "#shared/domain/segments/contracts.js";
import { DEFAULT_RFM_MONETARY_BASIS, RFM_MONETARY_BASES } from "#shared/domain/segments/rfm.js";
import { modelEndpointsSchema } from "#shared/lambda/model-endpoints-env.js";
import { LOCAL_NAMES } from "../local-names.js";
import { InfraConfigError } from "./infra-config-error.js";
import { METRICS_NAMESPACE } from "./ingest.js";
import { invokeEndpointsStatement } from "./invoke-endpoints.js";
import { tagLocalName } from "./local-name.js";
import type { ModelSettings } from "./model-settings.js";
import { ALARM_PERIOD, notifyingAlarm } from "./notifying-alarm.js";
import type { RetentionSettings } from "./retention-settings.js";
import { ruleDeadLetterQueue } from "./rule-dead-letter-queue.js";
import type { SegmentDefinitions } from "./segment-definitions.js";
import {
  acknowledgeKmsGrants,
  acknowledgeStateMachineWildcards,
  executionAlarms,
  grantResettleWrites,
  resettleEnvironment,
  stateMachineLogGroup,
  taskFunctions,
} from "./state-machine-support.js";

/** The rescore function's handlers (`plan`, `slice`, `finish`), found from this file. */
const rescoreEntry = fileURLToPath(new URL("../../functions/rescore/handler.ts", import.meta.url));

/** Service name of the rescore functions: their logs' `service` key and their metrics' `service` dimension. */
export const RESCORE_SERVICE_NAME = "rescore";

/** The models scored and their SageMaker endpoints when neither props nor context name them. */
export const DEFAULT_MODEL_ENDPOINTS: Readonly<Record<string, string>> = {
  purchase_30d: "tailor-purchase-30d",
  churn_60d: "tailor-churn-60d",
};

/** When the rescoring runs when neither props nor context say: every night at 03:00 UTC. */
export const DEFAULT_RESCORE_SCHEDULE = "cron(0 3 * * ? *)";

/**
 * Slices scored at once when neither props nor context say: each scans its share of the profile table, keeps
 * one request in flight per endpoint and writes its profiles 16 at a time.
 */
export const DEFAULT_RESCORE_CONCURRENCY = 4;
/** The most slices at once: an inline Map's practical bound, and 40 × 16 writes in flight on the table. */
export const MAX_RESCORE_CONCURRENCY = 40;

/** The rescoring settings: stack props, else CDK context (`-c rescoreSchedule="cron(0 4 * * ? *)"`), else defaults. */
export interface RescoringSettingsInput {
  /**
   * Model name → SageMaker endpoint name; context `modelEndpoints` (a JSON object, or its text).
   * @default {@link DEFAULT_MODEL_ENDPOINTS}
   */
  readonly modelEndpoints?: Readonly<Record<string, string>>;
  /**
   * The EventBridge schedule expression that starts a run; context `rescoreSchedule`.
   * @default {@link DEFAULT_RESCORE_SCHEDULE}
   */
  readonly rescoreSchedule?: string;
  /**
   * Real-time scoring in ingest: a customer's order, cart add or checkout rescores them through the same
   * endpoints, at most once per this many minutes; `0` turns it off (scores then move only at night). Context
   * `realtimeScoringMinutes`.
   * @default 15
   */
  readonly realtimeScoringMinutes?: number;
  /**
   * What RFM's monetary value reads when a run recomputes the thresholds: `total` (what the customer paid, net
   * of refunds and cancels) or `revenue` (Segment's `revenue`, excluding shipping and tax). Context
   * `rfmMonetaryBasis`.
   * @default "total"
   */
  readonly rfmMonetaryBasis?: RfmMonetaryBasis;
  /**
   * Slices of a run rescored at once (1–40): a large table's nightly run takes about slices × 200 s divided by
   * this. Each slice keeps one request in flight per endpoint, so with `modelHosting=serverless` it may not
   * exceed `modelServerlessMaxConcurrency`. Context `rescoreConcurrency`.
   * @default 4
   */
  readonly rescoreConcurrency?: number;
}

/** The context keys read, the same names as the props. */
export const RESCORING_CONTEXT_KEYS = [
  "modelEndpoints",
  "rescoreSchedule",
  "realtimeScoringMinutes",
  "rfmMonetaryBasis",
  "rescoreConcurrency",
] as const;

/** The rescoring settings, resolved and checked. */
export interface RescoringSettings {
  readonly modelEndpoints: Readonly<Record<string, string>>;
  readonly rescoreSchedule: string;
  /** Minutes between two real-time rescorings of a customer; `undefined`: real-time scoring is off. */
  readonly realtimeScoringMinutes: number | undefined;
  /** What RFM's monetary value reads. */
  readonly rfmMonetaryBasis: RfmMonetaryBasis;
  /** Slices rescored at once (the `Slices` map's MaxConcurrency). */
  readonly rescoreConcurrency: number;
}

/** Minutes between two real-time rescorings of one customer when neither props nor context say. */
export const DEFAULT_REALTIME_SCORING_MINUTES = 15;

/** A SageMaker endpoint name: what `CreateEndpoint` accepts. */
const endpointName = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;

/** Resolves the rescoring settings from the props, else the CDK context of `node`, else the defaults. */
export function resolveRescoringSettings(input: RescoringSettingsInput, node: Node): RescoringSettings {
  const rawEndpoints: unknown = input.modelEndpoints ?? node.tryGetContext("modelEndpoints");
  const endpoints = modelEndpointsSchema.safeParse(
    typeof rawEndpoints === "string" ? parseJson(rawEndpoints) : (rawEndpoints ?? DEFAULT_MODEL_ENDPOINTS),
  );
  if (!endpoints.success || Object.keys(endpoints.data).length === 0) {
    throw new InfraConfigError("modelEndpoints must be a JSON object of at least one model → endpoint name");
  }
  for (const [model, name] of Object.entries(endpoints.data)) {
    if (!endpointName.test(name)) {
      throw new InfraConfigError(`modelEndpoints.${model}: ${name} is not a SageMaker endpoint name`);
    }
  }
  const schedule: unknown = input.rescoreSchedule ?? node.tryGetContext("rescoreSchedule");
  const rescoreSchedule = schedule ?? DEFAULT_RESCORE_SCHEDULE;
  if (typeof rescoreSchedule !== "string") {
    throw new InfraConfigError(`rescoreSchedule must be a cron(...) or rate(...) expression`);
  }
  const parsed = parseScheduleExpression(rescoreSchedule);
  if (parsed.kind === "invalid") throw new InfraConfigError(`rescoreSchedule: ${parsed.problem}`);
  const rawMinutes: unknown = input.realtimeScoringMinutes ?? node.tryGetContext("realtimeScoringMinutes");
  const minutes = Number(rawMinutes ?? DEFAULT_REALTIME_SCORING_MINUTES);
  if (!Number.isInteger(minutes) || minutes < 0 || minutes > 24 * 60) {
    throw new InfraConfigError(`realtimeScoringMinutes must be a whole number of minutes from 0 to 1440`);
  }
  const basis: unknown = input.rfmMonetaryBasis ?? node.tryGetContext("rfmMonetaryBasis");
  const rfmMonetaryBasis = RFM_MONETARY_BASES.find(
    (known) => known === (basis ?? DEFAULT_RFM_MONETARY_BASIS),
  );
  if (rfmMonetaryBasis === undefined) {
    throw new InfraConfigError(`rfmMonetaryBasis must be one of ${RFM_MONETARY_BASES.join(", ")}`);
  }
  const rawConcurrency: unknown = input.rescoreConcurrency ?? node.tryGetContext("rescoreConcurrency");
  const rescoreConcurrency = Number(rawConcurrency ?? DEFAULT_RESCORE_CONCURRENCY);
  if (
    typeof rawConcurrency === "boolean" ||
    rawConcurrency === "" ||
    !Number.isInteger(rescoreConcurrency) ||
    rescoreConcurrency < 1 ||
    rescoreConcurrency > MAX_RESCORE_CONCURRENCY
  ) {
    throw new InfraConfigError(
      `rescoreConcurrency must be a whole number of slices from 1 to ${MAX_RESCORE_CONCURRENCY} (e.g. -c rescoreConcurrency=${DEFAULT_RESCORE_CONCURRENCY}), got ${JSON.stringify(rawConcurrency)}`,
    );
  }
  return {
    modelEndpoints: endpoints.data,
    rescoreSchedule: parsed.expression,
    realtimeScoringMinutes: minutes === 0 ? undefined : minutes,
    rfmMonetaryBasis,
    rescoreConcurrency,
  };
}

/**
 * With serverless endpoints the stack deploys, the slices rescored at once may not outnumber the invocations an
 * endpoint serves at once: each slice keeps one request in flight per endpoint, and beyond the endpoint's
 * concurrency SageMaker throttles, leaving pages unscored.
 */
export function checkRescoreConcurrency(
  rescoring: Pick<RescoringSettings, "rescoreConcurrency">,
  models: Pick<ModelSettings, "capacity">,
): void {
  const { capacity } = models;
  if (capacity?.kind === "serverless" && rescoring.rescoreConcurrency > capacity.maxConcurrency) {
    throw new InfraConfigError(
      `rescoreConcurrency (${rescoring.rescoreConcurrency}) exceeds modelServerlessMaxConcurrency (${capacity.maxConcurrency}): ` +
        "each slice rescored at once keeps one request in flight per endpoint; raise modelServerlessMaxConcurrency or lower rescoreConcurrency",
    );
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Props of {@link Rescoring}. */
export interface RescoringProps {
  /** How long the items the function writes are kept (their `ttl`). @default the adapters' defaults */
  readonly retention?: RetentionSettings;
  /** The profile table: every profile is scored and written back. */
  readonly profiles: ITable;
  /** The due-time timers table: segment and send timers the re-evaluation sets. */
  readonly timers: ITable;
  /** The segment bookkeeping table: counters, RFM thresholds, the last run's score distributions. */
  readonly segments: ITable;
  /** Where the transitions the re-evaluation decides are sent. */
  readonly transitionsQueue: IQueue;
  /** Where the send intents the transitions start are sent. */
  readonly sendsQueue: IQueue;
  /** The segment definitions, shipped in the bundles. */
  readonly definitions: SegmentDefinitions;
  /** The models and their endpoints, and the schedule. */
  readonly settings: RescoringSettings;
  /** Where the alarms notify. */
  readonly alarmTopic: ITopic;
}

/** The alarms of the rescoring. */
export interface RescoringAlarms {
  /** A run failed (`Plan` or `Finish` failed: a failing slice alone is caught). */
  readonly executionsFailed: IAlarm;
  /** A run did not finish within the state machine's timeout. */
  readonly executionsTimedOut: IAlarm;
  /** EventBridge could not start a run. */
  readonly scheduleDeadLetters: IAlarm;
  /** A run finished with slices given up on (their customers keep yesterday's scores). */
  readonly slicesFailed: IAlarm;
}

/** How long one run may take before Step Functions stops it. */
const RUN_TIMEOUT = Duration.hours(6);

/**
 * The nightly batch rescoring: a Step Functions state machine `Plan` → `Slices` (a Map over the profile table's
 * scan segments, each `RescoreSlice` scoring its profiles with every model's SageMaker endpoint and
 * re-evaluating their segments; a slice that still fails after its retries is recorded as failed, so the
 * others count) → `Finish` (totals, RFM thresholds, score drift against the previous run). An EventBridge rule
 * starts it on a schedule, with a retry policy and a dead-letter queue on the target.
 *
 * The three task states invoke three functions built from the one entry, each with its own handler export.
 */
export class Rescoring extends Construct {
  /** The state machine. */
  readonly stateMachine: StateMachine;
  /** The functions of the task states, by handler export. */
  readonly functions: Readonly<Record<"plan" | "cluster" | "slice" | "finish", IFunction>>;
  /** The schedule that starts a run. */
  readonly rule: IRule;
  /** Where EventBridge puts the starts it could not deliver. */
  readonly scheduleDeadLetterQueue: IQueue;
  /** The capability's alarms, all notifying the alarm topic. */
  readonly alarms: RescoringAlarms;

  constructor(scope: Construct, id: string, props: RescoringProps) {
    super(scope, id);
    const environment = {
      ...resettleEnvironment(props),
      MODEL_ENDPOINTS: JSON.stringify(props.settings.modelEndpoints),
      POWERTOOLS_SERVICE_NAME: RESCORE_SERVICE_NAME,
      POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
    };
    const make = taskFunctions(this, {
      entry: rescoreEntry,
      environmentSchema: rescoreEnvSchema,
      environment,
      bundledFolders: [props.definitions.bundledFolder],
    });
    const plan = make(
      "plan",
      LOCAL_NAMES.rescorePlanFunction,
      "Plans a rescoring run: the scan segments of the profile table, sized from its item count",
      Duration.seconds(30),
    );
    const cluster = make(
      "cluster",
      LOCAL_NAMES.rescoreClusterFunction,
      "Fits the run's customer clusters (k-means over RFM and engagement) on a sample of every profile",
      Duration.minutes(15),
    );
    const slice = make(
      "slice",
      LOCAL_NAMES.rescoreSliceFunction,
      "Rescores one scan segment of the profiles with every model and re-evaluates their segments",
      Duration.minutes(15),
    );
    const finish = make(
      "finish",
      LOCAL_NAMES.rescoreFinishFunction,
      "Finishes a rescoring run: totals, RFM thresholds, score drift against the previous run",
      Duration.minutes(15),
    );

    // Plan: the profile table's item count (DescribeTable) sizes the slices.
    props.profiles.grant(plan.function, "dynamodb:DescribeTable");
    grantResettleWrites(slice.function, props);
    slice.function.addToRolePolicy(invokeEndpointsStatement(Object.values(props.settings.modelEndpoints)));
    // Clusters reads every profile and keeps the fitted model in the segments table.
    props.profiles.grantReadData(cluster.function);
    props.segments.grantReadWriteData(cluster.function);
    acknowledgeKmsGrants(cluster.role, "the profile and segments tables' keys");
    // Finish recomputes the RFM thresholds from every profile and keeps the run's distributions.
    props.profiles.grantReadData(finish.function);
    props.segments.grantReadWriteData(finish.function);
    acknowledgeKmsGrants(slice.role, "the profile, timers and segments tables' and the two queues' keys");
    acknowledgeKmsGrants(finish.role, "the profile and segments tables' keys");

    const definition = stateMachineDefinition(
      this,
      {
        plan: plan.function,
        cluster: cluster.function,
        slice: slice.function,
        finish: finish.function,
      },
      props.settings.rescoreConcurrency,
    );
    const logs = stateMachineLogGroup(this, "the rescoring state machine");
    const machine = new StateMachine(this, "StateMachine", {
      comment: "Nightly batch rescoring of every profile with each model, and score drift",
      definitionBody: DefinitionBody.fromChainable(definition),
      timeout: RUN_TIMEOUT,
      tracingEnabled: true,
      // The states carry counts and histograms, never a profile: the execution data may be logged.
      logs: { destination: logs, level: LogLevel.ALL, includeExecutionData: true },
    });
    tagLocalName(machine, "AWS::StepFunctions::StateMachine", LOCAL_NAMES.rescoreStateMachine);
    acknowledgeStateMachineWildcards(machine.role, [
      plan.function,
      cluster.function,
      slice.function,
      finish.function,
    ]);
    this.stateMachine = machine;
    this.functions = {
      plan: plan.function,
      cluster: cluster.function,
      slice: slice.function,
      finish: finish.function,
    };

    const deadLetters = ruleDeadLetterQueue(this, "ScheduleDeadLetters", "the rescoring schedule");
    tagLocalName(deadLetters.queue, "AWS::SQS::Queue", LOCAL_NAMES.rescoreScheduleDeadLetterQueue);
    this.scheduleDeadLetterQueue = deadLetters.queue;
    const rule = new Rule(this, "Schedule", {
      description: "Starts the batch rescoring of every profile",
      schedule: Schedule.expression(props.settings.rescoreSchedule),
      targets: [
        new SfnStateMachine(machine, {
          input: RuleTargetInput.fromObject({}),
          deadLetterQueue: deadLetters.queue,
          retryAttempts: 4,
          maxEventAge: Duration.hours(1),
        }),
      ],
    });
    tagLocalName(rule, "AWS::Events::Rule", LOCAL_NAMES.rescoreSchedule);
    this.rule = rule;

    this.alarms = {
      ...executionAlarms(this, machine, props.alarmTopic, {
        failed: "A rescoring run failed: scores, RFM thresholds and drift are from the previous run",
        timedOut: "A rescoring run timed out: scores, RFM thresholds and drift are from the previous run",
      }),
      slicesFailed: notifyingAlarm(this, "SlicesFailedAlarm", {
        description:
          "A rescoring run gave up on some of its slices after their retries (RescoreSlicesFailed): their " +
          "customers keep the previous scores; the run's Finish log line names the slices and errors",
        metric: new Metric({
          namespace: METRICS_NAMESPACE,
          metricName: "RescoreSlicesFailed",
          dimensionsMap: { service: RESCORE_SERVICE_NAME },
          statistic: "Sum",
          period: ALARM_PERIOD,
        }),
        threshold: 0,
        topic: props.alarmTopic,
      }),
      scheduleDeadLetters: deadLetters.alarmWhenNotEmpty(
        this,
        "ScheduleDeadLettersAlarm",
        "EventBridge could not start the rescoring: its dead-letter queue holds the starts",
        props.alarmTopic,
      ),
    };
  }
}

/**
 * `Plan` → `Slices` (Map over `$.slices`: `RescoreSlice`, retried, a slice that still fails caught into
 * `{ failed: true, segment }`) → `Finish`. The state names are the local runner's binding of each task.
 */
function stateMachineDefinition(
  scope: Construct,
  functions: {
    readonly plan: IFunction;
    readonly cluster: IFunction;
    readonly slice: IFunction;
    readonly finish: IFunction;
  },
  concurrency: number,
): LambdaInvoke {
  const plan = new LambdaInvoke(scope, "Plan", {
    lambdaFunction: functions.plan,
    payloadResponseOnly: true,
  });
  // The table's item count may be throttled for a moment: a night is not lost to it.
  plan.addRetry({
    errors: ["States.TaskFailed"],
    maxAttempts: 3,
    backoffRate: 2,
    interval: Duration.seconds(5),
  });
  // Before the slices, which assign each profile its cluster; failing, the previous clusters stay.
  const clusters = new LambdaInvoke(scope, "Clusters", {
    lambdaFunction: functions.cluster,
    payloadResponseOnly: true,
    retryOnServiceExceptions: false,
    payload: TaskInput.fromObject({ totalSegments: JsonPath.numberAt("$.totalSegments") }),
    resultPath: "$.clusters",
  });
  clusters.addRetry({
    errors: ["States.TaskFailed"],
    maxAttempts: 2,
    backoffRate: 2,
    interval: Duration.seconds(5),
  });
  const rescoreSlice = new LambdaInvoke(scope, "RescoreSlice", {
    lambdaFunction: functions.slice,
    payloadResponseOnly: true,
    retryOnServiceExceptions: false,
  });
  rescoreSlice.addRetry({
    errors: ["States.TaskFailed", "ScorerUnavailableError"],
    maxAttempts: 3,
    backoffRate: 2,
    interval: Duration.seconds(5),
  });
  const sliceFailed = new Pass(scope, "SliceFailed", {
    parameters: { failed: true, "segment.$": "$.segment" },
  });
  rescoreSlice.addCatch(sliceFailed, { errors: ["States.ALL"], resultPath: "$.error" });
  const slices = new MapState(scope, "Slices", {
    itemsPath: "$.slices",
    maxConcurrency: concurrency,
    itemSelector: {
      "startedAt.$": "$.startedAt",
      "segment.$": "$$.Map.Item.Value.segment",
      "totalSegments.$": "$$.Map.Item.Value.totalSegments",
    },
    resultPath: "$.summaries",
  });
  slices.itemProcessor(rescoreSlice);
  const finish = new LambdaInvoke(scope, "Finish", {
    lambdaFunction: functions.finish,
    payloadResponseOnly: true,
    payload: TaskInput.fromObject({
      startedAt: JsonPath.numberAt("$.startedAt"),
      summaries: JsonPath.listAt("$.summaries"),
      clusters: JsonPath.objectAt("$.clusters"),
    }),
  });
  const afterClusters = slices.next(finish);
  clusters.addCatch(slices, { errors: ["States.ALL"], resultPath: "$.clusters" });
  plan.next(clusters).next(afterClusters);
  return plan;
}
