import { Aws, CfnElement, type Duration, RemovalPolicy, Stack, Validations } from "aws-cdk-lib";
import type { IAlarm } from "aws-cdk-lib/aws-cloudwatch";
import type { ITable } from "aws-cdk-lib/aws-dynamodb";
import { type IRole, PolicyStatement, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { Key } from "aws-cdk-lib/aws-kms";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import type { ITopic } from "aws-cdk-lib/aws-sns";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import type { StateMachine } from "aws-cdk-lib/aws-stepfunctions";
import type { Construct } from "constructs";
import type { z } from "zod";
import type { LocalName } from "../local-names.js";
import { tagLocalName } from "./local-name.js";
import { ALARM_PERIOD, notifyingAlarm } from "./notifying-alarm.js";
import { ProjectFunction, type ProjectFunctionProps } from "./project-function.js";
import { type RetentionSettings, retentionEnvironment } from "./retention-settings.js";
import { SEGMENTS_DIR } from "./segment-definitions.js";

/**
 * The execution log group of a state machine (`Logs`), encrypted with a key of its own (`LogsKey`) that only
 * CloudWatch Logs of this account and region may use; a month's retention.
 */
export function stateMachineLogGroup(scope: Construct, what: string): LogGroup {
  const logKey = new Key(scope, "LogsKey", {
    description: `Encrypts the execution logs of ${what}`,
    enableKeyRotation: true,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  logKey.addToResourcePolicy(
    new PolicyStatement({
      sid: "AllowCloudWatchLogs",
      principals: [new ServicePrincipal(`logs.${Aws.REGION}.amazonaws.com`)],
      actions: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
      resources: ["*"],
      conditions: {
        ArnLike: {
          "kms:EncryptionContext:aws:logs:arn": `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:*`,
        },
      },
    }),
  );
  return new LogGroup(scope, "Logs", {
    encryptionKey: logKey,
    retention: RetentionDays.ONE_MONTH,
    removalPolicy: RemovalPolicy.DESTROY,
  });
}

/**
 * The wildcards CDK writes on a state machine's role: log delivery and X-Ray, which support no resource
 * scoping, and `lambda:InvokeFunction` on each task function's versions (`<arn>:*`).
 */
export function acknowledgeStateMachineWildcards(role: IRole, functions: readonly IFunction[]): void {
  Validations.of(role).acknowledge({
    id: "AwsSolutions-IAM5[Resource::*]",
    reason: "Execution logs and active tracing: log delivery and X-Ray actions support no resource scoping.",
  });
  for (const fn of functions) {
    const resource = fn.node.defaultChild;
    if (!(resource instanceof CfnElement)) continue;
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${Stack.of(resource).getLogicalId(resource)}.Arn>:*]`,
      reason: "The task states may invoke any version of their own function, and no other function.",
    });
  }
}

/** The KMS wildcards the `grant*()` calls write, acknowledged by name on one role. */
export function acknowledgeKmsGrants(role: IRole, keys: string): void {
  const reason = `KMS grants for ${keys}, each scoped to its one key ARN.`;
  for (const action of ["kms:GenerateDataKey*", "kms:ReEncrypt*"]) {
    Validations.of(role).acknowledge({ id: `AwsSolutions-IAM5[Action::${action}]`, reason });
  }
}

/**
 * A maker of a state machine's task functions, all from one entry (each with its own handler export, local name,
 * description and timeout), sharing the environment and the bundled folders.
 */
export function taskFunctions<S extends z.ZodObject>(
  scope: Construct,
  shared: Pick<ProjectFunctionProps<S>, "entry" | "environmentSchema" | "environment" | "bundledFolders">,
) {
  return (
    handler: string,
    localName: LocalName,
    description: string,
    timeout: Duration,
  ): ProjectFunction<S> => {
    const built = new ProjectFunction(scope, `${handler[0]?.toUpperCase()}${handler.slice(1)}Function`, {
      ...shared,
      handler,
      description,
      timeout,
    });
    tagLocalName(built.function, "AWS::Lambda::Function", localName);
    return built;
  };
}

/** The environment of a function that re-evaluates profiles outside the stream: its stores and definitions. */
export function resettleEnvironment(
  stores: ResettleStores & { readonly retention?: RetentionSettings | undefined },
) {
  return {
    PROFILES_TABLE: stores.profiles.tableName,
    SEGMENTS_DIR,
    TIMERS_TABLE: stores.timers.tableName,
    ...retentionEnvironment(stores.retention, "timers"),
    SEGMENTS_TABLE: stores.segments.tableName,
    TRANSITIONS_QUEUE_URL: stores.transitionsQueue.queueUrl,
    SENDS_QUEUE_URL: stores.sendsQueue.queueUrl,
  };
}

/** The stores a function that re-evaluates profiles writes to. */
export interface ResettleStores {
  readonly profiles: ITable;
  readonly timers: ITable;
  readonly segments: ITable;
  readonly transitionsQueue: IQueue;
  readonly sendsQueue: IQueue;
}

/** What a batch step that re-evaluates profiles writes: profiles, timers, segment bookkeeping, both queues. */
export function grantResettleWrites(fn: IFunction, stores: ResettleStores): void {
  stores.profiles.grantReadWriteData(fn);
  stores.timers.grantWriteData(fn);
  stores.segments.grantReadWriteData(fn);
  stores.transitionsQueue.grantSendMessages(fn);
  stores.sendsQueue.grantSendMessages(fn);
}

/** Alarms on a state machine's failed and timed-out executions, notifying `topic`; `what` ends each description. */
export function executionAlarms(
  scope: Construct,
  machine: StateMachine,
  topic: ITopic,
  what: { readonly failed: string; readonly timedOut: string },
): { readonly executionsFailed: IAlarm; readonly executionsTimedOut: IAlarm } {
  return {
    executionsFailed: notifyingAlarm(scope, "ExecutionsFailedAlarm", {
      description: what.failed,
      metric: machine.metricFailed({ statistic: "Sum", period: ALARM_PERIOD }),
      threshold: 0,
      topic,
    }),
    executionsTimedOut: notifyingAlarm(scope, "ExecutionsTimedOutAlarm", {
      description: what.timedOut,
      metric: machine.metricTimedOut({ statistic: "Sum", period: ALARM_PERIOD }),
      threshold: 0,
      topic,
    }),
  };
}
