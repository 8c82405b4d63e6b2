import { z } from "zod";
import { MAX_CLUSTERS } from "../clusters/cluster-model.js";
import { describeValue, formatPath } from "../events/event-validation-error.js";
import { EVENT_NAMES, type EventKind, isSafeKey, trackKindOf } from "../events/index.js";
import { EMAIL_RING_SIZE, PRODUCT_KINDS, WINDOW_KINDS } from "../profile/index.js";
import type {
  Condition,
  CountRange,
  EventCondition,
  EventRef,
  RateTest,
  ScoreRange,
  SegmentDefinition,
  TraitPath,
  TraitTest,
} from "./definition.js";
import { TRAIT_NAMES } from "./definition.js";
import { windowOf } from "./duration.js";

/** Deepest nesting of `all`/`any`/`not` a rule may have (a leaf alone is depth 1). */
export const MAX_RULE_DEPTH = 16;
/** Most children of one `all` or `any`. */
export const MAX_CHILDREN = 64;

/** The condition kinds a rule node can be, as written in files. */
export const CONDITION_KEYS = [
  "all",
  "any",
  "not",
  "trait",
  "age",
  "event",
  "noEvent",
  "noEventSince",
  "ordersInCategory",
  "engagement",
  "rfm",
  "rfmCohort",
  "lifecycle",
  "score",
  "tier",
  "cluster",
  "inSegment",
] as const;

const RFM_COHORT_NAMES = [
  "champions",
  "loyal",
  "potential_loyalist",
  "new_customers",
  "at_risk",
  "cant_lose",
  "hibernating",
  "lost",
] as const;
const LIFECYCLE_STAGES = ["new_lead", "active", "repeat_buyer", "lapsed", "churned"] as const;
const TIERS = ["high", "medium", "low"] as const;
const TRAIT_OPS = [
  "eq",
  "ne",
  "in",
  "notIn",
  "gt",
  "gte",
  "lt",
  "lte",
  "between",
  "prefix",
  "exists",
] as const;

const WINDOW_KIND_SET: ReadonlySet<EventKind> = new Set(WINDOW_KINDS.filter((kind) => kind !== "custom"));
const PRODUCT_KIND_SET: ReadonlySet<EventKind> = new Set(PRODUCT_KINDS);
const WINDOWED_NAMES = [...WINDOW_KIND_SET].map((kind) => EVENT_NAMES[kind]).join(", ");
const PRODUCT_NAMES = PRODUCT_KINDS.map((kind) => EVENT_NAMES[kind]).join(", ");

type Ctx = z.core.$RefinementCtx<unknown>;

/** Adds a broken rule at `path` (relative to the value being checked). */
function fail(ctx: Ctx, rule: string, message: string, path: PropertyKey[] = []): void {
  ctx.addIssue({ code: "custom", message, params: { rule }, path });
}

const segmentId = z
  .string()
  .max(64)
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, "a segment id is lower-case kebab-case, e.g. cart-abandoners")
  // Segment ids and model names key maps in the profile item (`sg`, `sc`): a name a plain object has
  // (`constructor`) could not be stored there.
  .refine(isSafeKey, "a segment id may not be a name JavaScript objects reserve (constructor, prototype, …)");
const modelName = z
  .string()
  .max(64)
  .regex(/^[a-z][a-z0-9_]*$/, "a model name is lower-case snake_case, e.g. purchase_30d")
  .refine(isSafeKey, "a model name may not be a name JavaScript objects reserve (constructor, __proto__, …)");
const scalar = z.union([z.string(), z.number(), z.boolean()]);
const orderable = z.union([z.string(), z.number()]);
const count = z.int().min(0).max(1_000_000);
const rate = z
  .number()
  .min(0, "rates are fractions from 0 to 1: write 0.7 for 70 %")
  .max(1, "rates are fractions from 0 to 1: write 0.7 for 70 %");
const probability = z
  .number()
  .min(0, "scores are probabilities from 0 to 1")
  .max(1, "scores are from 0 to 1");
