import { assertNever } from "#shared/errors.js";
import type { Scalar } from "../events/index.js";
import { mayProfile } from "../profile/consent.js";
import { lifecycleAt, lifecycleNextChangeAt, ownEntry } from "../profile/index.js";
import { ageAt, anniversaryAt, parseBirthday } from "./age.js";
import type { LeafResult } from "./behaviour-leaves.js";
import type {
  AgeCondition,
  ClusterCondition,
  LifecycleCondition,
  RfmCohortCondition,
  RfmCondition,
  ScoreCondition,
  ScoreRange,
  TierCondition,
  TraitCondition,
  TraitTest,
} from "./definition.js";
import { formatScalar, formatTime } from "./describe.js";
import type { ProfileView } from "./profile-view.js";
import { inCohort } from "./rfm.js";

/** The value a trait condition reads. */
export function traitValue(view: ProfileView, condition: TraitCondition): Scalar | undefined {
  const traits = view.profile.t;
  if (traits === undefined) return undefined;
  const path = condition.path;
  return "known" in path ? traits[path.known] : ownEntry(traits.x, path.custom);
}

/** Order of two values of the same type (numbers, or strings by code unit); undefined across types. */
function compare(a: Scalar, b: Scalar): number | undefined {
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "string" && typeof b === "string") return a < b ? -1 : a > b ? 1 : 0;
  return undefined;
}

function holds(order: number | undefined, accept: (n: number) => boolean): boolean {
  return order !== undefined && accept(order);
}

/** Whether a trait value passes a test. A missing value fails every test except `exists: false`. */
export function traitHolds(value: Scalar | undefined, test: TraitTest): boolean {
  if (test.op === "exists") return (value !== undefined) === test.value;
  if (value === undefined) return false;
  switch (test.op) {
    case "eq":
      return value === test.value;
    case "ne":
      return value !== test.value;
    case "in":
      return test.values.includes(value);
    case "notIn":
      return !test.values.includes(value);
    case "gt":
      return holds(compare(value, test.value), (n) => n > 0);
    case "gte":
      return holds(compare(value, test.value), (n) => n >= 0);
    case "lt":
      return holds(compare(value, test.value), (n) => n < 0);
    case "lte":
      return holds(compare(value, test.value), (n) => n <= 0);
    case "between":
      return (
        holds(compare(value, test.low), (n) => n >= 0) && holds(compare(value, test.high), (n) => n <= 0)
      );
    case "prefix":
      return typeof value === "string" && value.startsWith(test.value);
    default:
      return assertNever(test);
  }
}

/** `trait`: never moves by time. */
export function evaluateTrait(view: ProfileView, condition: TraitCondition): LeafResult {
  const value = traitValue(view, condition);
  const seen =
    value === undefined
      ? `${condition.path.text} unknown`
      : `${condition.path.text} = ${formatScalar(value)}`;
  return { held: traitHolds(value, condition.test), seen, nextChangeAt: undefined };
}

function inBounds(n: number, range: { gte?: number; lte?: number }): boolean {
  return (range.gte === undefined || n >= range.gte) && (range.lte === undefined || n <= range.lte);
}

/** `age`: changes on the birthday (00:00 UTC) that brings the age into or out of range. */
export function evaluateAge(view: ProfileView, condition: AgeCondition): LeafResult {
  const birthday = view.profile.t?.birthday;
  if (birthday === undefined) return { held: false, seen: "no birthday", nextChangeAt: undefined };
  const birth = parseBirthday(birthday);
  if (birth === undefined)
    return { held: false, seen: `unreadable birthday ${birthday}`, nextChangeAt: undefined };
  const age = ageAt(birthday, view.now);
  if (age === undefined) {
    return {
      held: false,
      seen: `born ${birthday}, after now`,
      nextChangeAt: anniversaryAt(birth, condition.gte ?? 0),
    };
  }
  const held = inBounds(age, condition);
  let nextChangeAt: number | undefined;
  if (condition.gte !== undefined && age < condition.gte) nextChangeAt = anniversaryAt(birth, condition.gte);
  else if (condition.lte !== undefined && age <= condition.lte)
    nextChangeAt = anniversaryAt(birth, condition.lte + 1);
  return { held, seen: `age ${age} (born ${birthday})`, nextChangeAt };
}

