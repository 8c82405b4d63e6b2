import { z } from "zod";
import { WATCH_RETENTION_DAYS, type WatchKind } from "../catalog/watches.js";
import { describeValue, formatPath } from "../events/event-validation-error.js";
import { isSafeKey } from "../events/index.js";
import { DAY_MS } from "../profile/index.js";
import { parseScheduleExpression } from "../schedules/index.js";
import { eventRefOf, parseDuration } from "../segments/index.js";
import type {
  CampaignDefinition,
  CatalogTrigger,
  MinDrop,
  PropertyTest,
  Reentry,
  Step,
  StepSendTime,
  Trigger,
  Variant,
  WaitFor,
} from "./definition.js";
import { STEP_CHANNELS, TRIGGER_EXITS } from "./definition.js";
import { FATIGUE_SKIP_BELOW_PRIORITY_DEFAULT } from "./fatigue.js";
import { formatMinuteOfDay, isTimeZone } from "./time-zone.js";
import { WAIT_DEFAULT_MS, WAIT_MAX_DAYS } from "./wait.js";

/** Longest step delay, reentry gap or cap window. */
export const CAMPAIGN_DURATION_MAX_DAYS = 90;
/** Most steps of one campaign. */
export const MAX_STEPS = 10;
/** Most variants of one experiment. */
export const MAX_VARIANTS = 10;

type Ctx = z.core.$RefinementCtx<unknown>;

function fail(ctx: Ctx, rule: string, message: string, path: PropertyKey[] = []): void {
  ctx.addIssue({ code: "custom", message, params: { rule }, path });
}

const kebab = (what: string, example: string) =>
  z
    .string()
    .max(64)
    .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, `${what} is lower-case kebab-case, e.g. ${example}`)
    // It keys maps in the profile item: a name a plain object has (`constructor`) could not be stored there.
    .refine(isSafeKey, `${what} may not be a name JavaScript objects reserve (constructor, prototype, …)`);
const campaignId = kebab("a campaign id", "cart-abandonment");
const segmentId = kebab("a segment id", "cart-abandoners");
const templateName = kebab("a template name", "cart-abandonment");
const variantId = kebab("a variant id", "b");
const scalar = z.union([z.string(), z.number(), z.boolean()]);
const eventName = z.string().trim().min(1).max(64);

/** A duration `30m`, `4h`, `7d` from 0 up to {@link CAMPAIGN_DURATION_MAX_DAYS}, in ms. */
const duration = z.string().transform((text, ctx): number | typeof z.NEVER => {
  const ms = parseDuration(text);
  if (ms === undefined) {
    fail(ctx, "duration", `expected a duration like 30m, 4h or 7d (got ${JSON.stringify(text)})`);
    return z.NEVER;
  }
  if (ms > CAMPAIGN_DURATION_MAX_DAYS * DAY_MS) {
    fail(ctx, "duration", `durations are at most ${CAMPAIGN_DURATION_MAX_DAYS}d`);
    return z.NEVER;
  }
  return ms;
});

const clock = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, "a time of day is HH:MM on 24 hours, e.g. 21:00")
  .transform((text) => Number(text.slice(0, 2)) * 60 + Number(text.slice(3)));

const timeZone = z.string().refine(isTimeZone, {
  message: "an IANA time zone, e.g. Europe/Paris or UTC",
  params: { rule: "time_zone" },
});

const propertyTest = z.union([
  scalar.transform((value): PropertyTest => ({ op: "eq", value })),
  z
    .strictObject({ in: z.array(scalar).min(1).max(200) })
    .transform((t): PropertyTest => ({ op: "in", values: t.in })),
  z.strictObject({ exists: z.boolean() }).transform((t): PropertyTest => ({ op: "exists", value: t.exists })),
]);

/**
 * A catalog trigger from its keys: `minDrop` (price drops only) is `10%` or an amount in the change's currency,
 * `watched` defaults to both interests, `within` (up to the watch index's retention) to 30d.
 */
