import { assertNever, TailorError } from "#shared/errors.js";
import type { Profile } from "../profile/index.js";
import {
  evaluateEngagement,
  evaluateEvent,
  evaluateNoEventSince,
  evaluateOrdersInCategory,
  type LeafResult,
} from "./behaviour-leaves.js";
import type { Evaluation, EvaluationContext, Reason } from "./contracts.js";
import {
  evaluateAge,
  evaluateCluster,
  evaluateLifecycle,
  evaluateRfm,
  evaluateRfmCohort,
  evaluateScore,
  evaluateTier,
  evaluateTrait,
} from "./customer-leaves.js";
import type { Condition, InSegmentCondition, SegmentDefinition } from "./definition.js";
import { describeCondition } from "./describe.js";
import type { SegmentLibrary } from "./library.js";
import { ProfileView } from "./profile-view.js";

/** A caller bug: a definition evaluated before a segment it refers to. Never retryable. */
export class SegmentEvaluationError extends TailorError {
  constructor(message: string) {
    super(message, { retryable: false });
  }
}

interface NodeResult {
  readonly reason: Reason;
  readonly nextChangeAt: number | undefined;
}

function earliest(times: readonly (number | undefined)[]): number | undefined {
  let min: number | undefined;
  for (const time of times) if (time !== undefined && (min === undefined || time < min)) min = time;
  return min;
}

/** The latest of times that must all pass; undefined when one of them never comes. */
function latest(times: readonly (number | undefined)[]): number | undefined {
  let max = Number.NEGATIVE_INFINITY;
  for (const time of times) {
    if (time === undefined) return undefined;
    max = Math.max(max, time);
  }
  return Number.isFinite(max) ? max : undefined;
}

function evaluateInSegment(
  condition: InSegmentCondition,
  earlier: ReadonlyMap<string, Evaluation>,
): LeafResult {
  const other = earlier.get(condition.segmentId);
  if (other === undefined) {
    throw new SegmentEvaluationError(
      `segment ${condition.segmentId} must be evaluated before segments using it`,
    );
  }
  return {
    held: other.member,
    seen: other.member ? "member" : "not a member",
    nextChangeAt: other.nextChangeAt,
  };
}

function evaluateLeaf(
  view: ProfileView,
  condition: Condition,
  earlier: ReadonlyMap<string, Evaluation>,
): LeafResult {
  switch (condition.kind) {
    case "all":
    case "any":
    case "not":
      throw new SegmentEvaluationError(`${condition.kind} is not a leaf`);
    case "trait":
      return evaluateTrait(view, condition);
    case "age":
      return evaluateAge(view, condition);
    case "event":
      return evaluateEvent(view, condition);
    case "noEventSince":
      return evaluateNoEventSince(view, condition);
    case "ordersInCategory":
      return evaluateOrdersInCategory(view, condition);
    case "engagement":
      return evaluateEngagement(view, condition);
    case "rfm":
      return evaluateRfm(view, condition);
    case "rfmCohort":
      return evaluateRfmCohort(view, condition);
    case "lifecycle":
      return evaluateLifecycle(view, condition);
    case "score":
      return evaluateScore(view, condition);
    case "tier":
      return evaluateTier(view, condition);
    case "cluster":
      return evaluateCluster(view, condition);
    case "inSegment":
      return evaluateInSegment(condition, earlier);
    default:
      return assertNever(condition);
  }
}

/**
 * Evaluates a node. When the verdict can next change by time:
 * - `all` that holds: when any child changes; `all` that fails: only once every failing child has changed;
 * - `any` that holds: only once every holding child has changed; `any` that fails: when any child changes;
 * - `not`: when its child changes.
 */
function evaluateNode(
  view: ProfileView,
  condition: Condition,
  earlier: ReadonlyMap<string, Evaluation>,
): NodeResult {
  const text = describeCondition(condition);
  switch (condition.kind) {
    case "all":
    case "any": {
      const children = condition.of.map((child) => evaluateNode(view, child, earlier));
      const held =
        condition.kind === "all"
          ? children.every((child) => child.reason.held)
          : children.some((child) => child.reason.held);
      // The children whose change can flip the verdict: all of them when one suffices, else the deciding ones.
      const anyFlips = (condition.kind === "all") === held;
      const nextChangeAt = anyFlips
        ? earliest(children.map((child) => child.nextChangeAt))
        : latest(children.filter((child) => child.reason.held === held).map((child) => child.nextChangeAt));
      return {
        reason: {
          node: condition.kind,
          text,
          held,
          seen: `${children.filter((child) => child.reason.held).length} of ${children.length} held`,
          children: children.map((child) => child.reason),
        },
        nextChangeAt,
      };
    }
    case "not": {
      const child = evaluateNode(view, condition.of, earlier);
      return {
        reason: {
          node: "not",
          text,
          held: !child.reason.held,
          seen: child.reason.held ? "it held" : "it did not hold",
          children: [child.reason],
        },
        nextChangeAt: child.nextChangeAt,
      };
    }
    default: {
      const leaf = evaluateLeaf(view, condition, earlier);
      const node = condition.kind === "event" && condition.negated ? "noEvent" : condition.kind;
      return { reason: { node, text, held: leaf.held, seen: leaf.seen }, nextChangeAt: leaf.nextChangeAt };
    }
  }
}

function evaluateWith(
  definition: SegmentDefinition,
  view: ProfileView,
  earlier: ReadonlyMap<string, Evaluation>,
): Evaluation {
  if (definition.static) {
    const member = view.profile.ss?.includes(definition.id) ?? false;
    return {
      segmentId: definition.id,
      member,
      reason: {
        node: "static",
        text: `imported into ${definition.id}`,
        held: member,
        seen: member ? "listed" : "not listed",
      },
      nextChangeAt: undefined,
    };
  }
  const { reason, nextChangeAt } = evaluateNode(view, definition.rule, earlier);
  return { segmentId: definition.id, member: reason.held, reason, nextChangeAt };
}

/**
 * One definition on one profile at `now`: membership, the reason tree, and the earliest time the verdict can
 * change without a new event. `earlier` holds this pass's evaluations of the segments `inSegment` refers to;
 * a missing one throws {@link SegmentEvaluationError}.
 */
export function evaluateSegment(
  definition: SegmentDefinition,
  profile: Profile,
  now: number,
  ctx: EvaluationContext,
  earlier: ReadonlyMap<string, Evaluation>,
): Evaluation {
  return evaluateWith(definition, new ProfileView(profile, now, ctx), earlier);
}

/** Every definition of the library on one profile at `now`, in the library's (dependency) order. */
export function evaluateAll(
  library: SegmentLibrary,
  profile: Profile,
  now: number,
  ctx: EvaluationContext,
): Evaluation[] {
  const view = new ProfileView(profile, now, ctx);
  const earlier = new Map<string, Evaluation>();
  const evaluations: Evaluation[] = [];
  for (const definition of library.definitions) {
    const evaluation = evaluateWith(definition, view, earlier);
    earlier.set(definition.id, evaluation);
    evaluations.push(evaluation);
  }
  return evaluations;
}
