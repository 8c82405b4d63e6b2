import type { CronFields, DayOfMonth, DayOfWeek } from "./schedule-expression.js";

const MINUTE_MS = 60_000;

/** The number of days of a month (1 = January), in UTC. */
const daysInMonth = (year: number, month: number): number => new Date(Date.UTC(year, month, 0)).getUTCDate();

/** The weekday (0 = Sunday) of a date, in UTC. */
const weekdayOf = (year: number, month: number, day: number): number =>
  new Date(Date.UTC(year, month - 1, day)).getUTCDay();

/** The day of the month nearest `day` that is a weekday, never leaving the month; none when `day` is not in it. */
function nearestWeekday(year: number, month: number, day: number): number | undefined {
  const last = daysInMonth(year, month);
  if (day > last) return undefined;
  const weekday = weekdayOf(year, month, day);
  if (weekday === 6) return day > 1 ? day - 1 : day + 2;
  if (weekday === 0) return day < last ? day + 1 : day - 2;
  return day;
}

function dayOfMonthMatches(rule: DayOfMonth, year: number, month: number, day: number): boolean {
  switch (rule.kind) {
    case "any":
      return true;
    case "days":
      return rule.days.includes(day);
    case "last":
      return day === daysInMonth(year, month);
    case "nearest-weekday":
      return day === nearestWeekday(year, month, rule.day);
  }
}

function dayOfWeekMatches(rule: DayOfWeek, year: number, month: number, day: number): boolean {
  // EventBridge numbers the days of the week 1 (Sunday) to 7 (Saturday).
  const weekday = weekdayOf(year, month, day) + 1;
  switch (rule.kind) {
    case "any":
      return true;
    case "days":
      return rule.days.includes(weekday);
    case "last-of-month":
      return weekday === rule.day && day + 7 > daysInMonth(year, month);
    case "nth-of-month":
      return weekday === rule.day && Math.ceil(day / 7) === rule.nth;
  }
}

/**
 * The first time strictly after `after` (epoch ms) at which a cron schedule fires, at a whole minute, in UTC;
 * or `undefined` when it never fires again (its years are past, or its days never come, like 31 February).
 * Pure arithmetic on UTC dates: the machine's time zone plays no part.
 */
export function nextCronTime(cron: CronFields, after: number): number | undefined {
  let t = new Date(Math.floor(after / MINUTE_MS) * MINUTE_MS + MINUTE_MS);
  const lastYear = cron.years.at(-1) ?? 0;
  // Each step moves to the next candidate year, month, day, hour or minute: a few thousand steps at most.
  for (let steps = 0; steps < 1_000_000; steps++) {
    const year = t.getUTCFullYear();
    if (year > lastYear) return undefined;
    if (!cron.years.includes(year)) {
      t = new Date(Date.UTC(year + 1, 0, 1));
      continue;
    }
    const month = t.getUTCMonth() + 1;
    if (!cron.months.includes(month)) {
      t = new Date(Date.UTC(year, month, 1));
      continue;
    }
    const day = t.getUTCDate();
    if (
      !dayOfMonthMatches(cron.dayOfMonth, year, month, day) ||
      !dayOfWeekMatches(cron.dayOfWeek, year, month, day)
    ) {
      t = new Date(Date.UTC(year, month - 1, day + 1));
      continue;
    }
    if (!cron.hours.includes(t.getUTCHours())) {
      t = new Date(Date.UTC(year, month - 1, day, t.getUTCHours() + 1));
      continue;
    }
    if (!cron.minutes.includes(t.getUTCMinutes())) {
      t = new Date(t.getTime() + MINUTE_MS);
      continue;
    }
    return t.getTime();
  }
  return undefined;
}