function catalogTrigger(
  ctx: Ctx,
  change: CatalogTrigger["change"],
  input: { minDrop?: string | number; watched?: WatchKind[]; within?: string },
): CatalogTrigger | typeof z.NEVER {
  let ok = true;
  let minDrop: MinDrop | undefined;
  if (input.minDrop !== undefined) {
    minDrop = parseMinDrop(input.minDrop);
    if (change !== "price-drop") {
      fail(ctx, "trigger_key", "minDrop belongs to a price-drop trigger only", ["minDrop"]);
      ok = false;
    } else if (minDrop === undefined) {
      fail(
        ctx,
        "min_drop",
        `minDrop is a share like 10% (above 0, below 100) or an amount like 5 (got ${JSON.stringify(input.minDrop)})`,
        ["minDrop"],
      );
      ok = false;
    }
  }
  const watched = input.watched ?? ["viewed", "carted"];
  watched.forEach((how, i) => {
    if (watched.indexOf(how) !== i) {
      fail(ctx, "duplicate_watched", `${how} is listed twice`, ["watched", i]);
      ok = false;
    }
  });
  const within = input.within?.trim() ?? `${WATCH_RETENTION_DAYS}d`;
  const withinMs = parseDuration(within);
  if (withinMs === undefined || withinMs <= 0 || withinMs > WATCH_RETENTION_DAYS * DAY_MS) {
    fail(
      ctx,
      "watch_within",
      `within is a window from 1m up to ${WATCH_RETENTION_DAYS}d (how long views and carts are remembered), like 30d (got ${JSON.stringify(input.within)})`,
      ["within"],
    );
    return z.NEVER;
  }
  if (!ok) return z.NEVER;
  return {
    kind: "catalog",
    change,
    ...(minDrop === undefined ? {} : { minDrop }),
    watched,
    withinMs,
    within,
  };
}

function parseMinDrop(value: string | number): MinDrop | undefined {
  if (typeof value === "number") {
    return Number.isFinite(value) && value > 0
      ? { kind: "amount", amount: value, text: String(value) }
      : undefined;
  }
  const text = value.trim();
  const percent = /^(\d+(?:\.\d+)?)\s*%$/.exec(text);
  if (percent !== null) {
    const share = Number(percent[1]);
    return share > 0 && share < 100 ? { kind: "percent", percent: share, text } : undefined;
  }
  const amount = /^\d+(?:\.\d+)?$/.test(text) ? Number(text) : Number.NaN;
  return amount > 0 ? { kind: "amount", amount, text } : undefined;
}

const TRIGGER_KEYS = ["event", "segment", "schedule", "catalog"] as const;

