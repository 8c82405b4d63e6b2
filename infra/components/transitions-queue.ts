import { Duration } from "aws-cdk-lib";
import type { IAlarm } from "aws-cdk-lib/aws-cloudwatch";
import type { IKey } from "aws-cdk-lib/aws-kms";
import type { ITopic } from "aws-cdk-lib/aws-sns";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { LOCAL_NAMES } from "../local-names.js";
import { DeadLetterQueue } from "./dead-letter-queue.js";
import { createEncryptedQueue } from "./encrypted-queue.js";
import { InfraConfigError } from "./infra-config-error.js";
import { tagLocalName } from "./local-name.js";

/** Props of {@link TransitionsQueue}. */
export interface TransitionsQueueProps {
  /** Where the dead-letter alarm notifies. */
  readonly alarmTopic: ITopic;
  /**
   * Receives of one message before it moves to the dead-letter queue.
   * @default 5
   */
  readonly maxReceiveCount?: number;
  /**
   * The timeout of the function consuming the queue: a message stays invisible six times as long, as Lambda
   * advises for SQS event sources.
   * @default 30 seconds
   */
  readonly consumerTimeout?: Duration;
}

/**
 * The SQS queue of segment transitions (a customer entered or exited a segment), written by ingest and the
 * segment timers, read by campaigns. Encrypted with a key of its own, TLS-only, keeping messages 14 days so a
 * paused campaign consumer loses nothing; a message received `maxReceiveCount` times without being deleted
 * moves to a dead-letter queue of its own, and any message there raises an alarm.
 */
export class TransitionsQueue extends Construct {
  /** The queue. */
  readonly queue: IQueue;
  /** The customer-managed key the queue is encrypted with. */
  readonly key: IKey;
  /** Where messages consumers keep failing on end up. */
  readonly deadLetterQueue: IQueue;
  /** Fires when the dead-letter queue holds anything. */
  readonly deadLetterAlarm: IAlarm;

  constructor(scope: Construct, id: string, props: TransitionsQueueProps) {
    super(scope, id);
    const maxReceiveCount = props.maxReceiveCount ?? 5;
    if (!Number.isInteger(maxReceiveCount) || maxReceiveCount < 1 || maxReceiveCount > 1000) {
      throw new InfraConfigError(`maxReceiveCount must be an integer from 1 to 1000, got ${maxReceiveCount}`);
    }

    const deadLetters = new DeadLetterQueue(this, "DeadLetters", {
      purpose: "the segment transitions queue",
    });
    tagLocalName(deadLetters.queue, "AWS::SQS::Queue", LOCAL_NAMES.transitionsDeadLetterQueue);
    this.deadLetterQueue = deadLetters.queue;

    const { queue, key } = createEncryptedQueue(this, {
      keyDescription: "Encrypts the Tailor segment transitions queue",
      visibilityTimeout: Duration.seconds((props.consumerTimeout ?? Duration.seconds(30)).toSeconds() * 6),
      deadLetterQueue: { queue: deadLetters.queue, maxReceiveCount },
    });
    this.key = key;
    tagLocalName(queue, "AWS::SQS::Queue", LOCAL_NAMES.transitionsQueue);
    this.queue = queue;

    this.deadLetterAlarm = deadLetters.alarmWhenNotEmpty(
      this,
      "DeadLettersAlarm",
      `Segment transitions were received ${maxReceiveCount} times and never consumed: the transitions dead-letter queue holds them`,
      props.alarmTopic,
    );
  }
}
