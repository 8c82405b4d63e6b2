import { DAY_MS, HOUR_MS } from "../profile/index.js";
import type { Schedule } from "./definition.js";

const MINUTE_MS = 60_000;
const RATE = /^rate\((\d{1,5}) (minute|minutes|hour|hours|day|days)\)$/;
const CRON = /^cron\(([^()]+)\)$/;
const UNIT_MS = { minute: MINUTE_MS, hour: HOUR_MS, day: DAY_MS } as const;

/**
 * An EventBridge schedule expression: `rate(7 days)` (singular unit for 1: `rate(1 day)`) or
 * `cron(minutes hours day-of-month month day-of-week year)` with exactly one of day-of-month and day-of-week
 * being `?`. Returns the schedule, or why it is not one.
 */
export function parseSchedule(text: string): Schedule | { problem: string } {
  const expression = text.trim();
  const rate = RATE.exec(expression);
  if (rate !== null) {
    const [, amountText, unitText] = rate;
    const amount = Number(amountText);
    if (unitText === undefined || amount < 1) return { problem: "a rate is at least 1" };
    const singular = unitText.endsWith("s") ? unitText.slice(0, -1) : unitText;
    if ((amount === 1) !== (singular === unitText)) {
      return { problem: `write rate(1 ${singular}) for one unit and rate(N ${singular}s) for more` };
    }
    if (singular !== "minute" && singular !== "hour" && singular !== "day")
      return { problem: "unknown unit" };
    return { kind: "rate", everyMs: amount * UNIT_MS[singular], expression };
  }
  const cron = CRON.exec(expression);
  if (cron !== null) {
    const fields = (cron[1] ?? "").trim().split(/\s+/);
    if (fields.length !== 6) {
      return { problem: `a cron expression has 6 fields: minutes hours day-of-month month day-of-week year` };
    }
    if ((fields[2] === "?") === (fields[4] === "?")) {
      return { problem: "exactly one of day-of-month and day-of-week is ?" };
    }
    return { kind: "cron", expression };
  }
  return { problem: `expected rate(7 days) or cron(0 9 ? * MON *) (got ${JSON.stringify(text)})` };
}
