import { describeValue, type ValidationIssue } from "./event-validation-error.js";
import { parseIsoDateTime, readTimestamp } from "./timestamp.js";

/** The time an event folds at (epoch ms) and, when it was clamped to `now`, how far ahead it was. */
export interface EventTime {
  readonly ms: number;
  readonly skewMs?: number;
}

/**
 * The event's time, as Segment's servers set `timestamp` when a library leaves it out:
 *
 * 1. `timestamp`, when given;
 * 2. else, with both `originalTimestamp` and `sentAt`, the device time corrected for the device clock's skew:
 *    `receivedAt − (sentAt − originalTimestamp)`;
 * 3. else `originalTimestamp`;
 * 4. else `receivedAt`.
 *
 * `receivedAt` is the event's own `receivedAt` field when present (the HTTP API stamps it; Segment's and
 * RudderStack's servers do too), else `arrivedAt`, the stream's arrival time of the record: both stay the same
 * when a record is redelivered, so a redelivery folds at the same time. The ingest clock is never used. The
 * result then follows {@link readTimestamp}'s rules (before 2000 refused, more than 5 minutes ahead of `now`
 * clamped to `now`). Problems are pushed onto `issues` with the path of the field at fault.
 */
export function readEventTime(
  raw: Record<string, unknown>,
  now: number,
  arrivedAt: number | undefined,
  issues: ValidationIssue[],
): EventTime | undefined {
  const problems: ValidationIssue[] = [];
  const field = (name: string): number | undefined => readInstant(raw[name], name, problems);
  const given = field("timestamp");
  const original = field("originalTimestamp");
  const sentAt = field("sentAt");
  const receivedField = field("receivedAt");
  if (problems.length > 0) {
    issues.push(...problems);
    return undefined;
  }
  const receivedAt = receivedField ?? arrivedAt;
  const [ms, path] = pick(given, original, sentAt, receivedAt);
  if (ms === undefined) {
    issues.push({
      path: "timestamp",
      rule: "required",
      message: "required: expected an ISO-8601 date-time or epoch milliseconds",
    });
    return undefined;
  }
  const result = readTimestamp(ms, now, path);
  if (result.ok) return result;
  issues.push(result.issue);
  return undefined;
}

/** Which rule gives the time, and the field path a range error is reported under. */
function pick(
  given: number | undefined,
  original: number | undefined,
  sentAt: number | undefined,
  receivedAt: number | undefined,
): [number | undefined, string] {
  if (given !== undefined) return [given, "timestamp"];
  if (original !== undefined && sentAt !== undefined && receivedAt !== undefined) {
    return [receivedAt - (sentAt - original), "originalTimestamp"];
  }
  if (original !== undefined) return [original, "originalTimestamp"];
  return [receivedAt, "receivedAt"];
}

/** An ISO-8601 date-time with an offset, or epoch milliseconds; absent (undefined or null) is undefined. */
function readInstant(value: unknown, path: string, issues: ValidationIssue[]): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "number") return Math.trunc(value);
  if (typeof value !== "string") {
    issues.push({
      path,
      rule: "type",
      message: `expected an ISO-8601 date-time or epoch milliseconds (got ${describeValue(value)})`,
    });
    return undefined;
  }
  const ms = parseIsoDateTime(value);
  if (ms === undefined) {
    issues.push({
      path,
      rule: "format",
      message: `expected an ISO-8601 date-time with an offset (got ${describeValue(value)})`,
    });
  }
  return ms;
}
