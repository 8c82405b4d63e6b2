import awsCronParser from "aws-cron-parser";
import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type CronFields, nextCronTime, parseScheduleExpression } from "#shared/domain/schedules/index.js";

afterEach(() => {
  vi.unstubAllEnvs();
});

function cronOf(expression: string): CronFields {
  const parsed = parseScheduleExpression(expression);
  if (parsed.kind !== "cron") throw new Error(`not a cron: ${JSON.stringify(parsed)}`);
  return parsed.fields;
}

/** The next fire time of `expression` after the ISO time `after`, as an ISO string. */
function next(expression: string, after: string): string | undefined {
  const time = nextCronTime(cronOf(expression), Date.parse(after));
  return time === undefined ? undefined : new Date(time).toISOString();
}

/** The next `count` fire times after `after`. */
function nextTimes(expression: string, after: string, count: number): string[] {
  const cron = cronOf(expression);
  const times: string[] = [];
  let at = Date.parse(after);
  for (let i = 0; i < count; i++) {
    const time = nextCronTime(cron, at);
    if (time === undefined) break;
    times.push(new Date(time).toISOString());
    at = time;
  }
  return times;
}

describe("parseScheduleExpression: the examples of the EventBridge documentation", () => {
  // From "Using cron and rate expressions to schedule rules in Amazon EventBridge", all UTC; 2026-11-23 is a Monday.
  it("cron(0 9 ? * 2#1 *): 09:00 on the first Monday of each month", () => {
    expect(nextTimes("cron(0 9 ? * 2#1 *)", "2026-11-23T00:00:00Z", 3)).toEqual([
      "2026-12-07T09:00:00.000Z",
      "2027-01-04T09:00:00.000Z",
      "2027-02-01T09:00:00.000Z",
    ]);
  });

  it("cron(0 18 ? * MON-FRI *): 18:00 Monday to Friday", () => {
    expect(nextTimes("cron(0 18 ? * MON-FRI *)", "2026-11-26T18:00:00Z", 3)).toEqual([
      "2026-11-27T18:00:00.000Z",
      "2026-11-30T18:00:00.000Z",
      "2026-12-01T18:00:00.000Z",
    ]);
  });

  it("cron(0/15 * * * ? *): every 15 minutes", () => {
    expect(nextTimes("cron(0/15 * * * ? *)", "2026-11-23T10:07:30Z", 4)).toEqual([
      "2026-11-23T10:15:00.000Z",
      "2026-11-23T10:30:00.000Z",
      "2026-11-23T10:45:00.000Z",
      "2026-11-23T11:00:00.000Z",
    ]);
  });

  it("cron(0 8 L * ? *): 08:00 on the last day of each month", () => {
    expect(nextTimes("cron(0 8 L * ? *)", "2027-01-31T08:00:00Z", 3)).toEqual([
      "2027-02-28T08:00:00.000Z",
      "2027-03-31T08:00:00.000Z",
      "2027-04-30T08:00:00.000Z",
    ]);
    expect(next("cron(0 8 L * ? *)", "2028-02-01T00:00:00Z")).toBe("2028-02-29T08:00:00.000Z");
  });

  it("the other examples: daily, monthly, weekdays every few minutes within hours", () => {
    expect(next("cron(0 10 * * ? *)", "2026-11-23T10:00:00Z")).toBe("2026-11-24T10:00:00.000Z");
    expect(next("cron(15 12 * * ? *)", "2026-11-23T11:00:00Z")).toBe("2026-11-23T12:15:00.000Z");
    expect(next("cron(0 8 1 * ? *)", "2026-11-23T00:00:00Z")).toBe("2026-12-01T08:00:00.000Z");
    expect(next("cron(0/10 * ? * MON-FRI *)", "2026-11-27T23:55:00Z")).toBe("2026-11-30T00:00:00.000Z");
    expect(nextTimes("cron(0/5 8-17 ? * MON-FRI *)", "2026-11-23T17:50:00Z", 2)).toEqual([
      "2026-11-23T17:55:00.000Z",
      "2026-11-24T08:00:00.000Z",
    ]);
  });

  it("rate(5 minutes) and the other units, singular for one", () => {
    expect(parseScheduleExpression("rate(5 minutes)")).toEqual({
      kind: "rate",
      expression: "rate(5 minutes)",
      periodMs: 300_000,
    });
    expect(parseScheduleExpression("rate(1 minute)")).toMatchObject({ periodMs: 60_000 });
    expect(parseScheduleExpression("rate(1 hour)")).toMatchObject({ periodMs: 3_600_000 });
    expect(parseScheduleExpression("rate(12 hours)")).toMatchObject({ periodMs: 43_200_000 });
    expect(parseScheduleExpression("rate(7 days)")).toMatchObject({ periodMs: 604_800_000 });
  });
});

