import { Aws, CfnElement, RemovalPolicy, Stack, Validations } from "aws-cdk-lib";
import { type IRole, PolicyStatement, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { Key } from "aws-cdk-lib/aws-kms";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import type { Construct } from "constructs";

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
