import { fileURLToPath } from "node:url";
import { CfnElement, Duration, Stack, Validations } from "aws-cdk-lib";
import type { IAlarm, IMetric } from "aws-cdk-lib/aws-cloudwatch";
import type { ITable } from "aws-cdk-lib/aws-dynamodb";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import type { ITopic } from "aws-cdk-lib/aws-sns";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import {
  Choice,
  Condition,
  DefinitionBody,
  DistributedMap,
  JsonPath,
  LogLevel,
  StateMachine,
  StateMachineType,
  Succeed,
  TaskInput,
} from "aws-cdk-lib/aws-stepfunctions";
import { LambdaInvoke } from "aws-cdk-lib/aws-stepfunctions-tasks";
import { Construct } from "constructs";
import { campaignFanOutEnvSchema } from "#functions/campaign-fanout/env.js";
import { LOCAL_NAMES, type LocalName } from "../local-names.js";
import type { CampaignDefinitions } from "./campaign-definitions.js";
import { campaignEnvironment } from "./campaign-triggers.js";
import type { FanOutSettings } from "./fanout-settings.js";
import { METRICS_NAMESPACE } from "./ingest.js";
import { tagLocalName } from "./local-name.js";
import { ALARM_PERIOD, notifyingAlarm } from "./notifying-alarm.js";
import { ProjectFunction } from "./project-function.js";
import type { RetentionSettings } from "./retention-settings.js";
import type { SegmentDefinitions } from "./segment-definitions.js";
import {
  acknowledgeKmsGrants,
  acknowledgeStateMachineWildcards,
  stateMachineLogGroup,
} from "./state-machine-support.js";

const entry = fileURLToPath(new URL("../../functions/campaign-fanout/handler.ts", import.meta.url));

/** Service name of the fan-out functions: their logs' `service` key and their metrics' `service` dimension. */
export const FANOUT_SERVICE_NAME = "campaign-fanout";

/** How long one `Part` invocation may run, and how long of it it starts new pages for. */
export const FANOUT_PART_TIMEOUT = Duration.minutes(5);
export const FANOUT_PART_BUDGET = Duration.minutes(4);
/** Memory of a `Part` invocation: a page of at most {@link FANOUT_PAGE_SIZE} profiles at a time. */
export const FANOUT_PART_MEMORY_MB = 512;
export const FANOUT_PAGE_SIZE = 500;
/** Attempts of a failed `Part` invocation (it resumes from its checkpoint) before the run fails. */
export const FANOUT_PART_ATTEMPTS = 4;
/** How long one run may take before Step Functions stops it (a restart of the tick resumes it). */
export const FANOUT_RUN_TIMEOUT = Duration.hours(6);

/** Props of {@link CampaignFanOut}. */
export interface CampaignFanOutProps {
  /** How long the timers the parts write are kept (their `ttl`). @default the adapters' defaults */
  readonly retention?: RetentionSettings;
  /** The profiles the audience is read from (a parallel scan, when there is no membership index). */
  readonly profiles: ITable;
  /** The segments table: the segments' sizes and the runs' progress records (`fanout#…`). */
  readonly segments: ITable;
  /** The due-time store: delayed steps become send timers. */
  readonly timers: ITable;
  /** Where the send intents go. */
  readonly sendsQueue: IQueue;
  readonly segmentDefinitions: SegmentDefinitions;
  readonly campaignDefinitions: CampaignDefinitions;
  readonly settings: FanOutSettings;
  /** Where the alarms notify. */
  readonly alarmTopic: ITopic;
}

/** The alarms of the fan-out. */
export interface CampaignFanOutAlarms {
  /** A run failed: a part kept failing after its retries (a restart of the tick resumes it). */
  readonly executionsFailed: IAlarm;
  readonly executionsTimedOut: IAlarm;
}

/**
 * The fan-out of a scheduled campaign as a Step Functions workflow: `Plan` (the occurrence, and how many parts:
 * scan segments of the profile table sized from its item count, or parts of the segment membership index) →
 * `Parts`, a Distributed Map (its children are standard executions, up to `fanOutMaxConcurrency` at once) over
 * the parts, each looping `Part` (a page at a time within a time budget, checkpointed, then its cursor) →
 * `PartDone?` until done → `Finish` (the run's counts). A failed `Part` is retried and resumes from its
 * checkpoint; a run that failed or was stopped is restarted by starting the same tick again.
 */
