import type { z } from "zod";
import type { ValidationIssue } from "./event-validation-error.js";
import { describeValue, formatPath } from "./event-validation-error.js";

/** A value checked into `T`, or the issues that stopped it. */
export type Checked<T> = { ok: true; value: T } | { ok: false; issues: ValidationIssue[] };

/** Runs a zod schema (with inputs reported) and maps its issues under `prefix` to our issue shape. */
export function check<T>(schema: z.ZodType<T>, input: unknown, prefix: readonly PropertyKey[]): Checked<T> {
  const result = schema.safeParse(input, { reportInput: true });
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, issues: result.error.issues.map((issue) => toIssue(issue, prefix)) };
}

function toIssue(issue: z.core.$ZodIssue, prefix: readonly PropertyKey[]): ValidationIssue {
  const path = formatPath([...prefix, ...issue.path]);
  const input: unknown = issue.input;
  if (issue.code === "custom") {
    const rule = issue.params?.rule;
    return { path, rule: typeof rule === "string" ? rule : "custom", message: issue.message };
  }
  if (issue.code === "invalid_type" && input === undefined) {
    return { path, rule: "required", message: `required: ${issue.message}` };
  }
  const got =
    issue.code === "too_big" && typeof input === "string"
      ? `${input.length} characters`
      : describeValue(input);
  return { path, rule: ruleOf(issue.code), message: `${issue.message} (got ${got})` };
}

function ruleOf(code: z.core.$ZodIssue["code"]): string {
  switch (code) {
    case "invalid_type":
      return "type";
    case "invalid_value":
      return "one_of";
    default:
      return code;
  }
}
