import { fileURLToPath } from "node:url";
import { Duration } from "aws-cdk-lib";
import type { IAlarm } from "aws-cdk-lib/aws-cloudwatch";
import type { ITable } from "aws-cdk-lib/aws-dynamodb";
import { type IRule, Rule, RuleTargetInput } from "aws-cdk-lib/aws-events";
import { SfnStateMachine } from "aws-cdk-lib/aws-events-targets";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import type { ITopic } from "aws-cdk-lib/aws-sns";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import {
  Choice,
  Condition,
  DefinitionBody,
  type IStateMachine,
  JsonPath,
  LogLevel,
  Map as MapState,
  StateMachine,
  Succeed,
  TaskInput,
} from "aws-cdk-lib/aws-stepfunctions";
import { LambdaInvoke } from "aws-cdk-lib/aws-stepfunctions-tasks";
import { Construct } from "constructs";
import { segmentJobsEnvSchema } from "#functions/segment-jobs/env.js";
import type { RfmMonetaryBasis } from "#shared/domain/segments/contracts.js";
import { LOCAL_NAMES } from "../local-names.js";
import { METRICS_NAMESPACE } from "./ingest.js";
import { tagLocalName } from "./local-name.js";
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

/** The segment jobs' handlers (`plan`, `step`, `finish`), found from this file. */
const entry = fileURLToPath(new URL("../../functions/segment-jobs/handler.ts", import.meta.url));

/** Service name of the segment jobs' functions: their logs' `service` key and their metrics' dimension. */
export const SEGMENT_JOBS_SERVICE_NAME = "segment-jobs";

/** Parts read at once by a map (each a parallel scan segment of the profile table). */
export const SEGMENT_JOBS_MAX_CONCURRENCY = 8;

/** The jobs started after every successful rescoring run: RFM (thresholds and scores), then exact sizes. */
export const NIGHTLY_SEGMENT_JOBS = ["rfm", "recount"] as const;

/** Props of {@link SegmentJobs}. */
export interface SegmentJobsProps {
  /** How long the timers the re-evaluation sets are kept past due. @default the adapters' defaults */
  readonly retention?: RetentionSettings;
  readonly profiles: ITable;
  readonly timers: ITable;
  /** Counters, RFM thresholds, the membership index and the parts' states. */
  readonly segments: ITable;
  readonly transitionsQueue: IQueue;
  readonly sendsQueue: IQueue;
  readonly definitions: SegmentDefinitions;
  readonly rfmMonetaryBasis: RfmMonetaryBasis;
  /** The nightly rescoring: each run that succeeds starts {@link NIGHTLY_SEGMENT_JOBS}. */
  readonly rescoring: IStateMachine;
  readonly alarmTopic: ITopic;
}

/** The alarms of the segment jobs. */
export interface SegmentJobsAlarms {
  /** A run failed: a part kept failing after its retries, or Finish found a part not done. */
  readonly executionsFailed: IAlarm;
  readonly executionsTimedOut: IAlarm;
  /** EventBridge could not start the nightly jobs. */
  readonly startDeadLetters: IAlarm;
}

/** How long one run may take before Step Functions stops it. */
const RUN_TIMEOUT = Duration.hours(12);

/**
 * The segment batch jobs (`recount`, `rfm`, `reevaluate`, `reindex` of the membership index) as a Step Functions
 * workflow, never one function: `Plan` → (`rfm` only: `Samples`, a map over the parts, then `Thresholds`) →
 * `Work` (a map over the parts) → `Finish`. In each map a part loops `Step` (a Lambda reading pages of its scan
 * segment until its time budget is spent, writing the part's state by part id and handing back its sequence)
 * until done; retried steps are recognised by their sequence, so nothing counts twice. Started on demand
 * (`tailor segments recount …`) and after every successful rescoring run.
 */
