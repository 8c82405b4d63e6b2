import { Duration, RemovalPolicy, Validations } from "aws-cdk-lib";
import { type IStream, Stream, StreamEncryption, StreamMode } from "aws-cdk-lib/aws-kinesis";
import { type IKey, Key } from "aws-cdk-lib/aws-kms";
import { Construct } from "constructs";
import { LOCAL_NAMES } from "../local-names.js";
import { InfraConfigError } from "./infra-config-error.js";
import { tagLocalName } from "./local-name.js";

/** Props of {@link EventStream}. */
export interface EventStreamProps {
  /**
   * Provisioned shards; each takes 1 MB/s or 1,000 records/s in. Records of one customer share a partition
   * key, so they stay in order on one shard whatever the count. Undefined with `onDemand`.
   * @default 1
   */
  readonly shardCount?: number;
  /** Kinesis on-demand capacity instead of provisioned shards. @default false */
  readonly onDemand?: boolean;
  /**
   * How long records stay readable: how long the ingest function may lag or be broken before data is lost.
   * Between 24 hours and 365 days.
   * @default 24 hours
   */
  readonly retention?: Duration;
}

/** The Kinesis stream every behavioural event enters by, encrypted with a key of its own. */
export class EventStream extends Construct {
  /** The stream. */
  readonly stream: IStream;
  /** The customer-managed key the stream is encrypted with. */
  readonly key: IKey;

  constructor(scope: Construct, id: string, props: EventStreamProps = {}) {
    super(scope, id);
    const shardCount = props.shardCount ?? 1;
    if (!Number.isInteger(shardCount) || shardCount < 1) {
      throw new InfraConfigError(`shardCount must be a positive integer, got ${shardCount}`);
    }
    const retention = props.retention ?? Duration.hours(24);
    const hours = retention.toHours();
    if (hours < 24 || hours > 8760) {
      throw new InfraConfigError(`retention must be between 24 and 8760 hours, got ${hours}`);
    }

    this.key = new Key(this, "Key", {
      description: "Encrypts the Tailor event stream",
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const stream = new Stream(this, "Stream", {
      ...(props.onDemand === true
        ? { streamMode: StreamMode.ON_DEMAND }
        : { streamMode: StreamMode.PROVISIONED, shardCount }),
      retentionPeriod: retention,
      encryption: StreamEncryption.KMS,
      encryptionKey: this.key,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(stream).acknowledge({
      id: "AwsSolutions-KDS3",
      reason: "Events carry personal data: a key of our own to audit and revoke is worth its KMS cost.",
    });
    tagLocalName(stream, "AWS::Kinesis::Stream", LOCAL_NAMES.eventStream);
    this.stream = stream;
  }
}
