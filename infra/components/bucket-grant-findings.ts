import { Validations } from "aws-cdk-lib";
import type { IRole } from "aws-cdk-lib/aws-iam";
import type { IBucket } from "aws-cdk-lib/aws-s3";
import { arnFinding } from "./nag-findings.js";

/** The action wildcards CDK's `grantRead`/`grantPut` write on a bucket and its key. */
const GRANT_ACTIONS = [
  "s3:GetBucket*",
  "s3:GetObject*",
  "s3:List*",
  "s3:Abort*",
  "kms:GenerateDataKey*",
  "kms:ReEncrypt*",
] as const;

/**
 * Acknowledges, on `role`, the cdk-nag findings of prefix grants (`grantRead(role, "models/*")`): each bucket's
 * `<prefix>*` resource by name, and the action wildcards of CDK's grants, for `why`.
 */
export function acknowledgePrefixGrants(
  role: IRole,
  grants: readonly { readonly bucket: IBucket; readonly prefix: string }[],
  why: string,
): void {
  for (const { bucket, prefix } of grants) {
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${arnFinding(bucket, `/${prefix}*`)}]`,
      reason: `${why}: the objects under ${prefix} only.`,
    });
  }
  for (const action of GRANT_ACTIONS) {
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Action::${action}]`,
      reason: `CDK's read and put grants, each on named buckets, prefixes and keys (${why}).`,
    });
  }
}
