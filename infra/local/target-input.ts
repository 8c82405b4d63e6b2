import { type ResolveContext, resolveString } from "./cfn-intrinsics.js";
import { TemplateError } from "./local-errors.js";

/** What an EventBridge rule target is invoked with, from its `Input` or `InputTransformer`. */
export type TargetInput =
  /** The matched event itself (no input setting). */
  | { readonly kind: "event" }
  /** `Input`: this JSON value, instead of the event. */
  | { readonly kind: "constant"; readonly value: unknown }
  /** `InputTransformer`: the template with each `<name>` replaced by the event's value at its path. */
  | {
      readonly kind: "transformer";
      readonly paths: Readonly<Record<string, string>>;
      readonly template: string;
    };

/** A rule target's input settings as they stand in the template (intrinsics unresolved). */
export interface TargetInputProperties {
  readonly Input?: unknown;
  readonly InputTransformer?: unknown;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Reads a target's input settings, resolving intrinsics; a malformed one is a {@link TemplateError}. */
export function planTargetInput(
  target: TargetInputProperties,
  ctx: ResolveContext,
  where: string,
): TargetInput {
  if (target.Input !== undefined) {
    const text = resolveString(target.Input, ctx, `${where}.Input`);
    try {
      return { kind: "constant", value: JSON.parse(text) };
    } catch (error) {
      throw new TemplateError(`${where}.Input is not JSON: ${text}`, error);
    }
  }
  if (target.InputTransformer !== undefined) {
    const transformer = target.InputTransformer;
    if (!isRecord(transformer)) throw new TemplateError(`${where}.InputTransformer must be an object`);
    const map = transformer.InputPathsMap ?? {};
    if (!isRecord(map)) throw new TemplateError(`${where}.InputTransformer.InputPathsMap must be an object`);
    const paths: Record<string, string> = {};
    for (const [name, path] of Object.entries(map)) {
      paths[name] = resolveString(path, ctx, `${where}.InputTransformer.InputPathsMap.${name}`);
    }
    const template = resolveString(transformer.InputTemplate, ctx, `${where}.InputTransformer.InputTemplate`);
    return { kind: "transformer", paths, template };
  }
  return { kind: "event" };
}

/** The value at a simple JSONPath (`$`, `$.a.b`, `$.a[0]`, `$['a-b']`), or `undefined`. */
export function valueAtPath(document: unknown, path: string): unknown {
  if (!path.startsWith("$")) return undefined;
  const steps = [...path.slice(1).matchAll(/\.([^.[\]]+)|\[(\d+)\]|\['([^']*)'\]/g)];
  let current: unknown = document;
  for (const [, name, index, quoted] of steps) {
    const key = name ?? quoted;
    if (key !== undefined) current = isRecord(current) ? current[key] : undefined;
    else if (index !== undefined) current = Array.isArray(current) ? current[Number(index)] : undefined;
  }
  return current;
}

function transform(paths: Readonly<Record<string, string>>, template: string, event: unknown, rule: RuleRef) {
  const reserved: Record<string, unknown> = {
    "aws.events.rule-arn": rule.arn,
    "aws.events.rule-name": rule.name,
    "aws.events.event": event,
    "aws.events.event.json": event,
    "aws.events.event.ingestion-time": isRecord(event) ? event.time : undefined,
  };
  const lookup = (name: string): { found: boolean; value: unknown } => {
    const path = paths[name];
    if (path !== undefined) return { found: true, value: valueAtPath(event, path) };
    return name in reserved ? { found: true, value: reserved[name] } : { found: false, value: undefined };
  };
  // Inside a JSON string a value goes in as its text; elsewhere as JSON (a string with its quotes).
  let text = "";
  let inString = false;
  for (let i = 0; i < template.length; i++) {
    const char = template[i] ?? "";
    if (char === "\\" && inString) {
      text += template.slice(i, i + 2);
      i++;
      continue;
    }
    if (char === '"') inString = !inString;
    const placeholder = char === "<" ? /^<([^<>\s]+)>/.exec(template.slice(i)) : null;
    const name = placeholder?.[1];
    const { found, value } = name === undefined ? { found: false, value: undefined } : lookup(name);
    if (placeholder === null || !found) {
      text += char;
      continue;
    }
    const json = JSON.stringify(value ?? null);
    text += inString
      ? typeof value === "string"
        ? json.slice(1, -1)
        : JSON.stringify(json).slice(1, -1)
      : json;
    i += placeholder[0].length - 1;
  }
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The rule whose target is invoked, for the reserved `<aws.events.rule-*>` placeholders. */
export interface RuleRef {
  readonly name: string;
  readonly arn: string;
}

/** What EventBridge invokes a target with, for the `event` the rule matched (or its scheduled event). */
export function targetPayload(input: TargetInput, event: unknown, rule: RuleRef): unknown {
  switch (input.kind) {
    case "event":
      return structuredClone(event);
    case "constant":
      return structuredClone(input.value);
    case "transformer":
      return transform(input.paths, input.template, event, rule);
  }
}