const triggerSchema = z
  .strictObject({
    event: eventName.optional(),
    where: z.record(z.string().min(1).max(64), propertyTest).optional(),
    segment: segmentId.optional(),
    on: z.enum(["entered", "exited"]).optional(),
    schedule: z.string().optional(),
    audience: segmentId.optional(),
    catalog: z
      .enum(["back-in-stock", "price-drop"], {
        error: "catalog is back-in-stock or price-drop",
      })
      .optional(),
    minDrop: z.union([z.string(), z.number()]).optional(),
    watched: z
      .array(z.enum(["viewed", "carted"], { error: "watched lists viewed and/or carted" }))
      .min(1)
      .max(2)
      .optional(),
    within: z.string().optional(),
  })
  .transform((input, ctx): Trigger | typeof z.NEVER => {
    const given = TRIGGER_KEYS.filter((key) => input[key] !== undefined);
    if (given.length !== 1) {
      fail(
        ctx,
        "one_trigger",
        `a trigger has exactly one of event, segment, schedule, catalog (got ${given.join(", ") || "none"})`,
      );
      return z.NEVER;
    }
    const extra = (allowed: readonly string[]): boolean => {
      const wrong = (["where", "on", "audience", "minDrop", "watched", "within"] as const).filter(
        (key) => !allowed.includes(key) && input[key] !== undefined,
      );
      for (const key of wrong)
        fail(ctx, "trigger_key", `${key} does not belong to a ${given[0]} trigger`, [key]);
      return wrong.length > 0;
    };
    if (input.event !== undefined) {
      if (extra(["where"])) return z.NEVER;
      return {
        kind: "event",
        event: eventRefOf(input.event),
        ...(input.where === undefined ? {} : { where: input.where }),
      };
    }
    if (input.catalog !== undefined) {
      if (extra(["minDrop", "watched", "within"])) return z.NEVER;
      return catalogTrigger(ctx, input.catalog, input);
    }
    if (input.segment !== undefined) {
      if (extra(["on"])) return z.NEVER;
      if (input.on === undefined) {
        fail(ctx, "required", "required: on (entered or exited)", ["on"]);
        return z.NEVER;
      }
      return { kind: "segment", segmentId: input.segment, on: input.on };
    }
    if (extra(["audience"]) || input.schedule === undefined) return z.NEVER;
    const schedule = parseScheduleExpression(input.schedule);
    if (schedule.kind === "invalid") {
      fail(ctx, "schedule", schedule.problem, ["schedule"]);
      return z.NEVER;
    }
    if (input.audience === undefined) {
      fail(ctx, "required", "required: audience (the segment a schedule sends to)", ["audience"]);
      return z.NEVER;
    }
    return { kind: "schedule", schedule, audience: input.audience };
  });

const variantSchema = z
  .strictObject({
    id: variantId,
    weight: z.number().positive().max(1_000_000).default(1),
    template: templateName.optional(),
    subject: z.string().min(1).max(300).optional(),
    recommendations: z.enum(["model", "best-sellers"]).optional(),
    sendTime: z.enum(["best", "due"]).optional(),
  })
  .transform(
    (input): Variant => ({
      id: input.id,
      weight: input.weight,
      ...(input.template === undefined ? {} : { template: input.template }),
      ...(input.subject === undefined ? {} : { subject: input.subject }),
      ...(input.recommendations === undefined ? {} : { recommendations: input.recommendations }),
      ...(input.sendTime === undefined ? {} : { sendTime: input.sendTime }),
    }),
  );

const variantsSchema = z
  .array(variantSchema)
  .min(1)
  .max(MAX_VARIANTS)
  .superRefine((variants, ctx) => {
    const seen = new Set<string>();
    variants.forEach((variant, i) => {
      if (seen.has(variant.id))
        fail(ctx, "duplicate_variant", `variant ${variant.id} is listed twice`, [i, "id"]);
      seen.add(variant.id);
    });
  });

const stepSchema = z
  .strictObject({
    delay: z.string().default("0m"),
    template: templateName.optional(),
    variants: variantsSchema.optional(),
    channel: z.enum(STEP_CHANNELS, { error: `expected one of ${STEP_CHANNELS.join(", ")}` }).default("email"),
    sms: templateName.optional(),
    sendTime: z.enum(["best", "due"]).optional(),
    within: z.string().optional(),
  })
  .transform((input, ctx): Step | typeof z.NEVER => {
    const delayMs = duration.safeParse(input.delay);
    if (!delayMs.success) {
      for (const issue of delayMs.error.issues) fail(ctx, ruleOf(issue), issue.message, ["delay"]);
      return z.NEVER;
    }
    const needsSms = input.channel !== "email";
    if (needsSms && input.sms === undefined) {
      fail(ctx, "sms_template", `channel ${input.channel} needs an SMS template (sms: <name>)`, ["sms"]);
      return z.NEVER;
    }
    const template = input.channel === "sms" ? (input.template ?? input.sms) : input.template;
    if (template === undefined) {
      fail(ctx, "template", `channel ${input.channel} needs an email template (template: <name>)`, [
        "template",
      ]);
      return z.NEVER;
    }
    const sendTime = stepSendTime(input, ctx);
    if (sendTime === false) return z.NEVER;
    return {
      delayMs: delayMs.data,
      delay: input.delay.trim(),
      template,
      ...(input.variants === undefined ? {} : { variants: input.variants }),
      ...(input.channel === "email" ? {} : { channel: input.channel }),
      ...(needsSms && input.sms !== undefined ? { sms: input.sms } : {}),
      ...(sendTime === undefined ? {} : { sendTime }),
    };
  });