export class CampaignFanOut extends Construct {
  readonly stateMachine: StateMachine;
  readonly functions: Readonly<Record<"plan" | "part" | "finish", IFunction>>;
  readonly alarms: CampaignFanOutAlarms;

  constructor(scope: Construct, id: string, props: CampaignFanOutProps) {
    super(scope, id);
    const environment = {
      PROFILES_TABLE: props.profiles.tableName,
      SEGMENTS_TABLE: props.segments.tableName,
      ...campaignEnvironment(props),
      FANOUT_PROFILES_PER_PART: String(props.settings.profilesPerPart),
      FANOUT_MAX_PARTS: "1000",
      FANOUT_PART_BUDGET_SECONDS: String(FANOUT_PART_BUDGET.toSeconds()),
      FANOUT_PAGE_SIZE: String(FANOUT_PAGE_SIZE),
      POWERTOOLS_SERVICE_NAME: FANOUT_SERVICE_NAME,
      POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
    };
    const bundledFolders = [
      props.segmentDefinitions.bundledFolder,
      ...props.campaignDefinitions.bundledFolders,
    ];
    const make = (
      handler: "plan" | "part" | "finish",
      localName: LocalName,
      description: string,
      sizing: { readonly timeout: Duration; readonly memorySize?: number },
    ): ProjectFunction<typeof campaignFanOutEnvSchema> => {
      const built = new ProjectFunction(this, `${handler[0]?.toUpperCase()}${handler.slice(1)}Function`, {
        entry,
        handler,
        description,
        ...sizing,
        environmentSchema: campaignFanOutEnvSchema,
        environment,
        bundledFolders,
      });
      tagLocalName(built.function, "AWS::Lambda::Function", localName);
      return built;
    };
    const plan = make(
      "plan",
      LOCAL_NAMES.fanOutPlanFunction,
      "Plans a scheduled campaign's fan-out: its parts",
      {
        timeout: Duration.seconds(30),
      },
    );
    const part = make(
      "part",
      LOCAL_NAMES.fanOutPartFunction,
      "Reads one part of a scheduled campaign's audience page by page and hands it to the sends queue",
      { timeout: FANOUT_PART_TIMEOUT, memorySize: FANOUT_PART_MEMORY_MB },
    );
    const finish = make("finish", LOCAL_NAMES.fanOutFinishFunction, "Finishes a fan-out run: its counts", {
      timeout: Duration.seconds(30),
    });
    // Plan: the table's item count (DescribeTable), the segments' sizes, the run's record.
    props.profiles.grant(plan.function, "dynamodb:DescribeTable");
    props.segments.grantReadWriteData(plan.function);
    // Part: a page of the profiles (Scan), its checkpoint, the sends queue and send timers.
    props.profiles.grantReadData(part.function);
    props.segments.grantReadWriteData(part.function);
    props.timers.grantWriteData(part.function);
    props.sendsQueue.grantSendMessages(part.function);
    props.segments.grantReadWriteData(finish.function);
    acknowledgeKmsGrants(plan.role, "the profile and segments tables' keys");
    acknowledgeKmsGrants(part.role, "the profile, segments and timers tables' and the sends queue's keys");
    acknowledgeKmsGrants(finish.role, "the segments table's key");

    const machine = new StateMachine(this, "StateMachine", {
      comment: "Fans a scheduled campaign's audience out to the sends queue, in parts read in parallel",
      definitionBody: DefinitionBody.fromChainable(
        definition(
          this,
          { plan: plan.function, part: part.function, finish: finish.function },
          props.settings,
        ),
      ),
      timeout: FANOUT_RUN_TIMEOUT,
      tracingEnabled: true,
      // The states carry ids of parts, cursors (hashed keys) and counts, never a profile or an address.
      logs: {
        destination: stateMachineLogGroup(this, "the campaign fan-out state machine"),
        level: LogLevel.ALL,
        includeExecutionData: true,
      },
    });
    tagLocalName(machine, "AWS::StepFunctions::StateMachine", LOCAL_NAMES.fanOutStateMachine);
    acknowledgeStateMachineWildcards(machine.role, [plan.function, part.function, finish.function]);
    acknowledgeChildExecutions(machine);
    this.stateMachine = machine;
    this.functions = { plan: plan.function, part: part.function, finish: finish.function };
    const resume = "`tailor campaign run <id> --occurrence <tick>` resumes it";
    const alarm = (id: string, what: string, metric: IMetric) =>
      notifyingAlarm(this, id, {
        description: `A scheduled campaign's fan-out ${what}; ${resume}`,
        metric,
        threshold: 0,
        topic: props.alarmTopic,
      });
    const period = { statistic: "Sum", period: ALARM_PERIOD };
    this.alarms = {
      executionsFailed: alarm(
        "ExecutionsFailedAlarm",
        "failed: part of its audience was not sent to",
        machine.metricFailed(period),
      ),
      executionsTimedOut: alarm("ExecutionsTimedOutAlarm", "timed out", machine.metricTimedOut(period)),
    };
  }
}

