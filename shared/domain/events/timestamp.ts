import type { ValidationIssue } from "./event-validation-error.js";
import { describeValue } from "./event-validation-error.js";
import { FUTURE_TOLERANCE_MS, TIMESTAMP_MAX_MS, TIMESTAMP_MIN_MS } from "./limits.js";

/** An ISO 8601 date-time with an explicit offset (`Z` or `±hh:mm`); a bare local time would be ambiguous. */
const ISO_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?([Zz]|[+-]\d{2}(?::?\d{2})?)$/;

/**
 * Result of reading an event time: the time to fold (epoch ms) and, when the sender's time was more than
 * {@link FUTURE_TOLERANCE_MS} ahead of `now` and was clamped to `now`, how far ahead it was (`skewMs`).
 */
export type TimestampResult =
  | { ok: true; ms: number; skewMs?: number }
  | { ok: false; issue: ValidationIssue };

/**
 * Reads `timestamp` (ISO 8601 text with an offset, or epoch milliseconds) into epoch ms. A time before
 * 2000-01-01 or past the end of `Date` is refused; a time more than {@link FUTURE_TOLERANCE_MS} (5 minutes)
 * ahead of `now` (the time received) is clamped to `now`, and `skewMs` says by how much.
 */
export function readTimestamp(value: string | number, now: number, path = "timestamp"): TimestampResult {
  const ms = typeof value === "number" ? Math.trunc(value) : parseIsoDateTime(value);
  if (ms === undefined) {
    return fail(
      path,
      "format",
      `expected an ISO-8601 date-time with an offset (got ${describeValue(value)})`,
    );
  }
  if (ms < TIMESTAMP_MIN_MS) {
    const hint =
      typeof value === "number" && value > 0 && value < 1e11 ? "; epoch seconds? send milliseconds" : "";
    return fail(path, "range", `expected a time on or after 2000-01-01 (got ${describeValue(value)}${hint})`);
  }
  if (!(ms <= TIMESTAMP_MAX_MS)) {
    return fail(path, "range", `expected a time before +275760-09-13 (got ${describeValue(value)})`);
  }
  if (ms > now + FUTURE_TOLERANCE_MS) return { ok: true, ms: now, skewMs: ms - now };
  return { ok: true, ms };
}

/** Epoch ms of an ISO 8601 date-time with offset, or undefined when malformed or not a real calendar time. */
export function parseIsoDateTime(text: string): number | undefined {
  const m = ISO_DATE_TIME.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, fraction, offset] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (Number(h) > 23 || Number(mi) > 59 || Number(s ?? 0) > 59 || offset === undefined) return undefined;
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (probe.getUTCFullYear() !== year || probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) {
    return undefined;
  }
  const zone = offset.toUpperCase() === "Z" ? "Z" : zoneOffset(offset);
  const ms = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s ?? "00"}${fraction ?? ""}${zone}`);
  return Number.isFinite(ms) ? ms : undefined;
}

/** `+01` → `+01:00`, `+0130` → `+01:30`, `+01:30` unchanged. */
function zoneOffset(offset: string): string {
  return offset.length === 3 ? `${offset}:00` : `${offset.slice(0, 3)}:${offset.slice(-2)}`;
}

function fail(path: string, rule: string, message: string): TimestampResult {
  return { ok: false, issue: { path, rule, message } };
}
