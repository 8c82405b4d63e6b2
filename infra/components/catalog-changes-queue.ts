import { Duration } from "aws-cdk-lib";
import type { IAlarm } from "aws-cdk-lib/aws-cloudwatch";
import type { IKey } from "aws-cdk-lib/aws-kms";
import type { ITopic } from "aws-cdk-lib/aws-sns";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { LOCAL_NAMES } from "../local-names.js";
import { DeadLetterQueue } from "./dead-letter-queue.js";
import { createEncryptedQueue } from "./encrypted-queue.js";
import { tagLocalName } from "./local-name.js";

/** Receives of one catalog change before it moves to the dead-letter queue. */
export const CATALOG_CHANGES_MAX_RECEIVES = 5;

/** Props of {@link CatalogChangesQueue}. */
export interface CatalogChangesQueueProps {
  /** Where the dead-letter alarm notifies. */
  readonly alarmTopic: ITopic;
  /** The timeout of the consuming function: a message stays invisible six times as long. */
  readonly consumerTimeout: Duration;
}

/**
 * The SQS queue of catalog changes (a price drop, back in stock), written where the catalog is written (feed
 * imports, product events), read by the catalog-changes function. Encrypted with a key of its own, TLS-only,
 * keeping messages 14 days; a change received {@link CATALOG_CHANGES_MAX_RECEIVES} times without being handled
 * (or that is no change at all) moves to a dead-letter queue of its own, with its body, and raises an alarm.
 */
export class CatalogChangesQueue extends Construct {
  readonly queue: IQueue;
  readonly key: IKey;
  readonly deadLetterQueue: IQueue;
  readonly deadLetterAlarm: IAlarm;

  constructor(scope: Construct, id: string, props: CatalogChangesQueueProps) {
    super(scope, id);
    const deadLetters = new DeadLetterQueue(this, "DeadLetters", { purpose: "the catalog changes queue" });
    tagLocalName(deadLetters.queue, "AWS::SQS::Queue", LOCAL_NAMES.catalogChangesDeadLetterQueue);
    this.deadLetterQueue = deadLetters.queue;
    const { queue, key } = createEncryptedQueue(this, {
      keyDescription: "Encrypts the Tailor catalog changes queue",
      visibilityTimeout: Duration.seconds(props.consumerTimeout.toSeconds() * 6),
      deadLetterQueue: { queue: deadLetters.queue, maxReceiveCount: CATALOG_CHANGES_MAX_RECEIVES },
    });
    this.key = key;
    tagLocalName(queue, "AWS::SQS::Queue", LOCAL_NAMES.catalogChangesQueue);
    this.queue = queue;
    this.deadLetterAlarm = deadLetters.alarmWhenNotEmpty(
      this,
      "DeadLettersAlarm",
      `Catalog changes were received ${CATALOG_CHANGES_MAX_RECEIVES} times and never handled (or are no changes): the catalog changes dead-letter queue holds them with their bodies`,
      props.alarmTopic,
    );
  }
}