const clusterMessage = `cluster numbers are whole numbers from 0 to ${MAX_CLUSTERS - 1}`;
const clusterIndex = z
  .int(clusterMessage)
  .min(0, clusterMessage)
  .max(MAX_CLUSTERS - 1, clusterMessage);
const rfmScore = z.int().min(1, "RFM scores go from 1 to 5").max(5, "RFM scores go from 1 to 5");

const countShape = {
  atLeast: count.optional(),
  atMost: count.optional(),
  moreThan: count.optional(),
  lessThan: count.optional(),
  exactly: count.optional(),
};
type CountInput = { [K in keyof typeof countShape]?: number | undefined };
const COUNT_KEYS = [
  "atLeast",
  "atMost",
  "moreThan",
  "lessThan",
  "exactly",
] as const satisfies readonly (keyof CountInput)[];

/** The range the count keys allow (`atLeast: 1` when none is given), or undefined after reporting. */
function countRange(input: CountInput, ctx: Ctx): CountRange | undefined {
  const given = COUNT_KEYS.some((key) => input[key] !== undefined);
  const lows = [input.atLeast, input.moreThan === undefined ? undefined : input.moreThan + 1, input.exactly];
  const highs = [input.atMost, input.lessThan === undefined ? undefined : input.lessThan - 1, input.exactly];
  const min = Math.max(given ? 0 : 1, ...lows.filter((n) => n !== undefined));
  const bounded = highs.filter((n) => n !== undefined);
  const max = bounded.length === 0 ? undefined : Math.min(...bounded);
  if (max !== undefined && max < min) {
    fail(ctx, "count_range", `no count can be at least ${min} and at most ${max}`);
    return undefined;
  }
  return { min, max };
}

/** The event a name stands for: a known kind (any spelling `trackKindOf` accepts) or a custom event. */
export function eventRefOf(name: string): EventRef {
  const trimmed = name.trim();
  const key = trimmed.toLowerCase().replace(/[\s_]+/g, " ");
  if (key === "page viewed" || key === "page") return { kind: "page", name: EVENT_NAMES.page };
  if (key === "identify") return { kind: "identify", name: EVENT_NAMES.identify };
  const kind = trackKindOf(trimmed);
  return kind === "custom" ? { kind, name: trimmed } : { kind, name: EVENT_NAMES[kind] };
}

const eventName = z.string().trim().min(1).max(64);
const whereSchema = z.strictObject({
  product_id: z.string().min(1).optional(),
  category: z.string().min(1).optional(),
});

function eventCondition(
  input: { name: string; where?: z.infer<typeof whereSchema>; within?: string } & CountInput,
  ctx: Ctx,
  negated: boolean,
): EventCondition | typeof z.NEVER {
  const event = eventRefOf(input.name);
  const range = negated ? { min: 0, max: 0 } : countRange(input, ctx);
  let ok = range !== undefined;
  const within = input.within === undefined ? undefined : windowOf(input.within);
  if (within !== undefined && "problem" in within) {
    fail(ctx, "window", within.problem, ["within"]);
    ok = false;
  } else if (within !== undefined && !WINDOW_KIND_SET.has(event.kind)) {
    fail(ctx, "window_event", `only ${WINDOWED_NAMES} are counted in windows (got ${event.name})`, ["name"]);
    ok = false;
  }
  const where = input.where;
  if (where !== undefined) {
    if (where.product_id === undefined && where.category === undefined) {
      fail(ctx, "where", "where needs product_id and/or category", ["where"]);
      ok = false;
    } else if (!PRODUCT_KIND_SET.has(event.kind)) {
      fail(ctx, "where_event", `where filters only ${PRODUCT_NAMES} (got ${event.name})`, ["where"]);
      ok = false;
    } else if (within === undefined || (!("problem" in within) && within.unit !== "hour")) {
      fail(ctx, "where_window", "where needs a window of at most 48h (products are counted by the hour)", [
        "where",
      ]);
      ok = false;
    }
  }
  if (!ok || range === undefined || (within !== undefined && "problem" in within)) return z.NEVER;
  return {
    kind: "event",
    event,
    ...(where === undefined
      ? {}
      : {
          where: {
            ...(where.product_id === undefined ? {} : { productId: where.product_id }),
            ...(where.category === undefined ? {} : { category: where.category }),
          },
        }),
    ...(within === undefined ? {} : { within }),
    count: range,
    negated,
  };
}

