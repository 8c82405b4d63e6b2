import { TailorError } from "#shared/errors.js";

/** One broken rule in an incoming event. */
export interface ValidationIssue {
  /** Field path in the raw event, e.g. `properties.products[0].price`; empty for the record as a whole. */
  readonly path: string;
  /** Short machine-readable rule name, e.g. `required`, `type`, `too_big`, `range`, `utf8`, `json`, `depth`. */
  readonly rule: string;
  /** What was expected and what was received, without the path. */
  readonly message: string;
}

/**
 * A record that can never become a valid event: retrying will not help, so the ingest quarantines it with this
 * message as the reason. The message names every field path and the rule it broke.
 */
export class EventValidationError extends TailorError {
  readonly issues: readonly ValidationIssue[];

  constructor(issues: readonly ValidationIssue[], options?: { cause?: unknown }) {
    // Validation failures are permanent: the same bytes fail the same way.
    super(issues.map(formatIssue).join("; ") || "invalid event", { retryable: false, cause: options?.cause });
    this.issues = issues;
  }
}

function formatIssue(issue: ValidationIssue): string {
  return issue.path === "" ? issue.message : `${issue.path}: ${issue.message}`;
}

/** Renders a path as `a.b[0].c`; numeric segments become indexes. */
export function formatPath(segments: readonly PropertyKey[]): string {
  let out = "";
  for (const segment of segments) {
    if (typeof segment === "number") out += `[${segment}]`;
    else out += out === "" ? String(segment) : `.${String(segment)}`;
  }
  return out;
}

/** A short, safe rendering of a received value for error messages. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  if (typeof value === "string") {
    const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
    return JSON.stringify(shown);
  }
  return String(value);
}
