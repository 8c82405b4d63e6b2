import { Tags } from "aws-cdk-lib";
import type { IConstruct } from "constructs";
import { LOCAL_NAME_TAG, type LocalName } from "../local-names.js";

/**
 * Tags the one CloudFormation resource of `resourceType` under `scope` with its local name. Restricting the
 * tag to that type keeps it off the children (roles, policies, event source mappings) that would otherwise
 * inherit it and look like a second resource with the same name.
 */
export function tagLocalName(scope: IConstruct, resourceType: string, name: LocalName): void {
  Tags.of(scope).add(LOCAL_NAME_TAG, name, { includeResourceTypes: [resourceType] });
}