const eventSchema = z
  .strictObject({
    name: eventName,
    where: whereSchema.optional(),
    within: z.string().optional(),
    ...countShape,
  })
  .transform((input, ctx) => eventCondition(input, ctx, false));

const noEventSchema = z
  .strictObject({ name: eventName, where: whereSchema.optional(), within: z.string() })
  .transform((input, ctx) => eventCondition(input, ctx, true));

const noEventSinceSchema = z
  .strictObject({ name: eventName, since: eventName })
  .transform((input, ctx): Condition | typeof z.NEVER => {
    const event = eventRefOf(input.name);
    const since = eventRefOf(input.since);
    for (const [key, ref] of [
      ["name", event],
      ["since", since],
    ] as const) {
      if (ref.kind === "custom") {
        fail(ctx, "known_event", `only known events keep a last time (got custom event ${ref.name})`, [key]);
        return z.NEVER;
      }
    }
    return { kind: "noEventSince", event, since };
  });

const traitSchema = z
  .strictObject({
    path: z.string().min(1).max(80),
    eq: scalar.optional(),
    ne: scalar.optional(),
    in: z.array(scalar).min(1).max(200).optional(),
    notIn: z.array(scalar).min(1).max(200).optional(),
    gt: orderable.optional(),
    gte: orderable.optional(),
    lt: orderable.optional(),
    lte: orderable.optional(),
    between: z.tuple([orderable, orderable]).optional(),
    prefix: z.string().min(1).optional(),
    exists: z.boolean().optional(),
  })
  .transform((input, ctx): Condition | typeof z.NEVER => {
    const path = traitPathOf(input.path);
    if (path === undefined) {
      fail(
        ctx,
        "trait_path",
        `unknown trait ${JSON.stringify(input.path)}: expected one of ${TRAIT_NAMES.join(", ")} or custom.<key>`,
        ["path"],
      );
    }
    const ops = TRAIT_OPS.filter((op) => input[op] !== undefined);
    if (ops.length !== 1) {
      fail(
        ctx,
        "one_operator",
        `a trait test has exactly one of ${TRAIT_OPS.join(", ")} (got ${ops.length})`,
      );
      return z.NEVER;
    }
    const test = traitTestOf(input);
    if (test === undefined || path === undefined) return z.NEVER;
    return { kind: "trait", path, test };
  });

type TraitInput = z.input<typeof traitSchema>;

function traitTestOf(input: TraitInput): TraitTest | undefined {
  for (const op of ["eq", "ne", "gt", "gte", "lt", "lte"] as const) {
    const value = input[op];
    if (value !== undefined) return { op, value };
  }
  if (input.in !== undefined) return { op: "in", values: input.in };
  if (input.notIn !== undefined) return { op: "notIn", values: input.notIn };
  if (input.between !== undefined) return { op: "between", low: input.between[0], high: input.between[1] };
  if (input.prefix !== undefined) return { op: "prefix", value: input.prefix };
  if (input.exists !== undefined) return { op: "exists", value: input.exists };
  return undefined;
}

function traitPathOf(text: string): TraitPath | undefined {
  const known = TRAIT_NAMES.find((name) => name === text);
  if (known !== undefined) return { known, text };
  const match = /^custom\.([A-Za-z0-9_-]{1,64})$/.exec(text);
  return match?.[1] === undefined ? undefined : { custom: match[1], text };
}

