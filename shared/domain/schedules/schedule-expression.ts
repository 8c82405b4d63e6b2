/**
 * Day-of-month of a cron expression: any (`?`), a set of days, the last day (`L`), or the weekday nearest a
 * day (`15W`).
 */
export type DayOfMonth =
  | { readonly kind: "any" }
  | { readonly kind: "days"; readonly days: readonly number[] }
  | { readonly kind: "last" }
  | { readonly kind: "nearest-weekday"; readonly day: number };

/**
 * Day-of-week of a cron expression, numbered as EventBridge numbers them (1 = Sunday … 7 = Saturday): any
 * (`?`), a set of days (`L` alone is Saturday, the last day of the week), the last such day of the month
 * (`6L`, the last Friday), or the nth such day of the month (`2#1`, the first Monday).
 */
export type DayOfWeek =
  | { readonly kind: "any" }
  | { readonly kind: "days"; readonly days: readonly number[] }
  | { readonly kind: "last-of-month"; readonly day: number }
  | { readonly kind: "nth-of-month"; readonly day: number; readonly nth: number };

/** The six fields of an EventBridge `cron(...)`, read into the values they allow (all in UTC). */
export interface CronFields {
  /** Allowed minutes, ascending. */
  readonly minutes: readonly number[];
  /** Allowed hours, ascending. */
  readonly hours: readonly number[];
  readonly dayOfMonth: DayOfMonth;
  /** Allowed months (1 = January), ascending. */
  readonly months: readonly number[];
  readonly dayOfWeek: DayOfWeek;
  /** Allowed years, ascending. */
  readonly years: readonly number[];
}

/** An EventBridge schedule expression, read: `rate(...)` as a period, `cron(...)` as its fields. */
export type ScheduleExpression =
  | { readonly kind: "rate"; readonly expression: string; readonly periodMs: number }
  | { readonly kind: "cron"; readonly expression: string; readonly fields: CronFields };

/** Why a text is not a schedule expression EventBridge accepts; `field` names the cron field at fault. */
export interface ScheduleProblem {
  readonly kind: "invalid";
  readonly field?: CronFieldName;
  readonly problem: string;
}

/** The names of the six cron fields, as EventBridge's documentation names them. */
export type CronFieldName = "minutes" | "hours" | "day-of-month" | "month" | "day-of-week" | "year";

const UNIT_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;
const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const CRON = /^cron\(([^()]*)\)$/;

interface FieldRule {
  readonly name: CronFieldName;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
}

const MONTH_NAMES = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAY_NAMES = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

const MINUTES: FieldRule = { name: "minutes", min: 0, max: 59 };
const HOURS: FieldRule = { name: "hours", min: 0, max: 23 };
const DAY_OF_MONTH: FieldRule = { name: "day-of-month", min: 1, max: 31 };
const MONTH: FieldRule = { name: "month", min: 1, max: 12, names: MONTH_NAMES };
const DAY_OF_WEEK: FieldRule = { name: "day-of-week", min: 1, max: 7, names: DAY_NAMES };
const YEAR: FieldRule = { name: "year", min: 1970, max: 2199 };

/** Thrown inside the parser only, and turned into a {@link ScheduleProblem}. */
class FieldProblem extends Error {
  override readonly name = "FieldProblem";
  readonly field: CronFieldName | undefined;

  constructor(field: CronFieldName | undefined, message: string) {
    super(message);
    this.field = field;
  }
}

const problemIn = (rule: FieldRule, text: string, why: string) =>
  new FieldProblem(rule.name, `${rule.name}: "${text}" ${why}`);

/** One value of a field: a number in its range, or (month, day-of-week) a three-letter name. */
function fieldValue(text: string, rule: FieldRule, whole: string): number {
  const byName = rule.names?.indexOf(text.toUpperCase()) ?? -1;
  const value = byName >= 0 ? byName + rule.min : /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(value) || value < rule.min || value > rule.max) {
    const names = rule.names === undefined ? "" : ` or ${rule.names[0]}-${rule.names.at(-1)}`;
    throw problemIn(rule, whole, `is not a value from ${rule.min} to ${rule.max}${names}`);
  }
  return value;
}

/** A field of values: `*`, values, `a-b` ranges and `/step`s (`5/15`: from 5 to the end, every 15), comma-separated. */
function valuesOf(text: string, rule: FieldRule): number[] {
  const values = new Set<number>();
  for (const part of text.split(",")) {
    const [range = "", stepText, extra] = part.split("/");
    if (extra !== undefined || range === "") throw problemIn(rule, text, `has a malformed item "${part}"`);
    const step = stepText === undefined ? 1 : /^\d+$/.test(stepText) ? Number(stepText) : 0;
    if (step < 1 || step > rule.max) {
      throw problemIn(rule, text, `has a step "${stepText}" that is not from 1 to ${rule.max}`);
    }
    let from = rule.min;
    let to = rule.max;
    if (range !== "*") {
      const [start = "", end, beyond] = range.split("-");
      if (beyond !== undefined) throw problemIn(rule, text, `has a malformed range "${range}"`);
      from = fieldValue(start, rule, text);
      to = end === undefined ? (stepText === undefined ? from : rule.max) : fieldValue(end, rule, text);
    }
    if (to < from) throw problemIn(rule, text, `has a range "${range}" that runs backwards`);
    for (let value = from; value <= to; value += step) values.add(value);
  }
  return [...values].sort((a, b) => a - b);
}

