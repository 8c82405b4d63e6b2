import { CfnElement, Stack } from "aws-cdk-lib";
import type { IConstruct } from "constructs";
import { InfraConfigError } from "./infra-config-error.js";

/**
 * How cdk-nag names a policy resource built on `resource`'s ARN, e.g. `<QuarantineBucket2B128B57.Arn>/*`,
 * for acknowledging exactly that finding (`AwsSolutions-IAM5[Resource::…]`) rather than every wildcard.
 */
export function arnFinding(resource: IConstruct, suffix: string): string {
  const element = resource.node.defaultChild;
  if (!(element instanceof CfnElement)) {
    throw new InfraConfigError(`${resource.node.path} is not a resource defined in this app`);
  }
  return `<${Stack.of(element).getLogicalId(element)}.Arn>${suffix}`;
}