const ageSchema = z
  .strictObject({ gte: z.int().min(0).max(150).optional(), lte: z.int().min(0).max(150).optional() })
  .transform((input, ctx): Condition | typeof z.NEVER => {
    if (input.gte === undefined && input.lte === undefined) {
      fail(ctx, "bounds", "age needs gte and/or lte");
      return z.NEVER;
    }
    if (input.gte !== undefined && input.lte !== undefined && input.gte > input.lte) {
      fail(ctx, "bounds", `no age is ≥ ${input.gte} and ≤ ${input.lte}`);
      return z.NEVER;
    }
    return { kind: "age", ...bounds(input) };
  });

const ordersInCategorySchema = z
  .strictObject({ category: z.string().min(1).max(100), ...countShape })
  .transform((input, ctx): Condition | typeof z.NEVER => {
    const range = countRange(input, ctx);
    return range === undefined
      ? z.NEVER
      : { kind: "ordersInCategory", category: input.category, count: range };
  });

const rateTestSchema = z
  .strictObject({ gt: rate.optional(), gte: rate.optional(), lt: rate.optional(), lte: rate.optional() })
  .transform((input, ctx): RateTest | typeof z.NEVER => {
    const given = Object.entries(input).filter(([, value]) => value !== undefined);
    if (given.length === 0) {
      fail(ctx, "bounds", "a rate test needs gt, gte, lt and/or lte");
      return z.NEVER;
    }
    return Object.fromEntries(given);
  });

const engagementSchema = z
  .strictObject({
    openRate: rateTestSchema.optional(),
    clickRate: rateTestSchema.optional(),
    overLastSends: z
      .int()
      .min(1)
      .max(EMAIL_RING_SIZE, `at most the last ${EMAIL_RING_SIZE} sends are kept`)
      .optional(),
    minSends: z.int().min(1).max(1_000_000).optional(),
  })
  .transform((input, ctx): Condition | typeof z.NEVER => {
    if (input.openRate === undefined && input.clickRate === undefined) {
      fail(ctx, "bounds", "engagement needs openRate and/or clickRate");
      return z.NEVER;
    }
    const minSends = input.minSends ?? 1;
    if (input.overLastSends !== undefined && minSends > input.overLastSends) {
      fail(
        ctx,
        "bounds",
        `minSends ${minSends} can never be met over the last ${input.overLastSends} sends`,
        ["minSends"],
      );
      return z.NEVER;
    }
    return {
      kind: "engagement",
      ...(input.openRate === undefined ? {} : { openRate: input.openRate }),
      ...(input.clickRate === undefined ? {} : { clickRate: input.clickRate }),
      ...(input.overLastSends === undefined ? {} : { overLastSends: input.overLastSends }),
      minSends,
    };
  });

const scoreRangeSchema = z
  .strictObject({ gte: rfmScore.optional(), lte: rfmScore.optional() })
  .transform((input, ctx): ScoreRange | typeof z.NEVER => {
    if (input.gte === undefined && input.lte === undefined) {
      fail(ctx, "bounds", "a score range needs gte and/or lte");
      return z.NEVER;
    }
    return bounds(input);
  });

const rfmSchema = z
  .strictObject({
    r: scoreRangeSchema.optional(),
    f: scoreRangeSchema.optional(),
    m: scoreRangeSchema.optional(),
  })
  .transform((input, ctx): Condition | typeof z.NEVER => {
    if (input.r === undefined && input.f === undefined && input.m === undefined) {
      fail(ctx, "bounds", "rfm needs r, f and/or m");
      return z.NEVER;
    }
    return {
      kind: "rfm",
      ...(input.r === undefined ? {} : { r: input.r }),
      ...(input.f === undefined ? {} : { f: input.f }),
      ...(input.m === undefined ? {} : { m: input.m }),
    };
  });

