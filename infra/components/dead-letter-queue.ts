import { Validations } from "aws-cdk-lib";
import type { IAlarm } from "aws-cdk-lib/aws-cloudwatch";
import type { IKey } from "aws-cdk-lib/aws-kms";
import type { ITopic } from "aws-cdk-lib/aws-sns";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { createEncryptedQueue } from "./encrypted-queue.js";
import { ALARM_PERIOD, notifyingAlarm } from "./notifying-alarm.js";

/** Props of {@link DeadLetterQueue}. */
export interface DeadLetterQueueProps {
  /** What the queue receives, for the key's description and the acknowledgement. */
  readonly purpose: string;
}

/**
 * An SQS queue that receives what a consumer gave up on: encrypted with a key of its own, TLS-only, and
 * keeping messages for the maximum 14 days, so there is time to look and redrive.
 */
export class DeadLetterQueue extends Construct {
  /** The queue. */
  readonly queue: IQueue;
  /** The customer-managed key the queue is encrypted with. */
  readonly key: IKey;

  constructor(scope: Construct, id: string, props: DeadLetterQueueProps) {
    super(scope, id);
    const { queue, key } = createEncryptedQueue(this, {
      keyDescription: `Encrypts the dead-letter queue of ${props.purpose}`,
    });
    this.key = key;
    Validations.of(queue).acknowledge({
      id: "AwsSolutions-SQS3",
      reason: `This queue is itself a dead-letter queue: the on-failure destination of ${props.purpose}.`,
    });
    this.queue = queue;
  }

  /**
   * An alarm, declared in `scope` as `id`, that fires as soon as the queue holds a message (its depth's maximum
   * over a period is above 0) and notifies `topic`.
   */
  alarmWhenNotEmpty(scope: Construct, id: string, description: string, topic: ITopic): IAlarm {
    return notifyingAlarm(scope, id, {
      description,
      metric: this.queue.metricApproximateNumberOfMessagesVisible({
        statistic: "Maximum",
        period: ALARM_PERIOD,
      }),
      threshold: 0,
      topic,
    });
  }
}
