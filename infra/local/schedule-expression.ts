/** What an EventBridge `ScheduleExpression` means to the local scheduler. */
export type ParsedSchedule =
  | { readonly kind: "rate"; readonly periodMs: number }
  | { readonly kind: "unsupported"; readonly reason: string };

const UNIT_MS: Readonly<Record<string, number>> = {
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
};

/**
 * Reads `rate(N minute[s] | hour[s] | day[s])` into a period. `cron(...)` and anything else are reported as
 * unsupported, with the reason, rather than run at a guessed time.
 */
export function parseScheduleExpression(expression: string): ParsedSchedule {
  const rate = /^rate\(\s*(\d+)\s+(minute|hour|day)s?\s*\)$/.exec(expression.trim());
  if (rate !== null) {
    const count = Number(rate[1]);
    const unit = UNIT_MS[rate[2] ?? ""];
    if (unit === undefined || !Number.isSafeInteger(count) || count < 1) {
      return { kind: "unsupported", reason: `${expression}: the rate must be a positive whole number` };
    }
    return { kind: "rate", periodMs: count * unit };
  }
  if (expression.trim().startsWith("cron(")) {
    return {
      kind: "unsupported",
      reason: `${expression}: cron schedules are not supported by the local stack`,
    };
  }
  return { kind: "unsupported", reason: `${expression}: not a schedule expression the local stack knows` };
}