const scoreSchema = z
  .strictObject({ model: modelName, gte: probability.optional(), lte: probability.optional() })
  .transform((input, ctx): Condition | typeof z.NEVER => {
    if (input.gte === undefined && input.lte === undefined) {
      fail(ctx, "bounds", "score needs gte and/or lte");
      return z.NEVER;
    }
    return { kind: "score", model: input.model, ...bounds(input) };
  });

function bounds(input: { gte?: number | undefined; lte?: number | undefined }): {
  gte?: number;
  lte?: number;
} {
  return {
    ...(input.gte === undefined ? {} : { gte: input.gte }),
    ...(input.lte === undefined ? {} : { lte: input.lte }),
  };
}

const CONDITION_KEY_SET: ReadonlySet<string> = new Set(CONDITION_KEYS);
const conditionMessage = `a condition is an object with exactly one of: ${CONDITION_KEYS.join(", ")}`;

/** One node of a rule: exactly one of {@link CONDITION_KEYS}. */
export const conditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z
    .looseObject(
      {
        all: z.array(conditionSchema).min(1).max(MAX_CHILDREN).optional(),
        any: z.array(conditionSchema).min(1).max(MAX_CHILDREN).optional(),
        not: conditionSchema.optional(),
        trait: traitSchema.optional(),
        age: ageSchema.optional(),
        event: eventSchema.optional(),
        noEvent: noEventSchema.optional(),
        noEventSince: noEventSinceSchema.optional(),
        ordersInCategory: ordersInCategorySchema.optional(),
        engagement: engagementSchema.optional(),
        rfm: rfmSchema.optional(),
        rfmCohort: z.enum(RFM_COHORT_NAMES).optional(),
        lifecycle: z.strictObject({ in: z.array(z.enum(LIFECYCLE_STAGES)).min(1) }).optional(),
        score: scoreSchema.optional(),
        tier: z.strictObject({ model: modelName, in: z.array(z.enum(TIERS)).min(1) }).optional(),
        cluster: z.strictObject({ in: z.array(clusterIndex).min(1).max(MAX_CLUSTERS) }).optional(),
        inSegment: segmentId.optional(),
      },
      { error: (issue) => (issue.code === "invalid_type" ? conditionMessage : undefined) },
    )
    .transform((node, ctx): Condition | typeof z.NEVER => {
      // A loose object, so unknown keys reach here and are reported once, with the kinds that exist.
      const unknown = Object.keys(node).filter((key) => !CONDITION_KEY_SET.has(key));
      if (unknown.length > 0) {
        const keys = unknown.map((key) => JSON.stringify(key)).join(", ");
        fail(ctx, "unknown_key", `unknown condition ${keys}: ${conditionMessage}`);
        return z.NEVER;
      }
      const given = CONDITION_KEYS.filter((key) => node[key] !== undefined);
      if (given.length !== 1) {
        fail(ctx, "one_condition", `${conditionMessage} (got ${given.join(", ") || "none"})`);
        return z.NEVER;
      }
      if (node.all !== undefined) return { kind: "all", of: node.all };
      if (node.any !== undefined) return { kind: "any", of: node.any };
      if (node.not !== undefined) return { kind: "not", of: node.not };
      if (node.rfmCohort !== undefined) return { kind: "rfmCohort", cohort: node.rfmCohort };
      if (node.lifecycle !== undefined) return { kind: "lifecycle", in: node.lifecycle.in };
      if (node.tier !== undefined) return { kind: "tier", model: node.tier.model, in: node.tier.in };
      if (node.cluster !== undefined) return { kind: "cluster", in: node.cluster.in };
      if (node.inSegment !== undefined) return { kind: "inSegment", segmentId: node.inSegment };
      return (
        node.trait ??
        node.age ??
        node.event ??
        node.noEvent ??
        node.noEventSince ??
        node.ordersInCategory ??
        node.engagement ??
        node.rfm ??
        node.score ??
        z.NEVER
      );
    }),
);