export class SegmentJobs extends Construct {
  readonly stateMachine: StateMachine;
  readonly functions: Readonly<Record<"plan" | "step" | "finish", IFunction>>;
  /** The rule that starts the nightly jobs when a rescoring run succeeds. */
  readonly afterRescoring: IRule;
  /** Where EventBridge puts the starts it could not deliver. */
  readonly startDeadLetterQueue: IQueue;
  readonly alarms: SegmentJobsAlarms;

  constructor(scope: Construct, id: string, props: SegmentJobsProps) {
    super(scope, id);
    const environment = {
      ...resettleEnvironment(props),
      RFM_MONETARY_BASIS: props.rfmMonetaryBasis,
      POWERTOOLS_SERVICE_NAME: SEGMENT_JOBS_SERVICE_NAME,
      POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
    };
    const make = taskFunctions(this, {
      entry,
      environmentSchema: segmentJobsEnvSchema,
      environment,
      bundledFolders: [props.definitions.bundledFolder],
    });
    const plan = make(
      "plan",
      LOCAL_NAMES.segmentJobsPlanFunction,
      "Plans a segment job run: its id and the parts of the profile table",
      Duration.seconds(30),
    );
    const step = make(
      "step",
      LOCAL_NAMES.segmentJobsStepFunction,
      "Runs one step of one part of a segment job: pages of a scan segment until its time budget is spent",
      Duration.minutes(15),
    );
    const finish = make(
      "finish",
      LOCAL_NAMES.segmentJobsFinishFunction,
      "Merges a segment job's parts: RFM thresholds between phases, totals and exact sizes at the end",
      Duration.minutes(5),
    );
    // The step reads and writes profiles, sets timers, writes counters, the index and its part; sends transitions
    // and intents. Plan touches nothing; finish reads the parts and writes sizes and thresholds.
    grantResettleWrites(step.function, props);
    props.segments.grantReadWriteData(finish.function);
    acknowledgeKmsGrants(step.role, "the profile, timers and segments tables' and the two queues' keys");
    acknowledgeKmsGrants(finish.role, "the segments table's key");

    const machine = new StateMachine(this, "StateMachine", {
      comment: "Segment batch jobs (recount, rfm, reevaluate, reindex) over the parts of the profile table",
      definitionBody: DefinitionBody.fromChainable(
        definition(this, { plan: plan.function, step: step.function, finish: finish.function }),
      ),
      timeout: RUN_TIMEOUT,
      tracingEnabled: true,
      // The states carry ids, cursors and counts, never a profile: the execution data may be logged.
      logs: {
        destination: stateMachineLogGroup(this, "the segment jobs state machine"),
        level: LogLevel.ALL,
        includeExecutionData: true,
      },
    });
    tagLocalName(machine, "AWS::StepFunctions::StateMachine", LOCAL_NAMES.segmentJobsStateMachine);
    acknowledgeStateMachineWildcards(machine.role, [plan.function, step.function, finish.function]);
    this.stateMachine = machine;
    this.functions = { plan: plan.function, step: step.function, finish: finish.function };

    const deadLetters = ruleDeadLetterQueue(this, "StartDeadLetters", "the nightly segment jobs");
    tagLocalName(deadLetters.queue, "AWS::SQS::Queue", LOCAL_NAMES.segmentJobsDeadLetterQueue);
    this.startDeadLetterQueue = deadLetters.queue;
    const rule = new Rule(this, "AfterRescoring", {
      description: "Starts the nightly segment jobs when a rescoring run succeeds",
      eventPattern: {
        source: ["aws.states"],
        detailType: ["Step Functions Execution Status Change"],
        detail: { status: ["SUCCEEDED"], stateMachineArn: [props.rescoring.stateMachineArn] },
      },
      targets: NIGHTLY_SEGMENT_JOBS.map(
        (job) =>
          new SfnStateMachine(machine, {
            input: RuleTargetInput.fromObject({ job }),
            deadLetterQueue: deadLetters.queue,
            retryAttempts: 4,
            maxEventAge: Duration.hours(1),
          }),
      ),
    });
    tagLocalName(rule, "AWS::Events::Rule", LOCAL_NAMES.segmentJobsAfterRescoring);
    this.afterRescoring = rule;

    this.alarms = {
      ...executionAlarms(this, machine, props.alarmTopic, {
        failed: "A segment job run failed: sizes, RFM scores or the membership index were not refreshed",
        timedOut: "A segment job run timed out: sizes, RFM scores or the membership index were not refreshed",
      }),
      startDeadLetters: deadLetters.alarmWhenNotEmpty(
        this,
        "StartDeadLettersAlarm",
        "EventBridge could not start the nightly segment jobs: its dead-letter queue holds the starts",
        props.alarmTopic,
      ),
    };
  }
}