/**
 * `Plan` → `Parts` (Distributed Map over `$.items`: `Part` → `PartDone?` → `Part` … until done) → `Finish`.
 * The state names are the local runner's binding of each task (it runs the map inline).
 */
function definition(
  scope: Construct,
  functions: Readonly<Record<"plan" | "part" | "finish", IFunction>>,
  settings: FanOutSettings,
): LambdaInvoke {
  const plan = new LambdaInvoke(scope, "Plan", {
    lambdaFunction: functions.plan,
    payloadResponseOnly: true,
    retryOnServiceExceptions: false,
  });
  plan.addRetry({
    errors: ["DependencyUnavailableError"],
    maxAttempts: 3,
    backoffRate: 2,
    interval: Duration.seconds(2),
  });
  const part = new LambdaInvoke(scope, "Part", {
    lambdaFunction: functions.part,
    payloadResponseOnly: true,
    retryOnServiceExceptions: false,
  });
  part.addRetry({
    errors: ["States.TaskFailed"],
    maxAttempts: FANOUT_PART_ATTEMPTS - 1,
    backoffRate: 2,
    interval: Duration.seconds(5),
  });
  const partDone = new Choice(scope, "PartDone?")
    .when(Condition.booleanEquals("$.done", true), new Succeed(scope, "PartFinished"))
    .otherwise(part);
  const parts = new DistributedMap(scope, "Parts", {
    itemsPath: "$.items",
    maxConcurrency: settings.maxConcurrency,
    mapExecutionType: StateMachineType.STANDARD,
    itemSelector: {
      "campaignId.$": "$.campaignId",
      "occurrence.$": "$.occurrence",
      "source.$": "$.source",
      "segmentId.$": "$.segmentId",
      "parts.$": "$.parts",
      "part.$": "$$.Map.Item.Value.part",
    },
    resultPath: JsonPath.DISCARD,
  });
  parts.itemProcessor(part.next(partDone));
  const finish = new LambdaInvoke(scope, "Finish", {
    lambdaFunction: functions.finish,
    payloadResponseOnly: true,
    payload: TaskInput.fromObject({
      campaignId: JsonPath.stringAt("$.campaignId"),
      occurrence: JsonPath.stringAt("$.occurrence"),
    }),
  });
  plan.next(parts).next(finish);
  return plan;
}

/** The Distributed Map's grant to start, stop and read its child executions: of this state machine only. */
function acknowledgeChildExecutions(machine: StateMachine): void {
  const resource = machine.node.defaultChild;
  if (!(resource instanceof CfnElement)) return;
  const ref = JSON.stringify({ Ref: Stack.of(resource).getLogicalId(resource) });
  const execution = `arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:{"Fn::Select":[6,{"Fn::Split":[":",${ref}]}]}`;
  for (const suffix of [":*", "/*:*"]) {
    Validations.of(machine).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${execution}${suffix}]`,
      reason: "The Distributed Map's child executions of this state machine, and no other execution.",
    });
  }
}
