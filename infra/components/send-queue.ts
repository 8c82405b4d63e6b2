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
import { ALARM_PERIOD, notifyingAlarm } from "./notifying-alarm.js";

/** Props of {@link SendQueue}. */
export interface SendQueueProps {
  /** Where the alarms notify. */
  readonly alarmTopic: ITopic;
  /**
   * The timeout of the function consuming the queue: a message stays invisible six times as long, as Lambda
   * advises, so a batch being retried is not handed to a second instance.
   */
  readonly consumerTimeout: Duration;
  /**
   * How long dispatch's ledger claim on a send blocks other attempts (`SEND_CLAIM_LEASE_MS`). Checked against the
   * two others: it must outlast `consumerTimeout` (an attempt that still runs is never taken over), and the
   * message of an attempt that died must come back only after the lease has ended, however late in its
   * invocation the claim was made (`claimLease + consumerTimeout` within the visibility timeout), so that it is
   * retaken on its next receive, minutes later.
   */
  readonly claimLease: Duration;
  /**
   * Receives of one message before it moves to the dead-letter queue.
   * @default 5
   */
  readonly maxReceiveCount?: number;
  /**
   * The alarm fires when the oldest intent has waited longer than this: sends are late.
   * @default 15 minutes
   */
  readonly maxMessageAge?: Duration;
}

/** The alarms of the sends queue. */
export interface SendQueueAlarms {
  /** Intents were given up on. */
  readonly deadLetters: IAlarm;
  /** Intents wait too long: dispatch is failing or cannot keep up with the send rate. */
  readonly oldestMessageAge: IAlarm;
}

/**
 * Throws unless `consumerTimeout < claimLease` and `claimLease + consumerTimeout <= visibility` (see
 * {@link SendQueueProps.claimLease}).
 */
export function checkClaimLease(claimLease: Duration, consumerTimeout: Duration, visibility: Duration): void {
  const lease = claimLease.toMilliseconds();
  const timeout = consumerTimeout.toMilliseconds();
  if (lease <= timeout) {
    throw new InfraConfigError(
      `the send claim lease (${claimLease.toHumanString()}) must outlast dispatch's timeout (${consumerTimeout.toHumanString()}), or a running attempt's claim could be taken over`,
    );
  }
  if (lease + timeout > visibility.toMilliseconds()) {
    throw new InfraConfigError(
      `the sends queue's visibility timeout (${visibility.toHumanString()}) must cover the claim lease (${claimLease.toHumanString()}) plus dispatch's timeout (${consumerTimeout.toHumanString()}), or a crashed send comes back while its claim still blocks it`,
    );
  }
}

/**
 * The SQS queue of send intents due now, written by ingest, the campaign triggers and the timers, consumed by
 * dispatch. Encrypted with a key of its own, TLS-only, keeping intents 14 days; an intent received
 * `maxReceiveCount` times moves to a dead-letter queue, and any message there raises an alarm.
 */
export class SendQueue extends Construct {
  /** The queue. */
  readonly queue: IQueue;
  /** The customer-managed key the queue is encrypted with. */
  readonly key: IKey;
  /** Where intents dispatch keeps failing on end up. */
  readonly deadLetterQueue: IQueue;
  /** The queue's alarms, notifying the alarm topic. */
  readonly alarms: SendQueueAlarms;

  constructor(scope: Construct, id: string, props: SendQueueProps) {
    super(scope, id);
    const maxReceiveCount = props.maxReceiveCount ?? 5;
    if (!Number.isInteger(maxReceiveCount) || maxReceiveCount < 1 || maxReceiveCount > 1000) {
      throw new InfraConfigError(`maxReceiveCount must be an integer from 1 to 1000, got ${maxReceiveCount}`);
    }
    const visibility = props.consumerTimeout.toSeconds() * 6;
    if (visibility > 43_200) {
      throw new InfraConfigError(`consumerTimeout ${props.consumerTimeout.toHumanString()} is too long`);
    }
    checkClaimLease(props.claimLease, props.consumerTimeout, Duration.seconds(visibility));
    const maxMessageAge = props.maxMessageAge ?? Duration.minutes(15);

    const deadLetters = new DeadLetterQueue(this, "DeadLetters", { purpose: "the sends queue" });
    tagLocalName(deadLetters.queue, "AWS::SQS::Queue", LOCAL_NAMES.sendsDeadLetterQueue);
    this.deadLetterQueue = deadLetters.queue;

    const { queue, key } = createEncryptedQueue(this, {
      keyDescription: "Encrypts the Tailor sends queue",
      visibilityTimeout: Duration.seconds(visibility),
      deadLetterQueue: { queue: deadLetters.queue, maxReceiveCount },
    });
    this.key = key;
    tagLocalName(queue, "AWS::SQS::Queue", LOCAL_NAMES.sendsQueue);
    this.queue = queue;

    this.alarms = {
      deadLetters: deadLetters.alarmWhenNotEmpty(
        this,
        "DeadLettersAlarm",
        `Send intents were received ${maxReceiveCount} times and never sent or skipped: the sends dead-letter queue holds them`,
        props.alarmTopic,
      ),
      oldestMessageAge: notifyingAlarm(this, "OldestMessageAlarm", {
        description: `Send intents have waited more than ${maxMessageAge.toHumanString()}: emails are late`,
        metric: queue.metricApproximateAgeOfOldestMessage({ statistic: "Maximum", period: ALARM_PERIOD }),
        threshold: maxMessageAge.toSeconds(),
        topic: props.alarmTopic,
      }),
    };
  }
}
