import type { AttributeValue } from "@aws-sdk/client-dynamodb";

/** The attribute DynamoDB's Time to Live reads on every table that expires items: epoch seconds. */
export const TTL_ATTRIBUTE = "ttl";

/** Days a send-ledger item (claim, outcome, acceptance) is kept after it was written. */
export const DEFAULT_LEDGER_RETENTION_DAYS = 400;
/** Days an audit entry is kept after its time: longer than the ledger, three years. */
export const DEFAULT_AUDIT_RETENTION_DAYS = 1095;
/**
 * Days a timer (and its minute's index entry) is kept past its due time: a timer fired normally is deleted at
 * once, so this only reaches timers whose processing kept failing, and minutes nobody polled.
 */
export const DEFAULT_TIMER_GRACE_DAYS = 30;

const DAY_MS = 86_400_000;

/**
 * The `ttl` attribute of an item that expires `days` after `atMs` (epoch ms), in epoch seconds as DynamoDB's TTL
 * reads it; throws a `RangeError` on a negative or fractional number of days or a time that is not finite.
 */
export function ttlAttribute(atMs: number, days: number): Record<typeof TTL_ATTRIBUTE, AttributeValue> {
  if (!Number.isSafeInteger(days) || days < 1) {
    throw new RangeError(`a retention is a whole number of days, at least 1, got ${days}`);
  }
  if (!Number.isFinite(atMs)) throw new RangeError(`an item's time is epoch ms, got ${atMs}`);
  return { [TTL_ATTRIBUTE]: { N: String(Math.floor((atMs + days * DAY_MS) / 1000)) } };
}