/** A map over the plan's parts, each looping `<name>Step` until its part is done. */
function partsMap(
  scope: Construct,
  name: "Samples" | "Work",
  step: IFunction,
  phase: { readonly phase: string } | { readonly "phase.$": string },
): MapState {
  const task = new LambdaInvoke(scope, `${name}Step`, {
    lambdaFunction: step,
    payloadResponseOnly: true,
    retryOnServiceExceptions: true,
  });
  task.addRetry({
    errors: ["States.TaskFailed", "States.Timeout"],
    maxAttempts: 3,
    backoffRate: 2,
    interval: Duration.seconds(10),
  });
  const done = new Choice(scope, `${name}PartDone`)
    .when(Condition.booleanEquals("$.done", true), new Succeed(scope, `${name}PartFinished`))
    .otherwise(task);
  const map = new MapState(scope, name, {
    itemsPath: "$.items",
    maxConcurrency: SEGMENT_JOBS_MAX_CONCURRENCY,
    itemSelector: {
      "runId.$": "$.runId",
      "job.$": "$.job",
      ...phase,
      "startedAt.$": "$.startedAt",
      "part.$": "$$.Map.Item.Value.part",
      "parts.$": "$.parts",
      "pageSize.$": "$.pageSize",
      seq: 0,
    },
    // Each part's result is in the segments table, by part id: the state keeps only the plan.
    resultPath: JsonPath.DISCARD,
  });
  map.itemProcessor(task.next(done));
  return map;
}

/** The run's fields `Thresholds` and `Finish` read, with the stage. */
const runPayload = (stage: "thresholds" | "finish") =>
  TaskInput.fromObject({
    stage,
    runId: JsonPath.stringAt("$.runId"),
    job: JsonPath.stringAt("$.job"),
    startedAt: JsonPath.numberAt("$.startedAt"),
    parts: JsonPath.numberAt("$.parts"),
  });

/**
 * `Plan` → `IsRfm` → (`Samples` → `Thresholds` →) `Work` → `Finish`. The state names are the local runner's
 * binding of each task.
 */
function definition(
  scope: Construct,
  functions: { readonly plan: IFunction; readonly step: IFunction; readonly finish: IFunction },
): LambdaInvoke {
  const plan = new LambdaInvoke(scope, "Plan", { lambdaFunction: functions.plan, payloadResponseOnly: true });
  const samples = partsMap(scope, "Samples", functions.step, { phase: "samples" });
  const work = partsMap(scope, "Work", functions.step, { "phase.$": "$.workPhase" });
  const thresholds = new LambdaInvoke(scope, "Thresholds", {
    lambdaFunction: functions.finish,
    payloadResponseOnly: true,
    payload: runPayload("thresholds"),
    resultPath: "$.thresholds",
  });
  const finish = new LambdaInvoke(scope, "Finish", {
    lambdaFunction: functions.finish,
    payloadResponseOnly: true,
    payload: runPayload("finish"),
  });
  for (const task of [thresholds, finish]) {
    task.addRetry({
      errors: ["States.TaskFailed"],
      maxAttempts: 3,
      backoffRate: 2,
      interval: Duration.seconds(5),
    });
  }
  work.next(finish);
  const isRfm = new Choice(scope, "IsRfm")
    .when(Condition.stringEquals("$.job", "rfm"), samples.next(thresholds).next(work))
    .otherwise(work);
  plan.next(isRfm);
  return plan;
}
