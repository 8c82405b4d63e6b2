/**
 * Schedules: the one reader of EventBridge schedule expressions (`rate(...)`, `cron(...)` with `?`, `L`, `W`
 * and `#`) and the calendar of a cron expression. Pure: time is a parameter, every date is UTC.
 */
export { nextCronTime } from "./cron-calendar.js";
export {
  type CronFieldName,
  type CronFields,
  type DayOfMonth,
  type DayOfWeek,
  parseScheduleExpression,
  type ScheduleExpression,
  type ScheduleProblem,
} from "./schedule-expression.js";
