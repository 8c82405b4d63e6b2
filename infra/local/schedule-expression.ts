import { type CronSchedule, parseCron } from "./cron-expression.js";

/** What an EventBridge `ScheduleExpression` means to the local scheduler. */
export type ParsedSchedule =
  | { readonly kind: "rate"; readonly periodMs: number }
  | { readonly kind: "cron"; readonly cron: CronSchedule }
  | { readonly kind: "unsupported"; readonly reason: string };

const UNIT_MS: Readonly<Record<string, number>> = {
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
};

/**
 * Reads `rate(N minute[s] | hour[s] | day[s])` into a period and `cron(...)` (six fields, UTC) into a
 * calendar. What it cannot run (`L`, `W`, `#`, anything else) is reported as unsupported, with the reason,
 * rather than run at a guessed time.
 */
export function parseScheduleExpression(expression: string): ParsedSchedule {
  const trimmed = expression.trim();
  const rate = /^rate\(\s*(\d+)\s+(minute|hour|day)s?\s*\)$/.exec(trimmed);
  if (rate !== null) {
    const count = Number(rate[1]);
    const unit = UNIT_MS[rate[2] ?? ""];
    if (unit === undefined || !Number.isSafeInteger(count) || count < 1) {
      return { kind: "unsupported", reason: `${expression}: the rate must be a positive whole number` };
    }
    return { kind: "rate", periodMs: count * unit };
  }
  const cron = /^cron\((.*)\)$/s.exec(trimmed);
  if (cron !== null) {
    const parsed = parseCron(cron[1] ?? "");
    return parsed.ok
      ? { kind: "cron", cron: parsed.cron }
      : { kind: "unsupported", reason: `${expression}: ${parsed.reason}` };
  }
  return { kind: "unsupported", reason: `${expression}: not a schedule expression the local stack knows` };
}