/** Longest `within` of a best-time send: a week. */
export const SEND_TIME_WITHIN_MAX_DAYS = 7;

/**
 * A step's send time from `sendTime` and `within` (default 24h, at most {@link SEND_TIME_WITHIN_MAX_DAYS} days):
 * undefined when neither the step nor a variant sends at the best time, false after reporting a problem.
 */
function stepSendTime(
  input: {
    readonly sendTime?: "best" | "due" | undefined;
    readonly within?: string | undefined;
    readonly variants?: readonly Variant[] | undefined;
  },
  ctx: Ctx,
): StepSendTime | undefined | false {
  const best = input.sendTime === "best" || (input.variants ?? []).some((v) => v.sendTime === "best");
  if (!best) {
    if (input.within === undefined) return undefined;
    fail(ctx, "send_time", "within is the window of sendTime: best (e.g. sendTime: best, within: 24h)", [
      "within",
    ]);
    return false;
  }
  const within = input.within?.trim() ?? "24h";
  const withinMs = parseDuration(within);
  if (withinMs === undefined || withinMs <= 0 || withinMs > SEND_TIME_WITHIN_MAX_DAYS * DAY_MS) {
    fail(
      ctx,
      "duration",
      `within is a window from 1m to ${SEND_TIME_WITHIN_MAX_DAYS}d, like 24h (got ${within})`,
      ["within"],
    );
    return false;
  }
  return { kind: input.sendTime ?? "due", withinMs, within };
}

function ruleOf(issue: z.core.$ZodIssue): string {
  const rule = issue.code === "custom" ? issue.params?.rule : undefined;
  return typeof rule === "string" ? rule : issue.code;
}

const exitEvent = eventName.transform((name, ctx) => {
  const ref = eventRefOf(name);
  if (ref.kind === "custom") {
    fail(
      ctx,
      "known_event",
      `only known events keep a last time, so only they can end a journey (got ${name})`,
    );
    return z.NEVER;
  }
  return ref;
});

const frequencyCapSchema = z
  .strictObject({ max: z.int().min(1).max(1000), per: z.string() })
  .transform((input, ctx) => {
    const perMs = duration.safeParse(input.per);
    if (!perMs.success || perMs.data <= 0) {
      fail(ctx, "duration", "per is a window like 24h or 7d", ["per"]);
      return z.NEVER;
    }
    return { max: input.max, perMs: perMs.data, per: input.per.trim() };
  });

const policySchema = z.strictObject({
  frequencyCap: frequencyCapSchema.optional(),
  channelCaps: z
    .strictObject({ email: frequencyCapSchema.optional(), sms: frequencyCapSchema.optional() })
    .optional(),
  quietHours: z
    .strictObject({ start: clock, end: clock, defaultTimeZone: timeZone.default("UTC") })
    .transform((input, ctx) => {
      if (input.start === input.end) {
        fail(ctx, "quiet_hours", "start and end must differ");
        return z.NEVER;
      }
      return {
        startMinute: input.start,
        endMinute: input.end,
        start: formatMinuteOfDay(input.start),
        end: formatMinuteOfDay(input.end),
        defaultTimeZone: input.defaultTimeZone,
      };
    })
    .optional(),
  fatigue: z
    .strictObject({
      skipBelowPriority: z.int().min(0).max(1001).default(FATIGUE_SKIP_BELOW_PRIORITY_DEFAULT),
      lowerCap: z.boolean().default(true),
    })
    .optional(),
});

