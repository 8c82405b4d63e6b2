/** One allowed value in a pattern's list: a literal, or one of the content filters the local stack knows. */
export type PatternValue =
  | { readonly kind: "equals"; readonly value: string | number | boolean | null }
  | { readonly kind: "prefix"; readonly prefix: string }
  | { readonly kind: "exists"; readonly exists: boolean }
  | { readonly kind: "anythingBut"; readonly values: readonly (string | number | boolean | null)[] };

/** An EventBridge event pattern: per field, the values allowed, or a nested pattern for an object field. */
export interface EventPattern {
  readonly [field: string]: readonly PatternValue[] | EventPattern;
}

/** What reading a pattern gives: the pattern, or why the local stack cannot match it. */
export type ParsedPattern =
  | { readonly ok: true; readonly pattern: EventPattern }
  | { readonly ok: false; readonly reason: string };

type Literal = string | number | boolean | null;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const isLiteral = (value: unknown): value is Literal =>
  value === null || ["string", "number", "boolean"].includes(typeof value);

class PatternError extends Error {}

function parseValue(item: unknown, path: string): PatternValue {
  if (isLiteral(item)) return { kind: "equals", value: item };
  if (isRecord(item)) {
    const [filter, ...others] = Object.keys(item);
    const argument = filter === undefined ? undefined : item[filter];
    if (others.length === 0) {
      if (filter === "prefix" && typeof argument === "string") return { kind: "prefix", prefix: argument };
      if (filter === "exists" && typeof argument === "boolean") return { kind: "exists", exists: argument };
      if (filter === "anything-but") {
        const values = Array.isArray(argument) ? argument : [argument];
        if (values.every(isLiteral)) return { kind: "anythingBut", values };
      }
    }
  }
  throw new PatternError(`${path}: the filter ${JSON.stringify(item)} is not supported by the local stack`);
}

function parseObject(input: Record<string, unknown>, path: string): EventPattern {
  const pattern: Record<string, readonly PatternValue[] | EventPattern> = {};
  for (const [field, spec] of Object.entries(input)) {
    const where = path === "" ? field : `${path}.${field}`;
    if (Array.isArray(spec)) pattern[field] = spec.map((item) => parseValue(item, where));
    else if (isRecord(spec)) pattern[field] = parseObject(spec, where);
    else throw new PatternError(`${where}: expected a list of values or an object`);
  }
  return pattern;
}

/**
 * Reads a rule's `EventPattern` (an object, or the same as JSON text): lists of exact values at any depth
 * (`source`, `detail-type`, `detail.…`), and the `prefix`, `exists` and `anything-but` filters. Other filters
 * are refused with the reason rather than matched wrongly.
 */
export function parseEventPattern(input: unknown): ParsedPattern {
  let value = input;
  if (typeof input === "string") {
    try {
      value = JSON.parse(input);
    } catch {
      return { ok: false, reason: "the event pattern is not JSON" };
    }
  }
  if (!isRecord(value)) return { ok: false, reason: "no event pattern" };
  try {
    return { ok: true, pattern: parseObject(value, "") };
  } catch (error) {
    if (error instanceof PatternError) return { ok: false, reason: error.message };
    throw error;
  }
}

const isValueList = (spec: readonly PatternValue[] | EventPattern): spec is readonly PatternValue[] =>
  Array.isArray(spec);

function matchesOne(value: unknown, allowed: PatternValue): boolean {
  switch (allowed.kind) {
    case "equals":
      return value === allowed.value;
    case "prefix":
      return typeof value === "string" && value.startsWith(allowed.prefix);
    case "exists":
      return allowed.exists;
    case "anythingBut":
      return value !== undefined && !allowed.values.includes(isLiteral(value) ? value : Number.NaN);
  }
}

function matchesField(value: unknown, allowed: readonly PatternValue[]): boolean {
  if (value === undefined) return allowed.some((a) => a.kind === "exists" && !a.exists);
  const values = Array.isArray(value) ? value : [value];
  return allowed.some((a) => values.some((v) => matchesOne(v, a)));
}

/**
 * Whether `event` matches `pattern` as EventBridge decides: every field of the pattern matches (a list: the
 * event's value, or one of its values when it is a list, is one of the allowed ones; an object: the nested
 * fields match).
 */
export function matchesPattern(pattern: EventPattern, event: unknown): boolean {
  if (!isRecord(event)) return false;
  return Object.entries(pattern).every(([field, spec]) => {
    const value = event[field];
    return isValueList(spec) ? matchesField(value, spec) : matchesPattern(spec, value);
  });
}
