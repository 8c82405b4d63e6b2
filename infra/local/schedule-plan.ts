import { type CronFields, parseScheduleExpression } from "#shared/domain/schedules/index.js";
import { type ResolveContext, resolveString } from "./cfn-intrinsics.js";
import {
  parseProperties,
  type RuleTargetProperties,
  ruleProperties,
  type TemplateResource,
} from "./cfn-template.js";
import { type EventPattern, parseEventPattern } from "./event-pattern.js";
import { TemplateError } from "./local-errors.js";
import { planTargetInput, type TargetInput } from "./target-input.js";

/** A function a rule invokes, by its local name, and what it is invoked with. */
export interface ScheduleTargetSpec {
  /** The target's `Id` in the rule. */
  readonly id: string;
  readonly functionName: string;
  /** The target's `Input`, `InputPath` or `InputTransformer`; absent: the event itself. */
  readonly input?: TargetInput;
}

/** A state machine a schedule rule starts, by its local name, and the execution's input. */
export interface StateMachineTargetSpec {
  /** The target's `Id` in the rule. */
  readonly id: string;
  readonly stateMachineName: string;
  /** The target's `Input`, `InputPath` or `InputTransformer`; absent: the event itself. */
  readonly input?: TargetInput;
}

/** A state machine of the template as rule targets name it: `Ref` of a state machine is its ARN. */
export interface StateMachineRef {
  readonly logicalId: string;
  readonly name: string;
  readonly arn: string;
}

/** When a schedule fires: every `periodMs` (`rate(...)`), or on the calendar of a `cron(...)`. */
export type ScheduleTiming =
  | { readonly periodMs: number; readonly cron?: undefined }
  | { readonly cron: CronFields; readonly periodMs?: undefined };

/**
 * An EventBridge schedule the local stack runs: a rule with a schedule expression, its Lambda targets, and the
 * state machines it starts (planned only when the state machines are known: see {@link SchedulePlanContext}).
 */
export type ScheduleSpec = {
  readonly logicalId: string;
  readonly name: string;
  readonly arn: string;
  /** The `ScheduleExpression` as the template says it. */
  readonly expression: string;
  readonly targets: readonly ScheduleTargetSpec[];
  /** The state machines it starts; absent when none. */
  readonly stateMachineTargets?: readonly StateMachineTargetSpec[];
} & ScheduleTiming;

/** An EventBridge rule with an event pattern on the default bus, its Lambda targets and the state machines it starts. */
export interface EventRuleSpec {
  readonly logicalId: string;
  readonly name: string;
  readonly arn: string;
  readonly pattern: EventPattern;
  readonly targets: readonly ScheduleTargetSpec[];
  /** The state machines it starts (planned only when the state machines are known); absent when none. */
  readonly stateMachineTargets?: readonly StateMachineTargetSpec[];
}

/** What a rule is to the local stack. */
export type PlannedRule =
  | { readonly kind: "schedule"; readonly spec: ScheduleSpec }
  | { readonly kind: "pattern"; readonly spec: EventRuleSpec };

/** What planning a rule needs from the rest of the plan. */
export interface SchedulePlanContext {
  readonly ctx: ResolveContext;
  /** The functions of the local stack, by local name and ARN. */
  readonly functions: readonly { readonly name: string; readonly arn: string }[];
  /** Where what is left out, and why, is written. */
  readonly notes: string[];
  /**
   * The state machines of the local stack: a schedule rule's target that is one of them (by ARN, or by a `Ref`
   * to its logical id) is planned as a {@link StateMachineTargetSpec}.
   * @default - none: such a target is left out with a note, like any target that is not a local function
   */
  readonly stateMachines?: readonly StateMachineRef[];
}

/** A rule's targets, by what they are to the local stack. */
interface PlannedTargets {
  readonly functions: ScheduleTargetSpec[];
  readonly stateMachines: StateMachineTargetSpec[];
}

const INTRINSICS = new Set(["Ref", "Fn::GetAtt", "Fn::Sub", "Fn::Join"]);

/**
 * An event pattern with the intrinsics in its values resolved (CDK writes `{ "Ref": <state machine> }` where a
 * pattern names a resource's ARN), so the pattern matches the local resources' events.
 */
function resolvePatternValues(value: unknown, ctx: ResolveContext, where: string): unknown {
  if (Array.isArray(value)) return value.map((item) => resolvePatternValues(item, ctx, where));
  if (typeof value !== "object" || value === null) return value;
  const entries = Object.entries(value);
  const [only] = entries;
  if (entries.length === 1 && only !== undefined && INTRINSICS.has(only[0])) {
    return resolveString(value, ctx, `${where} EventPattern`);
  }
  return Object.fromEntries(entries.map(([key, nested]) => [key, resolvePatternValues(nested, ctx, where)]));
}

