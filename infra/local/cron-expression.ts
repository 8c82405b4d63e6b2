/** An EventBridge `cron(...)` expression, read into the values each field allows (all in UTC). */
export interface CronSchedule {
  readonly minutes: ReadonlySet<number>;
  readonly hours: ReadonlySet<number>;
  /** Days of the month allowed, or `undefined` when the field is `?` (the day of the week decides). */
  readonly daysOfMonth: ReadonlySet<number> | undefined;
  readonly months: ReadonlySet<number>;
  /** Days of the week allowed as JavaScript numbers them (0 = Sunday), or `undefined` when the field is `?`. */
  readonly daysOfWeek: ReadonlySet<number> | undefined;
  readonly years: ReadonlySet<number>;
}

/** What reading a cron expression gives: the schedule, or why the local stack cannot run it. */
export type ParsedCron =
  | { readonly ok: true; readonly cron: CronSchedule }
  | { readonly ok: false; readonly reason: string };

interface Field {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
}

const MONTH_NAMES = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAY_NAMES = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

const FIELDS: readonly Field[] = [
  { name: "minutes", min: 0, max: 59 },
  { name: "hours", min: 0, max: 23 },
  { name: "day-of-month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12, names: MONTH_NAMES },
  // EventBridge numbers the days of the week 1 (Sunday) to 7 (Saturday).
  { name: "day-of-week", min: 1, max: 7, names: DAY_NAMES },
  { name: "year", min: 1970, max: 2199 },
];

class CronFieldError extends Error {}

function atom(text: string, field: Field): number {
  const byName = field.names?.indexOf(text.toUpperCase()) ?? -1;
  const value = byName >= 0 ? byName + field.min : /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(value) || value < field.min || value > field.max) {
    throw new CronFieldError(`${field.name}: "${text}" is not a value from ${field.min} to ${field.max}`);
  }
  return value;
}

/** One field: `*`, values, `a-b` ranges and `/step`s, comma-separated. */
function parseField(text: string, field: Field): Set<number> {
  const withoutNames = text
    .toUpperCase()
    .replace(/[A-Z]{3}/g, (word) => (field.names?.includes(word) ? "" : word));
  if (/[LW#]/.test(withoutNames)) {
    throw new CronFieldError(
      `${field.name}: "${text}" uses L, W or #, which the local stack does not support`,
    );
  }
  const values = new Set<number>();
  for (const part of text.split(",")) {
    const [range = "", stepText, extra] = part.split("/");
    if (extra !== undefined) throw new CronFieldError(`${field.name}: malformed "${part}"`);
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new CronFieldError(`${field.name}: bad step in "${part}"`);
    let from: number;
    let to: number;
    if (range === "*") {
      from = field.min;
      to = field.max;
    } else {
      const [start = "", end] = range.split("-");
      from = atom(start, field);
      // `5/15` means from 5 to the end, every 15.
      to = end === undefined ? (stepText === undefined ? from : field.max) : atom(end, field);
    }
    if (to < from) throw new CronFieldError(`${field.name}: the range "${range}" runs backwards`);
    for (let value = from; value <= to; value += step) values.add(value);
  }
  return values;
}

/**
 * Reads the six fields of an EventBridge cron expression (`minutes hours day-of-month month day-of-week
 * year`, the inside of `cron(...)`): `*`, `?`, lists, ranges, steps, and month and day names. `L`, `W` and `#`
 * are refused with a reason, as is a day-of-month and day-of-week that are both set (EventBridge wants `?` in
 * one of them).
 */
export function parseCron(body: string): ParsedCron {
  const parts = body.trim().split(/\s+/);
  if (parts.length !== 6) {
    return { ok: false, reason: `expected 6 fields (minutes hours day-of-month month day-of-week year)` };
  }
  const [minutes = "", hours = "", dom = "", month = "", dow = "", year = ""] = parts;
  if ((dom === "?") === (dow === "?")) {
    return { ok: false, reason: "one of day-of-month and day-of-week must be ?, and only one" };
  }
  const at = (index: number): Field => FIELDS[index] ?? { name: "?", min: 0, max: 0 };
  try {
    return {
      ok: true,
      cron: {
        minutes: parseField(minutes, at(0)),
        hours: parseField(hours, at(1)),
        daysOfMonth: dom === "?" ? undefined : parseField(dom, at(2)),
        months: parseField(month, at(3)),
        daysOfWeek: dow === "?" ? undefined : new Set([...parseField(dow, at(4))].map((day) => day - 1)),
        years: parseField(year, at(5)),
      },
    };
  } catch (error) {
    if (error instanceof CronFieldError) return { ok: false, reason: error.message };
    throw error;
  }
}

const MINUTE_MS = 60_000;

/**
 * The first time strictly after `after` (epoch ms) at which `cron` fires, at a whole minute, in UTC; or
 * `undefined` when it never fires again (its years are past, or its days never exist, like 31 February).
 */
export function nextCronTime(cron: CronSchedule, after: number): number | undefined {
  let t = new Date(Math.floor(after / MINUTE_MS) * MINUTE_MS + MINUTE_MS);
  const lastYear = Math.max(...cron.years);
  // Each step moves to the next candidate month, day, hour or minute: a few thousand steps at most.
  for (let steps = 0; steps < 1_000_000; steps++) {
    const year = t.getUTCFullYear();
    if (year > lastYear) return undefined;
    if (!cron.years.has(year)) {
      t = new Date(Date.UTC(year + 1, 0, 1));
      continue;
    }
    if (!cron.months.has(t.getUTCMonth() + 1)) {
      t = new Date(Date.UTC(year, t.getUTCMonth() + 1, 1));
      continue;
    }
    const dayMatches =
      cron.daysOfMonth !== undefined
        ? cron.daysOfMonth.has(t.getUTCDate())
        : (cron.daysOfWeek?.has(t.getUTCDay()) ?? true);
    if (!dayMatches) {
      t = new Date(Date.UTC(year, t.getUTCMonth(), t.getUTCDate() + 1));
      continue;
    }
    if (!cron.hours.has(t.getUTCHours())) {
      t = new Date(Date.UTC(year, t.getUTCMonth(), t.getUTCDate(), t.getUTCHours() + 1));
      continue;
    }
    if (!cron.minutes.has(t.getUTCMinutes())) {
      t = new Date(t.getTime() + MINUTE_MS);
      continue;
    }
    return t.getTime();
  }
  return undefined;
}
