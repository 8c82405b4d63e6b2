import { Duration, RemovalPolicy } from "aws-cdk-lib";
import { Key } from "aws-cdk-lib/aws-kms";
import { Bucket, type IBucket } from "aws-cdk-lib/aws-s3";
import { Construct } from "constructs";
import { LOCAL_NAMES } from "../local-names.js";
import { tagLocalName } from "./local-name.js";
import { privateBucketProps } from "./private-bucket.js";

/** Where the model registry lives in the model bucket: `models/<model>/<version>/…`, `models/<model>/current.json`. */
export const MODELS_PREFIX = "models/";

/**
 * Where the training workflow writes the feature tables (`training/<run>/{train,validation,holdout}/<model>.csv`;
 * `TRAINING_PREFIX` of `shared/app/training/training-steps.ts`).
 */
export const FEATURES_PREFIX = "training/";

/** Feature tables are working files: kept 30 days. */
const FEATURE_TABLE_DAYS = 30;

/** Props of {@link ModelStore}. */
export interface ModelStoreProps {
  /** Where S3 writes the bucket's access logs. */
  readonly accessLogsBucket: IBucket;
}

/**
 * The model bucket: the registry (`models/`: each version's `model.tar.gz` and `version.json`, each model's
 * `current.json`) and the training workflow's feature tables (`training/`, expiring after 30 days). Private,
 * versioned (an overwritten `current.json` stays recoverable), encrypted with a key of its own; kept when the
 * stack is deleted.
 */
export class ModelStore extends Construct {
  /** The bucket. */
  readonly bucket: Bucket;

  constructor(scope: Construct, id: string, props: ModelStoreProps) {
    super(scope, id);
    const key = new Key(this, "Key", {
      description: "Encrypts the Tailor model bucket (registry and feature tables)",
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.bucket = new Bucket(this, "Bucket", {
      ...privateBucketProps(key),
      serverAccessLogsBucket: props.accessLogsBucket,
      serverAccessLogsPrefix: "models/",
      lifecycleRules: [
        { prefix: FEATURES_PREFIX, expiration: Duration.days(FEATURE_TABLE_DAYS) },
        {
          noncurrentVersionExpiration: Duration.days(90),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    tagLocalName(this.bucket, "AWS::S3::Bucket", LOCAL_NAMES.modelBucket);
  }
}