function dayOfMonthOf(text: string): DayOfMonth {
  if (text === "?") return { kind: "any" };
  if (text.toUpperCase() === "L") return { kind: "last" };
  const weekday = /^(\d+)W$/i.exec(text);
  if (weekday !== null)
    return { kind: "nearest-weekday", day: fieldValue(weekday[1] ?? "", DAY_OF_MONTH, text) };
  if (/[LW#]/i.test(text)) {
    throw problemIn(
      DAY_OF_MONTH,
      text,
      "uses L or W other than as L (the last day) or nW (the weekday nearest day n)",
    );
  }
  return { kind: "days", days: valuesOf(text, DAY_OF_MONTH) };
}

function dayOfWeekOf(text: string): DayOfWeek {
  if (text === "?") return { kind: "any" };
  // `L` alone is the last day of the week: Saturday.
  if (text.toUpperCase() === "L") return { kind: "days", days: [7] };
  const last = /^([A-Z]{3}|\d+)L$/i.exec(text);
  if (last !== null) return { kind: "last-of-month", day: fieldValue(last[1] ?? "", DAY_OF_WEEK, text) };
  const nth = /^([A-Z]{3}|\d+)#(\d+)$/i.exec(text);
  if (nth !== null) {
    const week = Number(nth[2]);
    if (week < 1 || week > 5)
      throw problemIn(DAY_OF_WEEK, text, "has a week after # that is not from 1 to 5");
    return { kind: "nth-of-month", day: fieldValue(nth[1] ?? "", DAY_OF_WEEK, text), nth: week };
  }
  if (/[L#]/.test(text.toUpperCase().replace(/SUN|MON|TUE|WED|THU|FRI|SAT/g, ""))) {
    throw problemIn(
      DAY_OF_WEEK,
      text,
      "uses L or # other than as L, nL (the last day n) or n#k (the kth day n)",
    );
  }
  return { kind: "days", days: valuesOf(text, DAY_OF_WEEK) };
}

function cronOf(body: string): CronFields {
  const parts = body.trim().split(/\s+/);
  if (parts.length !== 6) {
    throw new FieldProblem(
      undefined,
      `a cron expression has 6 fields (minutes hours day-of-month month day-of-week year), got ${parts.length}`,
    );
  }
  const [minutes = "", hours = "", dom = "", month = "", dow = "", year = ""] = parts;
  if ((dom === "?") === (dow === "?")) {
    throw new FieldProblem(
      dom === "?" ? "day-of-month" : "day-of-week",
      `day-of-month "${dom}" and day-of-week "${dow}": exactly one of them must be ?`,
    );
  }
  return {
    minutes: valuesOf(minutes, MINUTES),
    hours: valuesOf(hours, HOURS),
    dayOfMonth: dayOfMonthOf(dom),
    months: valuesOf(month, MONTH),
    dayOfWeek: dayOfWeekOf(dow),
    years: valuesOf(year, YEAR),
  };
}

/**
 * Reads an EventBridge schedule expression, as EventBridge rules take it (UTC):
 * - `rate(N unit)`: N a positive whole number, the unit `minute`, `hour` or `day`, singular for 1 and plural
 *   for more (`rate(1 day)`, `rate(5 minutes)`);
 * - `cron(minutes hours day-of-month month day-of-week year)`: lists, ranges, steps (`0/15`), `*`, month and
 *   day names, exactly one of day-of-month and day-of-week `?`; `L` (the last day) and `nW` (the weekday
 *   nearest day n) in day-of-month; `L` (Saturday), `nL` (the last day n of the month) and `n#k` (the kth day n
 *   of the month, k from 1 to 5) in day-of-week.
 *
 * The one reader of schedule expressions: campaign definitions, the CDK app's settings and the local stack's
 * scheduler all use it. Returns the schedule, or the problem, naming the cron field and the rule.
 */
export function parseScheduleExpression(text: string): ScheduleExpression | ScheduleProblem {
  const expression = text.trim();
  const rate = RATE.exec(expression);
  if (rate !== null) {
    const count = Number(rate[1]);
    const unit = rate[2] ?? "";
    const singular = unit.endsWith("s") ? unit.slice(0, -1) : unit;
    if (!Number.isSafeInteger(count) || count < 1) {
      return { kind: "invalid", problem: `${expression}: a rate is a whole number of at least 1` };
    }
    if ((count === 1) !== (singular === unit)) {
      return {
        kind: "invalid",
        problem: `${expression}: write rate(1 ${singular}) for one and rate(N ${singular}s) for more`,
      };
    }
    const unitMs = singular === "minute" ? UNIT_MS.minute : singular === "hour" ? UNIT_MS.hour : UNIT_MS.day;
    return { kind: "rate", expression, periodMs: count * unitMs };
  }
  const cron = CRON.exec(expression);
  if (cron !== null) {
    try {
      return { kind: "cron", expression, fields: cronOf(cron[1] ?? "") };
    } catch (error) {
      if (!(error instanceof FieldProblem)) throw error;
      const problem = `${expression}: ${error.message}`;
      return error.field === undefined
        ? { kind: "invalid", problem }
        : { kind: "invalid", field: error.field, problem };
    }
  }
  return {
    kind: "invalid",
    problem: `expected rate(5 minutes) or cron(0 9 ? * MON *), got ${JSON.stringify(text)}`,
  };
}