const waitForSchema = z
  .strictObject({
    needs: z
      .array(z.enum(["email", "consent"]))
      .min(1)
      .max(2)
      .default(["email", "consent"]),
    within: z.string().optional(),
  })
  .transform((input, ctx): WaitFor | typeof z.NEVER => {
    let ok = true;
    input.needs.forEach((need, i) => {
      if (input.needs.indexOf(need) !== i) {
        fail(ctx, "duplicate_need", `${need} is listed twice`, ["needs", i]);
        ok = false;
      }
    });
    if (input.within === undefined) {
      return ok ? { needs: input.needs, withinMs: WAIT_DEFAULT_MS, within: "24h" } : z.NEVER;
    }
    const ms = parseDuration(input.within);
    if (ms === undefined || ms <= 0 || ms > WAIT_MAX_DAYS * DAY_MS) {
      fail(ctx, "wait_within", `within is a window from 1m up to ${WAIT_MAX_DAYS}d like 24h`, ["within"]);
      return z.NEVER;
    }
    return ok ? { needs: input.needs, withinMs: ms, within: input.within.trim() } : z.NEVER;
  });

/**
 * `exitWhenTrigger` names what the trigger event carries: `product-*` a viewed product (`Product Viewed`),
 * `order-*` an order (`Order Completed`); each at most once. Returns whether all hold.
 */
function checkTriggerExits(trigger: Trigger, exits: readonly string[], ctx: Ctx): boolean {
  let ok = true;
  const kind = trigger.kind === "event" ? trigger.event.kind : undefined;
  exits.forEach((exit, i) => {
    if (exits.indexOf(exit) !== i) {
      fail(ctx, "duplicate_exit", `${exit} is listed twice`, ["exitWhenTrigger", i]);
      ok = false;
    }
    const needs = exit.startsWith("product-")
      ? { kind: "product_viewed", event: "Product Viewed" }
      : { kind: "order_completed", event: "Order Completed" };
    if (kind !== needs.kind) {
      fail(
        ctx,
        "trigger_exit",
        `${exit} needs a trigger event: ${needs.event} (the journey must start from the ${exit.split("-")[0]} it is about)`,
        ["exitWhenTrigger", i],
      );
      ok = false;
    }
  });
  return ok;
}

