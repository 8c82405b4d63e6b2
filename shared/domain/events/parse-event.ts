import { z } from "zod";
import { trackKindOf } from "./event-kinds.js";
import { readEventTime } from "./event-time.js";
import type { TailorEvent, Traits } from "./event-types.js";
import { describeValue, EventValidationError, type ValidationIssue } from "./event-validation-error.js";
import { idField, nameField, objectField } from "./field-schemas.js";
import { guardJson } from "./json-guard.js";
import { type EventBody, readPageBody, readTrackBody } from "./read-body.js";
import { readAliasBody, readGroupBody, readScreenBody } from "./read-call-body.js";
import { canonicalLocale, isTimeZone, mergeTraits, readTraits } from "./read-traits.js";
import { type Checked, check } from "./zod-issues.js";

/** The outcome of validating one event: never throws for bad input. */
export type ParseResult = { ok: true; event: TailorEvent } | { ok: false; error: EventValidationError };

/** What the caller knows about an event beyond its JSON. */
export interface ParseOptions {
  /**
   * The `messageId` to use when the event has none (Segment's servers assign one): for a stream record, an id
   * derived from the record's bytes, so a redelivery of the same bytes is the same event.
   * @default - none: an event without `messageId` is refused (rule `required`)
   */
  readonly fallbackMessageId?: string;
  /**
   * When the event was received (epoch ms), used for its time when it carries no `receivedAt` of its own: the
   * stream record's arrival time, the same on every redelivery (see {@link readEventTime}).
   * @default - none: an event without `timestamp`, `originalTimestamp` or `receivedAt` is refused
   */
  readonly arrivedAt?: number;
}

/** Segment's calls. */
const CALL_TYPES = ["identify", "track", "page", "screen", "group", "alias"] as const;

/** An id, or nothing: RudderStack's SDKs send `""` for a `userId` they do not know. */
const optionalId = z.preprocess((value) => (value === "" ? undefined : value), idField.nullish());

/** The Segment envelope; unknown fields (`integrations`, most of `context`, …) are ignored. */
const envelopeSchema = z.object({
  type: z.enum(CALL_TYPES, { error: `expected one of ${CALL_TYPES.map((t) => `"${t}"`).join(", ")}` }),
  messageId: optionalId,
  userId: optionalId,
  anonymousId: optionalId,
  event: nameField.nullish(),
  name: nameField.nullish(),
  category: nameField.nullish(),
  properties: objectField.nullish(),
  traits: objectField.nullish(),
  context: z
    .object(
      { traits: objectField.nullish(), timezone: z.unknown().optional(), locale: z.unknown().optional() },
      { error: "expected an object" },
    )
    .nullish(),
});

type Envelope = z.output<typeof envelopeSchema>;

/**
 * Validates and normalises one Segment-spec event (already JSON-parsed). `now` (epoch ms) is the time received:
 * an event time before 2000-01-01 is refused, one more than {@link FUTURE_TOLERANCE_MS} ahead of `now` is
 * clamped to `now` and the event carries `clockSkewMs`. Without `messageId` the event takes
 * `options.fallbackMessageId`; without `timestamp` its time is derived as Segment's servers do
 * ({@link readEventTime}). Every broken rule is reported at once.
 */
