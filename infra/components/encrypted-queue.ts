import { Duration, RemovalPolicy } from "aws-cdk-lib";
import { type IKey, Key } from "aws-cdk-lib/aws-kms";
import { type DeadLetterQueue as DeadLetterTarget, Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import type { Construct } from "constructs";

/** What {@link createEncryptedQueue} builds a queue from. */
export interface EncryptedQueueOptions {
  /** The key's description (`Encrypts the Tailor sends queue`). */
  readonly keyDescription: string;
  /** How long a received message stays invisible. @default SQS's 30 seconds */
  readonly visibilityTimeout?: Duration;
  /** Where messages received too often go. @default - none (the queue is itself a dead-letter queue) */
  readonly deadLetterQueue?: DeadLetterTarget;
}

/**
 * Creates, under `scope` as `Key` and `Queue`, an SQS queue encrypted with a rotating key of its own, TLS-only,
 * keeping messages the maximum 14 days; queue and key are retained when the stack goes, like every stateful
 * resource of the app.
 */
export function createEncryptedQueue(
  scope: Construct,
  options: EncryptedQueueOptions,
): { readonly queue: Queue; readonly key: IKey } {
  const key = new Key(scope, "Key", {
    description: options.keyDescription,
    enableKeyRotation: true,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  const queue = new Queue(scope, "Queue", {
    encryption: QueueEncryption.KMS,
    encryptionMasterKey: key,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
    ...(options.visibilityTimeout === undefined ? {} : { visibilityTimeout: options.visibilityTimeout }),
    ...(options.deadLetterQueue === undefined ? {} : { deadLetterQueue: options.deadLetterQueue }),
    removalPolicy: RemovalPolicy.RETAIN,
  });
  return { queue, key };
}