describe("nextCronTime", () => {
  // [expression, after, expected next fire time]: all UTC; 2026-11-23 is a Monday.
  const cases: [string, string, string | undefined][] = [
    ["cron(0 9 ? * MON *)", "2026-11-23T08:59:00Z", "2026-11-23T09:00:00.000Z"],
    ["cron(0 9 ? * MON *)", "2026-11-23T09:00:00Z", "2026-11-30T09:00:00.000Z"],
    ["cron(0 9 ? * 2 *)", "2026-11-24T10:00:00Z", "2026-11-30T09:00:00.000Z"],
    ["cron(*/15 * * * ? *)", "2026-11-23T10:45:00Z", "2026-11-23T11:00:00.000Z"],
    ["cron(0 12 * * ? *)", "2026-12-31T12:00:00Z", "2027-01-01T12:00:00.000Z"],
    ["cron(0 8,20 ? * SAT,SUN *)", "2026-11-28T09:00:00Z", "2026-11-28T20:00:00.000Z"],
    ["cron(0 0 29 FEB ? *)", "2026-03-01T00:00:00Z", "2028-02-29T00:00:00.000Z"],
    ["cron(0 10 15 JAN-MAR ? 2027)", "2027-03-20T00:00:00Z", undefined],
    ["cron(5 0 ? * 1 2026-2027)", "2026-11-23T00:00:00Z", "2026-11-29T00:05:00.000Z"],
    ["cron(0 0 31 2 ? *)", "2026-01-01T00:00:00Z", undefined],
    // The last Friday of the month; Saturday, the last day of the week.
    ["cron(0 9 ? * 6L *)", "2026-11-01T00:00:00Z", "2026-11-27T09:00:00.000Z"],
    ["cron(0 9 ? * FRIL *)", "2026-11-28T00:00:00Z", "2026-12-25T09:00:00.000Z"],
    ["cron(0 9 ? * L *)", "2026-11-23T00:00:00Z", "2026-11-28T09:00:00.000Z"],
    // The weekday nearest the 15th (2026-11-15 is a Sunday, 2027-05-15 a Saturday), never leaving the month.
    ["cron(0 9 15W * ? *)", "2026-11-01T00:00:00Z", "2026-11-16T09:00:00.000Z"],
    ["cron(0 9 15W * ? *)", "2027-05-01T00:00:00Z", "2027-05-14T09:00:00.000Z"],
    ["cron(0 9 1W * ? *)", "2026-07-31T00:00:00Z", "2026-08-03T09:00:00.000Z"],
    ["cron(0 9 31W * ? *)", "2026-10-01T00:00:00Z", "2026-10-30T09:00:00.000Z"],
    // The fifth Monday of a February comes in 2044 only this century.
    ["cron(0 0 ? FEB 2#5 *)", "2026-01-01T00:00:00Z", "2044-02-29T00:00:00.000Z"],
    ["cron(0 9 ? * 3#2 *)", "2026-11-23T00:00:00Z", "2026-12-08T09:00:00.000Z"],
  ];
  it.each(cases)("%s after %s → %s", (expression, after, expected) => {
    expect(next(expression, after)).toBe(expected);
  });

  it("gives the same times whatever the machine's time zone (the last Sunday of October is in a DST week)", () => {
    for (const zone of ["UTC", "Europe/Berlin", "America/New_York", "Australia/Sydney"]) {
      vi.stubEnv("TZ", zone);
      expect(next("cron(0 9 ? 10 1L *)", "2026-10-01T00:00:00Z")).toBe("2026-10-25T09:00:00.000Z");
      expect(next("cron(0 1 ? 3 1L *)", "2026-03-01T00:00:00Z")).toBe("2026-03-29T01:00:00.000Z");
    }
  });
});

describe("parseScheduleExpression: refusals", () => {
  // [expression, the field named, a part of the message]
  const refused: [string, string | undefined, string][] = [
    ["cron(0 9 * * MON *)", "day-of-week", "exactly one of them must be ?"],
    ["cron(0 9 ? * ? *)", "day-of-month", "exactly one of them must be ?"],
    ["cron(0 9 * *)", undefined, "6 fields"],
    ["cron(61 9 * * ? *)", "minutes", 'minutes: "61" is not a value from 0 to 59'],
    ["cron(0 24 * * ? *)", "hours", 'hours: "24" is not a value from 0 to 23'],
    ["cron(0 9 32 * ? *)", "day-of-month", "not a value from 1 to 31"],
    ["cron(0 9 * 13 ? *)", "month", "not a value from 1 to 12 or JAN-DEC"],
    ["cron(0 9 ? * 8 *)", "day-of-week", "not a value from 1 to 7 or SUN-SAT"],
    ["cron(0 9 * * ? 2200)", "year", "not a value from 1970 to 2199"],
    ["cron(0 9 ? * 2#6 *)", "day-of-week", "week after # that is not from 1 to 5"],
    ["cron(0 9 ? * 2#1,3 *)", "day-of-week", "uses L or #"],
    ["cron(0 9 L,15 * ? *)", "day-of-month", "uses L or W"],
    ["cron(0 9 ? * 2W *)", "day-of-week", "not a value"],
    ["cron(0 9 15W * ? 2027#1)", "year", "not a value"],
    ["cron(0/0 * * * ? *)", "minutes", "step"],
    ["cron(30-10 * * * ? *)", "minutes", "runs backwards"],
    ["cron(0 9 ? * FOO *)", "day-of-week", "not a value"],
  ];
  it.each(refused)("%s: names %s", (expression, field, message) => {
    const parsed = parseScheduleExpression(expression);
    expect(parsed).toMatchObject({ kind: "invalid", problem: expect.stringContaining(message) });
    expect(parsed.kind === "invalid" ? parsed.field : "parsed").toBe(field);
    // The message quotes the expression, so a log line says which schedule it is about.
    expect(parsed.kind === "invalid" ? parsed.problem : "").toContain(expression);
  });

  it("refuses rates EventBridge refuses: zero, a wrong number for the unit, other units, nonsense", () => {
    expect(parseScheduleExpression("rate(0 minutes)")).toMatchObject({
      problem: expect.stringContaining("at least 1"),
    });
    expect(parseScheduleExpression("rate(1 days)")).toMatchObject({
      problem: expect.stringContaining("write rate(1 day) for one"),
    });
    expect(parseScheduleExpression("rate(5 minute)")).toMatchObject({ kind: "invalid" });
    expect(parseScheduleExpression("rate(1 fortnight)")).toMatchObject({ kind: "invalid" });
    expect(parseScheduleExpression("every minute")).toMatchObject({
      problem: expect.stringContaining("expected rate(5 minutes) or cron("),
    });
  });
});