/** A campaign definition file's content. */
export const campaignDefinitionSchema: z.ZodType<CampaignDefinition> = z
  .strictObject({
    id: campaignId,
    name: z.string().trim().min(1).max(200),
    description: z.string().max(2000).optional(),
    version: z.int().min(1).max(1_000_000),
    purpose: z.enum(["marketing", "transactional"]),
    priority: z.int().min(0).max(1000).default(0),
    trigger: triggerSchema,
    steps: z.array(stepSchema).min(1).max(MAX_STEPS),
    exitWhen: z.array(exitEvent).max(20).default([]),
    exitWhenCartEmpty: z.boolean().default(false),
    exitWhenTrigger: z.array(z.enum(TRIGGER_EXITS)).max(TRIGGER_EXITS.length).optional(),
    variants: variantsSchema.optional(),
    holdout: z
      .number()
      .min(0, "holdout is a fraction from 0 to 1")
      .max(0.5, "holdout is at most 0.5")
      .default(0),
    experiment: kebab("an experiment id", "welcome-subject-test").optional(),
    reentry: z.string().optional(),
    policy: policySchema.default({}),
    waitFor: waitForSchema.optional(),
  })
  .transform((input, ctx): CampaignDefinition | typeof z.NEVER => {
    let ok = true;
    input.steps.forEach((step, i) => {
      const previous = input.steps[i - 1];
      if (previous !== undefined && step.delayMs <= previous.delayMs) {
        fail(ctx, "step_order", `step delays increase: ${step.delay} is not after ${previous.delay}`, [
          "steps",
          i,
          "delay",
        ]);
        ok = false;
      }
    });
    const span = input.steps[input.steps.length - 1]?.delayMs ?? 0;
    let reentry: Reentry = {
      kind: "after",
      ms: span,
      text: input.steps[input.steps.length - 1]?.delay ?? "0m",
    };
    if (input.reentry === "once") reentry = { kind: "once" };
    else if (input.reentry !== undefined) {
      const ms = parseDuration(input.reentry);
      if (ms === undefined || ms > CAMPAIGN_DURATION_MAX_DAYS * DAY_MS) {
        fail(ctx, "reentry", `reentry is once or a duration up to ${CAMPAIGN_DURATION_MAX_DAYS}d like 7d`, [
          "reentry",
        ]);
        ok = false;
      } else reentry = { kind: "after", ms, text: input.reentry.trim() };
    }
    if (input.trigger.kind !== "event" && input.reentry !== undefined) {
      fail(ctx, "reentry", "reentry applies to event triggers only", ["reentry"]);
      ok = false;
    }
    if (input.purpose === "transactional" && input.waitFor?.needs.includes("consent") === true) {
      fail(ctx, "wait_consent", "a transactional campaign needs no consent to wait for: use needs: [email]", [
        "waitFor",
        "needs",
      ]);
      ok = false;
    }
    if (!checkTriggerExits(input.trigger, input.exitWhenTrigger ?? [], ctx)) ok = false;
    if (!ok) return z.NEVER;
    return {
      id: input.id,
      name: input.name,
      ...(input.description === undefined ? {} : { description: input.description }),
      version: input.version,
      purpose: input.purpose,
      priority: input.priority,
      trigger: input.trigger,
      steps: input.steps,
      exitWhen: input.exitWhen,
      ...(input.exitWhenCartEmpty ? { exitWhenCartEmpty: true } : {}),
      ...(input.exitWhenTrigger === undefined || input.exitWhenTrigger.length === 0
        ? {}
        : { exitWhenTrigger: input.exitWhenTrigger }),
      variants: input.variants ?? [{ id: "a", weight: 1 }],
      holdout: input.holdout,
      experiment: input.experiment ?? input.id,
      reentry,
      policy: {
        ...(input.policy.frequencyCap === undefined ? {} : { frequencyCap: input.policy.frequencyCap }),
        ...(input.policy.quietHours === undefined ? {} : { quietHours: input.policy.quietHours }),
        ...(input.policy.channelCaps === undefined ? {} : { channelCaps: input.policy.channelCaps }),

        ...(input.policy.fatigue === undefined ? {} : { fatigue: input.policy.fatigue }),
      },
      ...(input.waitFor === undefined ? {} : { waitFor: input.waitFor }),
    };
  });

/** One broken rule in a campaign definition, with its path as keys to find it in a source document. */
export interface CampaignIssue {
  readonly keys: readonly PropertyKey[];
  /** `steps[1].delay`; empty for the whole definition. */
  readonly path: string;
  readonly rule: string;
  readonly message: string;
}

/** Checks and normalises one campaign definition (parsed YAML or JSON). */
export function checkCampaignDefinition(
  input: unknown,
): { ok: true; definition: CampaignDefinition } | { ok: false; issues: CampaignIssue[] } {
  const result = campaignDefinitionSchema.safeParse(input, { reportInput: true });
  if (result.success) return { ok: true, definition: result.data };
  return { ok: false, issues: result.error.issues.map(toIssue) };
}

function toIssue(issue: z.core.$ZodIssue): CampaignIssue {
  const keys = issue.path;
  const path = formatPath(keys);
  const input: unknown = issue.input;
  switch (issue.code) {
    case "custom":
      return { keys, path, rule: ruleOf(issue), message: issue.message };
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
