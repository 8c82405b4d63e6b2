import type { StateMachineDefinition } from "aws-local-stepfunctions";
import { type ResolveContext, resolveString } from "./cfn-intrinsics.js";
import { localNameTag, parseTemplate } from "./cfn-template.js";
import { TemplateError } from "./local-errors.js";
import type { ResourcePlan } from "./resource-plan.js";
import { type EventRuleSpec, planRule, type ScheduleSpec } from "./schedule-plan.js";

const STATE_MACHINE = "AWS::StepFunctions::StateMachine";
const RULE = "AWS::Events::Rule";
const LAMBDA_INVOKE = /^arn:aws:states:::lambda:invoke(\.waitForTaskToken)?$/;

/** A Step Functions state machine of the template, its definition resolved to the local functions' ARNs. */
export interface StateMachineSpec {
  readonly logicalId: string;
  /** The `tailor:local-name` tag, else `StateMachineName`, else the logical id. */
  readonly name: string;
  /** Its local ARN (`arn:aws:states:<region>:<account>:stateMachine:<name>`), what `Ref` of it resolves to. */
  readonly arn: string;
  readonly definition: StateMachineDefinition;
  /** Task state name → the local name of the function it invokes (in Map and Parallel states too). */
  readonly taskFunctions: Readonly<Record<string, string>>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Whether `value` has the shape of a state machine definition: `StartAt` and `States`. */
export function isStateMachineDefinition(value: unknown): value is StateMachineDefinition {
  return isRecord(value) && typeof value.StartAt === "string" && isRecord(value.States);
}

function tagsOf(properties: Record<string, unknown>): { Key: string; Value: unknown }[] {
  const list: unknown = properties.Tags;
  if (!Array.isArray(list)) return [];
  return list.flatMap((tag: unknown) =>
    isRecord(tag) && typeof tag.Key === "string" ? [{ Key: tag.Key, Value: tag.Value }] : [],
  );
}

/** Where the local state machines live. */
interface PlanOptions {
  readonly region: string;
  readonly accountId: string;
}

const stateMachineArn = (name: string, options: PlanOptions) =>
  `arn:aws:states:${options.region}:${options.accountId}:stateMachine:${name}`;

/**
 * Resolves against the plan: a function's `Arn` is its local ARN, a state machine's `Ref` (one of `machines`)
 * its local ARN, any other `Ref` its local name.
 */
function contextOf(
  resources: Readonly<Record<string, { readonly Type: string }>>,
  plan: ResourcePlan,
  options: PlanOptions,
  machines: readonly StateMachineSpec[] = [],
): ResolveContext {
  return {
    region: options.region,
    accountId: options.accountId,
    stackName: "tailor",
    parameters: {},
    ref: (logicalId) => {
      if (resources[logicalId] === undefined) return undefined;
      const machine = machines.find((m) => m.logicalId === logicalId);
      return machine?.arn ?? plan.names[logicalId] ?? logicalId;
    },
    getAtt: (logicalId, attribute) => {
      const fn = plan.functions.find((f) => f.logicalId === logicalId);
      if (fn !== undefined) return attribute === "Arn" ? fn.arn : undefined;
      const queue = plan.queues.find((q) => q.logicalId === logicalId);
      if (queue !== undefined && attribute === "QueueUrl") return queue.url;
      const machine = machines.find((m) => m.logicalId === logicalId);
      if (machine !== undefined && attribute === "Name") return machine.name;
      if (attribute !== "Arn") return undefined;
      const other = [...plan.queues, ...plan.tables, ...plan.streams, ...machines];
      return other.find((resource) => resource.logicalId === logicalId)?.arn;
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

/**
 * Calls `visit` with every state of `states` and of the states nested in them (Map item processors and iterators,
 * Parallel branches), depth first.
 */
export function forEachState(
  states: unknown,
  visit: (name: string, state: Record<string, unknown>) => void,
): void {
  if (!isRecord(states)) return;
  for (const [name, state] of Object.entries(states)) {
    if (!isRecord(state)) continue;
    visit(name, state);
    for (const nested of [state.ItemProcessor, state.Iterator]) {
      if (isRecord(nested)) forEachState(nested.States, visit);
    }
    if (Array.isArray(state.Branches)) {
      for (const branch of state.Branches) if (isRecord(branch)) forEachState(branch.States, visit);
    }
  }
}

function collectTasks(states: unknown, plan: ResourcePlan, into: Record<string, string>): void {
  forEachState(states, (stateName, state) => {
    if (state.Type !== "Task") return;
    const fn = taskFunction(state, plan);
    if (fn !== undefined) into[stateName] = fn;
  });
}

/**
 * Reads the template's `AWS::StepFunctions::StateMachine` resources: `DefinitionString` (a literal or an
 * `Fn::Join` holding Lambda ARNs, as CDK writes it) or `Definition`, resolved against the local plan, with
 * `DefinitionSubstitutions` applied, and each task state's local function.
 */
export function planStateMachines(
  input: unknown,
  plan: ResourcePlan,
  options: PlanOptions,
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
    if (!isStateMachineDefinition(definition)) {
      throw new TemplateError(`${logicalId}: the state machine definition has no StartAt and States`);
    }
    const taskFunctions: Record<string, string> = {};
    collectTasks(definition.States, plan, taskFunctions);
    machines.push({ logicalId, name, arn: stateMachineArn(name, options), definition, taskFunctions });
  }
  return machines;
}

/**
 * The schedule rules of a template that start a state machine, and every event-pattern rule, planned again with
 * the machines known.
 */
export interface StateMachineSchedules {
  /** Each such rule, with its function targets as well as its state machine targets. */
  readonly schedules: readonly ScheduleSpec[];
  /** The event-pattern rules, their patterns resolved against the machines' ARNs, with their machine targets. */
  readonly eventRules: readonly EventRuleSpec[];
  /**
   * Their logical ids: these rules replace the resource plan's own (which, not knowing the state machines, left
   * them out or planned only their function targets), as their notes replace its notes about them.
   */
  readonly ruleIds: ReadonlySet<string>;
  /** What was left out of these rules, and why. */
  readonly notes: readonly string[];
}

/**
 * Plans the `AWS::Events::Rule` schedules whose targets include one of `machines` (a target `Arn` of
 * `{ "Ref": <state machine> }`, as CDK writes it, or the machine's local ARN), with the targets' `Input`: what
 * the resource plan cannot, as it plans before the state machines are known. Named and identified as the
 * resource plan names rules (tag, `Name`, logical id; the local rule ARN).
 */
export function planStateMachineSchedules(
  input: unknown,
  plan: ResourcePlan,
  machines: readonly StateMachineSpec[],
  options: PlanOptions,
): StateMachineSchedules {
  const template = parseTemplate(input);
  const ctx = contextOf(template.Resources, plan, options, machines);
  const stateMachines = machines.map(({ logicalId, name, arn }) => ({ logicalId, name, arn }));
  const schedules: ScheduleSpec[] = [];
  const eventRules: EventRuleSpec[] = [];
  const ruleIds = new Set<string>();
  const notes: string[] = [];
  if (machines.length === 0) return { schedules, eventRules, ruleIds, notes };
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== RULE) continue;
    const name = plan.names[logicalId] ?? logicalId;
    const identity = { name, arn: `arn:aws:events:${options.region}:${options.accountId}:rule/${name}` };
    const ruleNotes: string[] = [];
    const rule = planRule(logicalId, resource, identity, {
      ctx,
      functions: plan.functions,
      notes: ruleNotes,
      stateMachines,
    });
    if (rule?.kind === "pattern" || (rule === undefined && resource.Properties?.EventPattern !== undefined)) {
      // Every event-pattern rule is taken over: its pattern may name a state machine's ARN (a `Ref` the resource
      // plan resolved to a name), and its targets may start one.
      if (rule !== undefined) eventRules.push(rule.spec);
    } else if (rule?.kind !== "schedule" || rule.spec.stateMachineTargets === undefined) continue;
    else schedules.push(rule.spec);
    ruleIds.add(logicalId);
    notes.push(...ruleNotes);
  }
  return { schedules, eventRules, ruleIds, notes };
}
