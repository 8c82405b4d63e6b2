import { type ResolveContext, resolveString } from "./cfn-intrinsics.js";
import {
  parseProperties,
  type RuleTargetProperties,
  ruleProperties,
  type TemplateResource,
} from "./cfn-template.js";
import type { CronSchedule } from "./cron-expression.js";
import { type EventPattern, parseEventPattern } from "./event-pattern.js";
import { parseScheduleExpression } from "./schedule-expression.js";
import { planTargetInput, type TargetInput } from "./target-input.js";

/** A function a rule invokes, by its local name, and what it is invoked with. */
export interface ScheduleTargetSpec {
  /** The target's `Id` in the rule. */
  readonly id: string;
  readonly functionName: string;
  /** The target's `Input`, `InputPath` or `InputTransformer`; absent: the event itself. */
  readonly input?: TargetInput;
}

/** When a schedule fires: every `periodMs` (`rate(...)`), or on the calendar of a `cron(...)`. */
export type ScheduleTiming =
  | { readonly periodMs: number; readonly cron?: undefined }
  | { readonly cron: CronSchedule; readonly periodMs?: undefined };

/** An EventBridge schedule the local stack runs: a rule with a schedule expression and Lambda targets. */
export type ScheduleSpec = {
  readonly logicalId: string;
  readonly name: string;
  readonly arn: string;
  /** The `ScheduleExpression` as the template says it. */
  readonly expression: string;
  readonly targets: readonly ScheduleTargetSpec[];
} & ScheduleTiming;

/** An EventBridge rule with an event pattern on the default bus, and its Lambda targets. */
export interface EventRuleSpec {
  readonly logicalId: string;
  readonly name: string;
  readonly arn: string;
  readonly pattern: EventPattern;
  readonly targets: readonly ScheduleTargetSpec[];
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
}

function planTargets(
  logicalId: string,
  targets: readonly RuleTargetProperties[],
  known: SchedulePlanContext,
): ScheduleTargetSpec[] {
  const { ctx, functions, notes } = known;
  const planned: ScheduleTargetSpec[] = [];
  for (const target of targets) {
    const where = `${logicalId} Targets.${target.Id}`;
    const arn = resolveString(target.Arn, ctx, `${where}.Arn`);
    const fn = functions.find((f) => f.arn === arn);
    if (fn === undefined) {
      notes.push(`${where}: ${arn} is not a function of the local stack: not invoked`);
      continue;
    }
    const input = planTargetInput(target, ctx, where);
    planned.push(
      input.kind === "event"
        ? { id: target.Id, functionName: fn.name }
        : { id: target.Id, functionName: fn.name, input },
    );
  }
  return planned;
}

/**
 * Reads one `AWS::Events::Rule` into what the local stack runs: a schedule (`rate(...)` or `cron(...)`), or an
 * event-pattern rule of the default bus; or `undefined` (with a note) when it is not one it can run: a disabled
 * rule, an unsupported expression or pattern, another bus, or no target that is a function of the local stack.
 * Targets that are not local functions are left out with a note.
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
    const pattern = parseEventPattern(properties.EventPattern);
    if (!pattern.ok) {
      notes.push(`${logicalId}: ${pattern.reason}: not run locally`);
      return undefined;
    }
    const targets = planTargets(logicalId, properties.Targets ?? [], known);
    if (targets.length === 0) {
      notes.push(`${logicalId}: no target is a function of the local stack: not run`);
      return undefined;
    }
    return { kind: "pattern", spec: { logicalId, ...identity, pattern: pattern.pattern, targets } };
  }
  const parsed = parseScheduleExpression(expression);
  if (parsed.kind === "unsupported") {
    notes.push(`${logicalId}: ${parsed.reason}: not run`);
    return undefined;
  }
  const targets = planTargets(logicalId, properties.Targets ?? [], known);
  if (targets.length === 0) {
    notes.push(`${logicalId}: no target is a function of the local stack: not run`);
    return undefined;
  }
  const timing: ScheduleTiming =
    parsed.kind === "rate" ? { periodMs: parsed.periodMs } : { cron: parsed.cron };
  return { kind: "schedule", spec: { logicalId, ...identity, expression, targets, ...timing } };
}