/** The logical id of a target `Arn` written as `{ "Ref": id }`. */
function refOf(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null || !("Ref" in value)) return undefined;
  return typeof value.Ref === "string" ? value.Ref : undefined;
}

function planTargets(
  logicalId: string,
  targets: readonly RuleTargetProperties[],
  known: SchedulePlanContext,
): PlannedTargets {
  const { ctx, functions, notes } = known;
  const planned: PlannedTargets = { functions: [], stateMachines: [] };
  for (const target of targets) {
    const where = `${logicalId} Targets.${target.Id}`;
    const ref = refOf(target.Arn);
    const machine = known.stateMachines?.find((m) => ref !== undefined && m.logicalId === ref);
    const arn = machine?.arn ?? resolveString(target.Arn, ctx, `${where}.Arn`);
    const fn = functions.find((f) => f.arn === arn);
    const stateMachine = machine ?? known.stateMachines?.find((m) => m.arn === arn);
    if (fn === undefined && stateMachine === undefined) {
      notes.push(`${where}: ${arn} is not a function of the local stack: not invoked`);
      continue;
    }
    const input = planTargetInput(target, ctx, where);
    const extra = input.kind === "event" ? {} : { input };
    if (fn !== undefined) planned.functions.push({ id: target.Id, functionName: fn.name, ...extra });
    else if (stateMachine !== undefined) {
      planned.stateMachines.push({ id: target.Id, stateMachineName: stateMachine.name, ...extra });
    }
  }
  return planned;
}

const noTarget = (logicalId: string, known: SchedulePlanContext) =>
  known.stateMachines === undefined
    ? `${logicalId}: no target is a function of the local stack: not run`
    : `${logicalId}: no target is a function or a state machine of the local stack: not run`;

/**
 * Reads one `AWS::Events::Rule` into what the local stack runs: a schedule (`rate(...)` or `cron(...)`), or an
 * event-pattern rule of the default bus; or `undefined` (with a note) when it is not one it can run: a disabled
 * rule, an unsupported expression or pattern, another bus, or no target that is a function of the local stack
 * (or, for a schedule, one of `known.stateMachines`). Targets that are neither are left out with a note.
 */
export function planRule(
  logicalId: string,
  resource: TemplateResource,
  identity: { readonly name: string; readonly arn: string },
  known: SchedulePlanContext,
): PlannedRule | undefined {
  const { notes } = known;
  const properties = parseProperties(logicalId, resource, ruleProperties);
  if (properties.State !== undefined && properties.State !== "ENABLED") {
    notes.push(`${logicalId}: ${properties.State} in the template: not run`);
    return undefined;
  }
  const expression = properties.ScheduleExpression;
  if (expression === undefined) {
    if (properties.EventBusName !== undefined && properties.EventBusName !== "default") {
      notes.push(`${logicalId}: a rule of another event bus: not run locally`);
      return undefined;
    }
    let resolved: unknown;
    try {
      resolved = resolvePatternValues(properties.EventPattern, known.ctx, logicalId);
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error;
      notes.push(`${error.message}: not run locally`);
      return undefined;
    }
    const pattern = parseEventPattern(resolved);
    if (!pattern.ok) {
      notes.push(`${logicalId}: ${pattern.reason}: not run locally`);
      return undefined;
    }
    const planned = planTargets(logicalId, properties.Targets ?? [], known);
    if (planned.functions.length === 0 && planned.stateMachines.length === 0) {
      notes.push(noTarget(logicalId, known));
      return undefined;
    }
    const machines = planned.stateMachines.length === 0 ? {} : { stateMachineTargets: planned.stateMachines };
    return {
      kind: "pattern",
      spec: { logicalId, ...identity, pattern: pattern.pattern, targets: planned.functions, ...machines },
    };
  }
  const parsed = parseScheduleExpression(expression);
  if (parsed.kind === "invalid") {
    notes.push(`${logicalId}: ${parsed.problem}: not run`);
    return undefined;
  }
  const planned = planTargets(logicalId, properties.Targets ?? [], known);
  if (planned.functions.length === 0 && planned.stateMachines.length === 0) {
    notes.push(noTarget(logicalId, known));
    return undefined;
  }
  const timing: ScheduleTiming =
    parsed.kind === "rate" ? { periodMs: parsed.periodMs } : { cron: parsed.fields };
  const targets = planned.functions;
  const machines = planned.stateMachines.length === 0 ? {} : { stateMachineTargets: planned.stateMachines };
  return { kind: "schedule", spec: { logicalId, ...identity, expression, targets, ...machines, ...timing } };
}
