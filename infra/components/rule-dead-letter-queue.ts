import { Aws } from "aws-cdk-lib";
import { PolicyStatement, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import type { Construct } from "constructs";
import { DeadLetterQueue } from "./dead-letter-queue.js";

/**
 * A {@link DeadLetterQueue} for the targets of EventBridge rules: EventBridge encrypts what it puts on the
 * queue with the queue's key, so the key lets it. Naming the rules themselves would make a cycle (key → rule →
 * queue → key): any rule of this account and region may use it.
 */
export function ruleDeadLetterQueue(scope: Construct, id: string, purpose: string): DeadLetterQueue {
  const deadLetters = new DeadLetterQueue(scope, id, { purpose });
  deadLetters.key.addToResourcePolicy(
    new PolicyStatement({
      sid: "AllowEventBridgeRuleDeadLetters",
      principals: [new ServicePrincipal("events.amazonaws.com")],
      actions: ["kms:Decrypt", "kms:GenerateDataKey"],
      resources: ["*"],
      conditions: {
        ArnLike: { "aws:SourceArn": `arn:${Aws.PARTITION}:events:${Aws.REGION}:${Aws.ACCOUNT_ID}:rule/*` },
      },
    }),
  );
  return deadLetters;
}
