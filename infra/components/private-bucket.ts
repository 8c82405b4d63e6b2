import type { IKey } from "aws-cdk-lib/aws-kms";
import { BlockPublicAccess, BucketEncryption, type BucketProps } from "aws-cdk-lib/aws-s3";

/**
 * The settings every bucket of Tailor's data shares: encrypted with its own customer-managed key (S3 Bucket Keys
 * keep the KMS requests few), private, TLS-only, and versioned, so that an accidental overwrite or delete stays
 * recoverable for as long as the bucket's lifecycle keeps older versions.
 */
export function privateBucketProps(key: IKey): BucketProps {
  return {
    encryption: BucketEncryption.KMS,
    encryptionKey: key,
    bucketKeyEnabled: true,
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    versioned: true,
  };
}
