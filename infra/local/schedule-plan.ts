import { type ResolveContext, resolveString } from "./cfn-intrinsics.js";
import { parseProperties, ruleProperties, type TemplateResource } from "./cfn-template.js";
import { parseScheduleExpression } from "./schedule-expression.js";

/** A function a schedule invokes, by its local name. */
export interface ScheduleTargetSpec {
  /** The target's `Id` in the rule. */
  readonly id: string;
  readonly functionName: string;
}

/** An EventBridge schedule the local stack runs: a rule with a `rate(...)` expression and Lambda targets. */
export interface ScheduleSpec {
  readonly logicalId: string;
  readonly name: string;
  readonly arn: string;
  /** The `ScheduleExpression` as the template says it. */
  readonly expression: string;
  /** The period it means. */
  readonly periodMs: number;
  readonly targets: readonly ScheduleTargetSpec[];
}

/** What planning a rule needs from the rest of the plan. */
export interface SchedulePlanContext {
  readonly ctx: ResolveContext;
  /** The functions of the local stack, by local name and ARN. */
  readonly functions: readonly { readonly name: string; readonly arn: string }[];
  /** Where what is left out, and why, is written. */
  readonly notes: string[];
}

/**
 * Reads one `AWS::Events::Rule` into the schedule the local stack runs, or `undefined` (with a note) when it is
 * not one it can run: an event-pattern rule, a disabled rule, an unsupported expression (`cron(...)`), or no
 * target that is a function of the local stack. Targets that are not local functions, and input settings the
 * local scheduler does not honour, are left out with a note.
 */
export function planSchedule(
  logicalId: string,
  resource: TemplateResource,
  identity: { readonly name: string; readonly arn: string },
  known: SchedulePlanContext,
): ScheduleSpec | undefined {
  const { ctx, functions, notes } = known;
  const properties = parseProperties(logicalId, resource, ruleProperties);
  const expression = properties.ScheduleExpression;
  if (expression === undefined) {
    notes.push(`${logicalId}: an event-pattern rule: not run locally`);
    return undefined;
  }
  if (properties.State !== undefined && properties.State !== "ENABLED") {
    notes.push(`${logicalId}: ${properties.State} in the template: not run`);
    return undefined;
  }
  const parsed = parseScheduleExpression(expression);
  if (parsed.kind === "unsupported") {
    notes.push(`${logicalId}: ${parsed.reason}: not run`);
    return undefined;
  }

  const targets: ScheduleTargetSpec[] = [];
  for (const target of properties.Targets ?? []) {
    const where = `${logicalId} Targets.${target.Id}`;
    const arn = resolveString(target.Arn, ctx, `${where}.Arn`);
    const fn = functions.find((f) => f.arn === arn);
    if (fn === undefined) {
      notes.push(`${where}: ${arn} is not a function of the local stack: not invoked`);
      continue;
    }
    const shaped = ["Input", "InputPath", "InputTransformer"].filter((key) => target[key] !== undefined);
    if (shaped.length > 0) {
      notes.push(`${where}: ${shaped.join(", ")} not supported locally: invoked with the Scheduled Event`);
    }
    targets.push({ id: target.Id, functionName: fn.name });
  }
  if (targets.length === 0) {
    notes.push(`${logicalId}: no target is a function of the local stack: not run`);
    return undefined;
  }
  return { logicalId, ...identity, expression, periodMs: parsed.periodMs, targets };
}