describe("nextCronTime against aws-cron-parser", () => {
  // aws-cron-parser computes AWS cron calendars too, but validates nothing, reads weekdays in the machine's time
  // zone and gives up on sparse schedules: here it is an oracle, in UTC, on the expressions it handles.
  const list = (min: number, max: number) =>
    fc
      .uniqueArray(fc.integer({ min, max }), { minLength: 1, maxLength: 3 })
      .map((values) => values.sort((a, b) => a - b).join(","));
  const range = (min: number, max: number) =>
    fc
      .tuple(fc.integer({ min, max }), fc.integer({ min, max }))
      .map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`);
  const step = (min: number, max: number) =>
    fc
      .tuple(fc.oneof(fc.constant("*"), fc.integer({ min, max }).map(String)), fc.integer({ min: 1, max }))
      .map(([from, by]) => `${from}/${by}`);
  const field = (min: number, max: number) =>
    fc.oneof(fc.constant("*"), list(min, max), range(min, max), step(min, max));
  // Days 1–28 only, and no steps (`11/18` reaches the 29th): on a day some months lack (`29` after 29 January 2029), the oracle rolls over into the next
  // month (1 March) where AWS skips to the next month that has it (29 March); that case is tested on its own below.
  const dayOfMonth = fc.oneof(
    fc.constant("*"),
    list(1, 28),
    range(1, 28),
    fc.constant("L"),
    fc.integer({ min: 1, max: 28 }).map((day) => `${day}W`),
  );
  const dayOfWeek = fc.oneof(
    field(1, 7),
    fc.constantFrom("MON-FRI", "SAT,SUN", "TUE"),
    fc.integer({ min: 1, max: 7 }).map((day) => `${day}L`),
    fc.tuple(fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 5 })).map(([d, n]) => `${d}#${n}`),
  );
  const days = fc.oneof(
    dayOfMonth.map((dom) => `${dom} * ?`),
    fc.tuple(field(1, 12), dayOfWeek).map(([month, dow]) => `? ${month} ${dow}`),
  );
  const expression = fc
    .tuple(field(0, 59), field(0, 23), days, fc.constantFrom("*", "2026-2030", "2027"))
    .map(([minutes, hours, dayFields, year]) => {
      const [dom = "", monthOrStar = "", dow = ""] = dayFields.split(" ");
      return dom === "?"
        ? `${minutes} ${hours} ? ${monthOrStar} ${dow} ${year}`
        : `${minutes} ${hours} ${dom} * ? ${year}`;
    });

  it("agrees on the next time of generated expressions", () => {
    vi.stubEnv("TZ", "UTC");
    fc.assert(
      fc.property(
        expression,
        fc.date({ min: new Date("2026-01-01"), max: new Date("2029-12-31") }),
        (body, after) => {
          let theirs: Date | null;
          try {
            theirs = awsCronParser.next(awsCronParser.parse(body), after);
          } catch {
            return fc.pre(false);
          }
          const ours = nextCronTime(cronOf(`cron(${body})`), after.getTime());
          expect(ours === undefined ? null : new Date(ours).toISOString()).toBe(
            theirs?.toISOString() ?? null,
          );
        },
      ),
      // A fixed seed: the oracle has gaps of its own, and CI must not find a new one at random.
      { numRuns: 400, seed: 20_261_206 },
    );
  });

  it("skips a month without the day, where the oracle rolls over into the next month", () => {
    const after = Date.parse("2029-01-29T23:00:00Z");
    expect(new Date(nextCronTime(cronOf("cron(0 0 29 * ? *)"), after) ?? 0).toISOString()).toBe(
      "2029-03-29T00:00:00.000Z",
    );
  });
});