export function parseEvent(input: unknown, now: number, options: ParseOptions = {}): ParseResult {
  const guarded = guardJson(input);
  if (!guarded.ok) return failed([guarded.issue]);
  const raw = guarded.value;
  if (!isRecord(raw)) {
    return failed([
      { path: "", rule: "type", message: `expected a JSON object (got ${describeValue(raw)})` },
    ]);
  }
  const issues: ValidationIssue[] = [];
  const envelope = collect(check(envelopeSchema, raw, []), issues);
  const time = readEventTime(raw, now, options.arrivedAt, issues);
  if (isAbsent(raw.userId) && isAbsent(raw.anonymousId)) {
    issues.push({ path: "userId", rule: "required", message: "required: expected userId or anonymousId" });
  }
  const messageId = envelope?.messageId ?? options.fallbackMessageId;
  if (isAbsent(raw.messageId) && options.fallbackMessageId === undefined) {
    issues.push({ path: "messageId", rule: "required", message: "required: expected a messageId" });
  }
  const traits = readEventTraits(raw, issues);
  const body = readBody(raw, envelope, issues);
  if (issues.length > 0 || !envelope || time === undefined || body === undefined || messageId === undefined) {
    return failed(issues);
  }

  const userId = envelope.userId ?? undefined;
  const anonymousId = envelope.anonymousId ?? undefined;
  const base = {
    messageId,
    customerId: userId ?? anonymousId ?? "",
    userId,
    anonymousId,
    timestamp: time.ms,
    ...(time.skewMs === undefined ? {} : { clockSkewMs: time.skewMs }),
    context: readContext(envelope),
  };
  if (body === "identify") {
    return { ok: true, event: { ...base, kind: "identify", name: "Identify", traits: traits ?? {} } };
  }
  return { ok: true, event: { ...base, traits, ...body } };
}

/** `context.traits`, with the top-level `traits` over them for identify calls. */
function readEventTraits(raw: Record<string, unknown>, issues: ValidationIssue[]): Traits | undefined {
  const context = raw.context;
  const contextTraits =
    isRecord(context) && isRecord(context.traits)
      ? collect(readTraits(context.traits, ["context", "traits"]), issues)
      : undefined;
  const topTraits =
    raw.type === "identify" && isRecord(raw.traits)
      ? collect(readTraits(raw.traits, ["traits"]), issues)
      : undefined;
  return mergeTraits(contextTraits, topTraits);
}

/**
 * The kind-specific body, `"identify"` for identify calls, or undefined when it cannot be read. Names come from
 * the checked envelope, or from the raw event when the envelope failed, so property problems are still reported.
 */
function readBody(
  raw: Record<string, unknown>,
  envelope: Envelope | undefined,
  issues: ValidationIssue[],
): EventBody | "identify" | undefined {
  const properties = isRecord(raw.properties) ? raw.properties : {};
  const text = (checked: string | null | undefined, value: unknown): string | undefined =>
    checked ?? (typeof value === "string" && value.trim() !== "" ? value.trim() : undefined);
  // The view calls' name and category (page, screen).
  const view = () => ({
    name: text(envelope?.name, raw.name),
    category: text(envelope?.category, raw.category),
  });
  switch (raw.type) {
    case "identify":
      return "identify";
    case "page":
      return collect(readPageBody(properties, view()), issues);
    case "screen":
      return collect(readScreenBody(properties, view()), issues);
    case "group":
      return collect(readGroupBody(raw), issues);
    case "alias":
      return collect(readAliasBody(raw), issues);
    case "track": {
      const name = text(envelope?.event, raw.event);
      if (name === undefined) {
        if (raw.event === undefined || raw.event === null) {
          issues.push({
            path: "event",
            rule: "required",
            message: "required: a track call needs an event name",
          });
        }
        return undefined;
      }
      return collect(readTrackBody(trackKindOf(name), name, properties), issues);
    }
    default:
      return undefined;
  }
}

/** Device time zone and locale, kept only when valid: context is collected automatically, so never an error. */
function readContext(envelope: Envelope): TailorEvent["context"] {
  const { timezone, locale } = envelope.context ?? {};
  const zone = typeof timezone === "string" && isTimeZone(timezone.trim()) ? timezone.trim() : undefined;
  const tag = typeof locale === "string" ? canonicalLocale(locale.trim()) : undefined;
  if (zone === undefined && tag === undefined) return undefined;
  return { timezone: zone, locale: tag };
}

function collect<T>(result: Checked<T>, issues: ValidationIssue[]): T | undefined {
  if (result.ok) return result.value;
  issues.push(...result.issues);
  return undefined;
}

function failed(issues: ValidationIssue[]): ParseResult {
  return { ok: false, error: new EventValidationError(issues) };
}

function isAbsent(value: unknown): boolean {
  return value === undefined || value === null || value === "";
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
