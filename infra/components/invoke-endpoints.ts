import { Aws } from "aws-cdk-lib";
import { PolicyStatement } from "aws-cdk-lib/aws-iam";

/**
 * The permission to call the named SageMaker endpoints and no other: `sagemaker:InvokeEndpoint` on their ARNs,
 * in lower case as SageMaker writes endpoint names in them.
 */
export function invokeEndpointsStatement(endpointNames: readonly string[]): PolicyStatement {
  return new PolicyStatement({
    actions: ["sagemaker:InvokeEndpoint"],
    resources: [...new Set(endpointNames)].map(
      (name) =>
        `arn:${Aws.PARTITION}:sagemaker:${Aws.REGION}:${Aws.ACCOUNT_ID}:endpoint/${name.toLowerCase()}`,
    ),
  });
}
