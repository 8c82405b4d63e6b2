import type { StateMachineDefinition } from "aws-local-stepfunctions";
import { type ResolveContext, resolveString } from "./cfn-intrinsics.js";
import { localNameTag, parseTemplate } from "./cfn-template.js";
import { TemplateError } from "./local-errors.js";
import type { ResourcePlan } from "./resource-plan.js";

const STATE_MACHINE = "AWS::StepFunctions::StateMachine";
const LAMBDA_INVOKE = /^arn:aws:states:::lambda:invoke(\.waitForTaskToken)?$/;

/** A Step Functions state machine of the template, its definition resolved to the local functions' ARNs. */
export interface StateMachineSpec {
  readonly logicalId: string;
  /** The `tailor:local-name` tag, else `StateMachineName`, else the logical id. */
  readonly name: string;
  readonly definition: StateMachineDefinition;
  /** Task state name → the local name of the function it invokes (in Map and Parallel states too). */
  readonly taskFunctions: Readonly<Record<string, string>>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isDefinition(value: unknown): value is StateMachineDefinition {
  return isRecord(value) && typeof value.StartAt === "string" && isRecord(value.States);
}

function tagsOf(properties: Record<string, unknown>): { Key: string; Value: unknown }[] {
  const list: unknown = properties.Tags;
  if (!Array.isArray(list)) return [];
  return list.flatMap((tag: unknown) =>
    isRecord(tag) && typeof tag.Key === "string" ? [{ Key: tag.Key, Value: tag.Value }] : [],
  );
}

/** Resolves against the plan: a function's `Arn` is its local ARN, any other `Ref` its local name. */
function contextOf(
  resources: Readonly<Record<string, { readonly Type: string }>>,
  plan: ResourcePlan,
  options: { readonly region: string; readonly accountId: string },
): ResolveContext {
  return {
    region: options.region,
    accountId: options.accountId,
    stackName: "tailor",
    parameters: {},
    ref: (logicalId) =>
      resources[logicalId] === undefined ? undefined : (plan.names[logicalId] ?? logicalId),
    getAtt: (logicalId, attribute) => {
      const fn = plan.functions.find((f) => f.logicalId === logicalId);
      if (fn !== undefined) return attribute === "Arn" ? fn.arn : undefined;
      const queue = plan.queues.find((q) => q.logicalId === logicalId);
      if (queue !== undefined && attribute === "QueueUrl") return queue.url;
      const table = plan.tables.find((t) => t.logicalId === logicalId);
      if (table !== undefined && attribute === "Arn") return table.arn;
      return undefined;
    },
  };
}

/** The function a task state invokes: its `Resource` ARN, or `Parameters.FunctionName` of `lambda:invoke`. */
function taskFunction(state: Record<string, unknown>, plan: ResourcePlan): string | undefined {
  const resource = state.Resource;
  if (typeof resource !== "string") return undefined;
  const parameters = state.Parameters;
  const target = LAMBDA_INVOKE.test(resource) && isRecord(parameters) ? parameters.FunctionName : resource;
  if (typeof target !== "string") return undefined;
  // A qualified ARN (`…:function:name:$LATEST`) names the same function.
  const fn = plan.functions.find(
    (f) => f.arn === target || f.name === target || target.startsWith(`${f.arn}:`),
  );
  return fn?.name;
}

function collectTasks(states: unknown, plan: ResourcePlan, into: Record<string, string>): void {
  if (!isRecord(states)) return;
  for (const [stateName, state] of Object.entries(states)) {
    if (!isRecord(state)) continue;
    if (state.Type === "Task") {
      const fn = taskFunction(state, plan);
      if (fn !== undefined) into[stateName] = fn;
    }
    for (const nested of [state.ItemProcessor, state.Iterator]) {
      if (isRecord(nested)) collectTasks(nested.States, plan, into);
    }
    if (Array.isArray(state.Branches)) {
      for (const branch of state.Branches) if (isRecord(branch)) collectTasks(branch.States, plan, into);
    }
  }
}

/**
 * Reads the template's `AWS::StepFunctions::StateMachine` resources: `DefinitionString` (a literal or an
 * `Fn::Join` holding Lambda ARNs, as CDK writes it) or `Definition`, resolved against the local plan, with
 * `DefinitionSubstitutions` applied, and each task state's local function.
 */
export function planStateMachines(
  input: unknown,
  plan: ResourcePlan,
  options: { readonly region: string; readonly accountId: string },
): StateMachineSpec[] {
  const template = parseTemplate(input);
  const ctx = contextOf(template.Resources, plan, options);
  const machines: StateMachineSpec[] = [];
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== STATE_MACHINE) continue;
    const properties = resource.Properties ?? {};
    const explicit = properties.StateMachineName;
    const name =
      localNameTag(tagsOf(properties)) ?? (typeof explicit === "string" ? explicit : undefined) ?? logicalId;
    let text =
      properties.DefinitionString !== undefined
        ? resolveString(properties.DefinitionString, ctx, `${logicalId} DefinitionString`)
        : JSON.stringify(properties.Definition ?? null);
    const substitutions = properties.DefinitionSubstitutions;
    if (isRecord(substitutions)) {
      for (const [key, value] of Object.entries(substitutions)) {
        text = text.replaceAll(
          `\${${key}}`,
          resolveString(value, ctx, `${logicalId} DefinitionSubstitutions.${key}`),
        );
      }
    }
    let definition: unknown;
    try {
      definition = JSON.parse(text);
    } catch (error) {
      throw new TemplateError(`${logicalId}: the state machine definition is not JSON`, error);
    }
    if (!isDefinition(definition)) {
      throw new TemplateError(`${logicalId}: the state machine definition has no StartAt and States`);
    }
    const taskFunctions: Record<string, string> = {};
    collectTasks(definition.States, plan, taskFunctions);
    machines.push({ logicalId, name, definition, taskFunctions });
  }
  return machines;
}
