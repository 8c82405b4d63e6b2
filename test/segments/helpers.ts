import type { TailorEvent } from "#shared/domain/events/index.js";
import { DAY_MS, foldEvents, type Profile } from "#shared/domain/profile/index.js";
import {
  type Evaluation,
  type EvaluationContext,
  evaluateSegment,
  parseSegmentDefinition,
  type SegmentDefinition,
} from "#shared/domain/segments/index.js";
import { type EnvelopeOptions, parsed, type RawEvent } from "../factories/events.js";

export const CUSTOMER = "user-1";

/** Envelope options for an event at `ms`. */
export const at = (ms: number, extra: EnvelopeOptions = {}): EnvelopeOptions => ({ timestamp: ms, ...extra });

/** Parses raw events (any time accepted). */
export function events(...raws: RawEvent[]): TailorEvent[] {
  return raws.map((raw) => parsed(raw, Number.MAX_SAFE_INTEGER - DAY_MS));
}

/** The profile the real fold builds from raw events, folded at `now`. */
export function profileOf(now: number, ...raws: RawEvent[]): Profile {
  return foldEvents(undefined, CUSTOMER, events(...raws), now).profile;
}

/** A definition from its file form; throws with the issues when invalid. */
export function definition(raw: Record<string, unknown>): SegmentDefinition {
  const result = parseSegmentDefinition({ id: "test", name: "Test", version: 1, ...raw });
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.definition;
}

/** Evaluates a rule (file form) on a profile at `now`. */
export function evaluateRule(
  rule: unknown,
  profile: Profile,
  now: number,
  ctx: EvaluationContext = {},
  earlier: ReadonlyMap<string, Evaluation> = new Map(),
): Evaluation {
  return evaluateSegment(definition({ rule }), profile, now, ctx, earlier);
}
