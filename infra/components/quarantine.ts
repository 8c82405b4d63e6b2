import { Duration, RemovalPolicy, Validations } from "aws-cdk-lib";
import { type IKey, Key } from "aws-cdk-lib/aws-kms";
import { BlockPublicAccess, Bucket, BucketEncryption, type IBucket } from "aws-cdk-lib/aws-s3";
import { Construct } from "constructs";
import { LOCAL_NAMES } from "../local-names.js";
import { InfraConfigError } from "./infra-config-error.js";
import { tagLocalName } from "./local-name.js";
import { privateBucketProps } from "./private-bucket.js";

/** Props of {@link Quarantine}. */
export interface QuarantineProps {
  /**
   * How long a quarantined record (and each access log) is kept before it expires.
   * @default 90 days
   */
  readonly expiration?: Duration;
}

/**
 * The S3 bucket that keeps malformed records, raw bytes and reason, so nothing the apps send is lost
 * silently. Private, KMS-encrypted, TLS-only and versioned, with its server access logs in a second bucket.
 */
export class Quarantine extends Construct {
  /** The quarantine bucket. */
  readonly bucket: IBucket;
  /** The bucket receiving the quarantine bucket's server access logs. */
  readonly accessLogsBucket: IBucket;
  /** The customer-managed key the quarantine bucket is encrypted with. */
  readonly key: IKey;

  constructor(scope: Construct, id: string, props: QuarantineProps = {}) {
    super(scope, id);
    const expiration = props.expiration ?? Duration.days(90);
    if (expiration.toDays() < 1) {
      throw new InfraConfigError(`expiration must be at least one day, got ${expiration.toHumanString()}`);
    }

    // S3 delivers access logs only to a bucket encrypted with S3-managed keys.
    const accessLogs = new Bucket(this, "AccessLogs", {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      lifecycleRules: [{ expiration }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(accessLogs).acknowledge({
      id: "AwsSolutions-S1",
      reason: "This is the access-log bucket itself; logging it would only log the log deliveries.",
    });
    this.accessLogsBucket = accessLogs;

    this.key = new Key(this, "Key", {
      description: "Encrypts the Tailor quarantine bucket",
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const bucket = new Bucket(this, "Bucket", {
      ...privateBucketProps(this.key),
      serverAccessLogsBucket: accessLogs,
      lifecycleRules: [
        {
          expiration,
          // Versions protect against an accidental overwrite or delete, for long enough to notice one.
          noncurrentVersionExpiration: Duration.days(30),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    tagLocalName(bucket, "AWS::S3::Bucket", LOCAL_NAMES.quarantineBucket);
    this.bucket = bucket;
  }
}