/** Nesting depth of a rule: a leaf is 1, `all: [leaf]` is 2. */
export function ruleDepth(condition: Condition): number {
  switch (condition.kind) {
    case "all":
    case "any":
      return 1 + Math.max(0, ...condition.of.map(ruleDepth));
    case "not":
      return 1 + ruleDepth(condition.of);
    default:
      return 1;
  }
}

/** A segment definition file's content. */
export const segmentDefinitionSchema: z.ZodType<SegmentDefinition> = z
  .strictObject({
    id: segmentId,
    name: z.string().trim().min(1).max(200),
    description: z.string().max(2000).optional(),
    version: z.int().min(1).max(1_000_000),
    static: z.boolean().optional(),
    rule: conditionSchema.optional(),
  })
  .transform((input, ctx): SegmentDefinition | typeof z.NEVER => {
    const base = {
      id: input.id,
      name: input.name,
      ...(input.description === undefined ? {} : { description: input.description }),
      version: input.version,
    };
    if (input.static === true) {
      if (input.rule === undefined) return { ...base, static: true };
      fail(ctx, "static", "a static segment has no rule: its members are imported", ["rule"]);
      return z.NEVER;
    }
    if (input.rule === undefined) {
      fail(ctx, "required", "required: a rule (or static: true)", ["rule"]);
      return z.NEVER;
    }
    const depth = ruleDepth(input.rule);
    if (depth > MAX_RULE_DEPTH) {
      fail(ctx, "depth", `the rule nests ${depth} levels deep; at most ${MAX_RULE_DEPTH}`, ["rule"]);
      return z.NEVER;
    }
    return { ...base, static: false, rule: input.rule };
  });

/** One broken rule in a definition. */
export interface DefinitionIssue {
  /** Path inside the definition, e.g. `rule.all[0].event.within`; empty for the whole definition. */
  readonly path: string;
  /** Short rule name: `required`, `type`, `one_of`, `unknown_key`, `window`, `one_condition`, `depth`, … */
  readonly rule: string;
  /** What was expected and what was seen. */
  readonly message: string;
}

/** A {@link DefinitionIssue} with its path as keys, to find it in a source document. */
export interface LocatedIssue extends DefinitionIssue {
  readonly keys: readonly PropertyKey[];
}

/** Checks a definition; issues carry their path as keys too. */
export function checkSegmentDefinition(
  input: unknown,
): { ok: true; definition: SegmentDefinition } | { ok: false; issues: LocatedIssue[] } {
  const result = segmentDefinitionSchema.safeParse(input, { reportInput: true });
  if (result.success) return { ok: true, definition: result.data };
  return { ok: false, issues: result.error.issues.map(toIssue) };
}

/**
 * Checks and normalises one segment definition (parsed YAML or JSON): the definition, or every broken rule
 * with its path.
 */
export function parseSegmentDefinition(
  input: unknown,
): { ok: true; definition: SegmentDefinition } | { ok: false; issues: DefinitionIssue[] } {
  const checked = checkSegmentDefinition(input);
  if (checked.ok) return checked;
  return { ok: false, issues: checked.issues.map(({ path, rule, message }) => ({ path, rule, message })) };
}

function toIssue(issue: z.core.$ZodIssue): LocatedIssue {
  const keys = issue.path;
  const path = formatPath(keys);
  const input: unknown = issue.input;
  switch (issue.code) {
    case "custom": {
      const rule = issue.params?.rule;
      return { keys, path, rule: typeof rule === "string" ? rule : "custom", message: issue.message };
    }
    case "unrecognized_keys":
      return { keys, path, rule: "unknown_key", message: issue.message };
    case "invalid_type":
      if (input === undefined) return { keys, path, rule: "required", message: `required: ${issue.message}` };
      return { keys, path, rule: "type", message: `${issue.message} (got ${describeValue(input)})` };
    case "invalid_value":
      return { keys, path, rule: "one_of", message: `${issue.message} (got ${describeValue(input)})` };
    default:
      return { keys, path, rule: issue.code, message: `${issue.message} (got ${describeValue(input)})` };
  }
}
