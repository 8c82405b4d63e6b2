import { CfnElement, Stack } from "aws-cdk-lib";
import type { Template } from "aws-cdk-lib/assertions";
import type { IConstruct } from "constructs";
import { z } from "zod";

const statementsSchema = z.array(
  z.looseObject({
    Effect: z.string(),
    Action: z.union([z.string(), z.array(z.string())]),
    Resource: z.unknown(),
    Condition: z.unknown().optional(),
  }),
);
const policySchema = z.looseObject({
  Properties: z.looseObject({
    PolicyDocument: z.looseObject({ Statement: statementsSchema }),
    Roles: z.array(z.unknown()),
  }),
});

/** One IAM statement, its actions as a list. */
export interface Statement {
  readonly Effect: string;
  readonly Action: string[];
  readonly Resource: unknown;
  readonly Condition?: unknown;
}

/** The logical id of the CloudFormation resource behind a construct. */
export function logicalIdOf(construct: IConstruct): string {
  const element = construct.node.defaultChild;
  if (!(element instanceof CfnElement)) throw new Error(`${construct.node.path} has no resource`);
  return Stack.of(element).getLogicalId(element);
}

/** Every statement of the IAM policies attached to `role`, or to any role when none is given. */
export function statementsOf(template: Template, role?: IConstruct): Statement[] {
  const roleRef = role === undefined ? undefined : JSON.stringify({ Ref: logicalIdOf(role) });
  return Object.values(template.findResources("AWS::IAM::Policy"))
    .map((policy) => policySchema.parse(policy))
    .filter(
      (policy) => roleRef === undefined || policy.Properties.Roles.some((r) => JSON.stringify(r) === roleRef),
    )
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement)
    .map((statement) => ({ ...statement, Action: [statement.Action].flat() }));
}

/** The actions `statements` allow on a resource whose value mentions `logicalId`. */
export function actionsOn(statements: readonly Statement[], logicalId: string): string[] {
  return statements
    .filter(
      (statement) =>
        statement.Effect === "Allow" && JSON.stringify(statement.Resource).includes(`"${logicalId}"`),
    )
    .flatMap((statement) => statement.Action);
}

/**
 * A function's environment as Lambda would see it, each deploy-time value (a CloudFormation intrinsic) replaced
 * by `placeholder`: what is left can be checked against the function's schema.
 */
export function environmentWithPlaceholders(resource: unknown, placeholder: string): Record<string, string> {
  const parsed = z
    .object({
      Properties: z.looseObject({
        Environment: z.object({ Variables: z.record(z.string(), z.unknown()) }),
      }),
    })
    .parse(resource);
  return Object.fromEntries(
    Object.entries(parsed.Properties.Environment.Variables).map(([name, value]) => [
      name,
      typeof value === "string" ? value : placeholder,
    ]),
  );
}

const joinSchema = z.object({ "Fn::Join": z.tuple([z.literal(""), z.array(z.unknown())]) });
const getAttSchema = z.object({ "Fn::GetAtt": z.tuple([z.string(), z.literal("Arn")]) });
/** A state of a definition: its type, and whatever else it has. */
export const stateSchema = z.looseObject({ Type: z.string() });
const definitionSchema = z.object({
  StartAt: z.string(),
  States: z.record(z.string(), stateSchema),
  TimeoutSeconds: z.number().optional(),
});
const tagsSchema = z.object({ Tags: z.array(z.object({ Key: z.string(), Value: z.unknown() })).optional() });

const refSchema = z.object({ Ref: z.string() });

/**
 * A definition string as JSON, each function ARN replaced by `arn:<logical id>` so a task's function can be told,
 * each other reference (`AWS::Partition`, a bucket) by its name, and any other intrinsic by its function's name.
 */
function parseDefinition(definitionString: unknown): z.infer<typeof definitionSchema> {
  const parts = joinSchema.parse(definitionString)["Fn::Join"][1];
  const text = parts
    .map((part) => {
      if (typeof part === "string") return part;
      const ref = refSchema.safeParse(part);
      if (ref.success) return ref.data.Ref;
      const getAtt = getAttSchema.safeParse(part);
      // Any other intrinsic (a mapping's value) by its function's name.
      return getAtt.success ? `arn:${getAtt.data["Fn::GetAtt"][0]}` : `<${Object.keys(Object(part)).join()}>`;
    })
    .join("");
  return definitionSchema.parse(JSON.parse(text));
}

/** The definition of the state machine tagged with `localName`, as JSON (see {@link parseDefinition}). */
export function stateMachineDefinition(
  template: Template,
  localName: string,
): z.infer<typeof definitionSchema> {
  const machines = Object.values(template.findResources("AWS::StepFunctions::StateMachine")).filter(
    (machine) => (tagsSchema.parse(machine.Properties).Tags ?? []).some((tag) => tag.Value === localName),
  );
  if (machines.length !== 1) throw new Error(`${machines.length} state machines tagged ${localName}`);
  return parseDefinition(machines[0]?.Properties.DefinitionString);
}

/** A state machine's definition as JSON, found by its construct (see {@link parseDefinition}). */
export function definitionOf(template: Template, machine: IConstruct): z.infer<typeof definitionSchema> {
  const resource = template.findResources("AWS::StepFunctions::StateMachine")[logicalIdOf(machine)];
  return parseDefinition(resource?.Properties.DefinitionString);
}