/** `lifecycle`: the stage at `now`; changes when time moves the stage in or out of the set. */
export function evaluateLifecycle(view: ProfileView, condition: LifecycleCondition): LeafResult {
  const stage = view.lifecycle();
  const held = condition.in.includes(stage.s);
  let next = view.lifecycleNextChangeAt();
  while (next !== undefined && condition.in.includes(lifecycleAt(view.profile, next).s) === held) {
    next = lifecycleNextChangeAt(view.profile, next);
  }
  return { held, seen: `${stage.s} since ${formatTime(stage.at)}`, nextChangeAt: next };
}

function noScores(view: ProfileView): LeafResult {
  const seen = view.ctx.rfm === undefined ? "no RFM scores yet" : "no RFM scores (never ordered)";
  return { held: false, seen, nextChangeAt: undefined };
}

function rfmSeen(view: ProfileView): string {
  const rfm = view.rfm();
  if (rfm === undefined) return "";
  const { r, f, m, at } = rfm.scores;
  return `R ${r}, F ${f}, M ${m}${rfm.live ? "" : ` (scored ${formatTime(at)})`}`;
}

function inScoreRange(score: number, range: ScoreRange | undefined): boolean {
  return range === undefined || inBounds(score, range);
}

/** `rfm`: live scores change by time only through recency. */
export function evaluateRfm(view: ProfileView, condition: RfmCondition): LeafResult {
  const rfm = view.rfm();
  if (rfm === undefined) return noScores(view);
  const { r, f, m } = rfm.scores;
  const held = inScoreRange(r, condition.r) && inScoreRange(f, condition.f) && inScoreRange(m, condition.m);
  return {
    held,
    seen: rfmSeen(view),
    nextChangeAt: condition.r === undefined ? undefined : rfm.nextChangeAt,
  };
}

/** `rfmCohort`: cohorts read R, so live scores change by time. */
export function evaluateRfmCohort(view: ProfileView, condition: RfmCohortCondition): LeafResult {
  const rfm = view.rfm();
  if (rfm === undefined) return noScores(view);
  return {
    held: inCohort(rfm.scores, condition.cohort),
    seen: rfmSeen(view),
    nextChangeAt: rfm.nextChangeAt,
  };
}

/** A customer who withdrew profiling consent: model scores are not read, as if never scored. */
const NO_PROFILING: LeafResult = {
  held: false,
  seen: "profiling consent withdrawn",
  nextChangeAt: undefined,
};

/** `score`: the model's probability, as last scored. */
export function evaluateScore(view: ProfileView, condition: ScoreCondition): LeafResult {
  if (!mayProfile(view.profile)) return NO_PROFILING;
  const score = view.profile.sc?.[condition.model];
  if (score === undefined)
    return { held: false, seen: `not scored by ${condition.model}`, nextChangeAt: undefined };
  return {
    held: inBounds(score.p, condition),
    seen: `${score.p} (${score.t}, scored ${formatTime(score.at)})`,
    nextChangeAt: undefined,
  };
}

/** `tier`: the model's tier, as last scored. */
export function evaluateTier(view: ProfileView, condition: TierCondition): LeafResult {
  if (!mayProfile(view.profile)) return NO_PROFILING;
  const score = view.profile.sc?.[condition.model];
  if (score === undefined)
    return { held: false, seen: `not scored by ${condition.model}`, nextChangeAt: undefined };
  return {
    held: condition.in.includes(score.t),
    seen: `${score.t} (${score.p}, scored ${formatTime(score.at)})`,
    nextChangeAt: undefined,
  };
}

/** `cluster`: the customer's cluster, as last assigned. */
export function evaluateCluster(view: ProfileView, condition: ClusterCondition): LeafResult {
  if (!mayProfile(view.profile)) return NO_PROFILING;
  const cluster = view.profile.cl;
  if (cluster === undefined) return { held: false, seen: "no cluster yet", nextChangeAt: undefined };
  return {
    held: condition.in.includes(cluster.c),
    seen: `cluster ${cluster.c}, assigned ${formatTime(cluster.at)}`,
    nextChangeAt: undefined,
  };
}
