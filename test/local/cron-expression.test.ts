import { describe, expect, it } from "vitest";
import { nextCronTime, parseCron } from "../../infra/local/cron-expression.js";
import { parseScheduleExpression } from "../../infra/local/schedule-expression.js";

const at = (iso: string) => Date.parse(iso);

function next(expression: string, after: string): string | undefined {
  const parsed = parseScheduleExpression(expression);
  if (parsed.kind !== "cron") throw new Error(`not a cron: ${JSON.stringify(parsed)}`);
  const time = nextCronTime(parsed.cron, at(after));
  return time === undefined ? undefined : new Date(time).toISOString();
}

describe("nextCronTime", () => {
  // [expression, after, expected next fire time] — all UTC; 2026-11-23 is a Monday.
  const cases: [string, string, string | undefined][] = [
    ["cron(0 9 ? * MON *)", "2026-11-23T08:59:00Z", "2026-11-23T09:00:00.000Z"],
    ["cron(0 9 ? * MON *)", "2026-11-23T09:00:00Z", "2026-11-30T09:00:00.000Z"],
    ["cron(0 9 ? * MON *)", "2026-11-24T10:00:00Z", "2026-11-30T09:00:00.000Z"],
    ["cron(0 9 ? * 2 *)", "2026-11-24T10:00:00Z", "2026-11-30T09:00:00.000Z"],
    ["cron(0/15 * * * ? *)", "2026-11-23T10:07:30Z", "2026-11-23T10:15:00.000Z"],
    ["cron(*/15 * * * ? *)", "2026-11-23T10:45:00Z", "2026-11-23T11:00:00.000Z"],
    ["cron(0 12 * * ? *)", "2026-12-31T12:00:00Z", "2027-01-01T12:00:00.000Z"],
    ["cron(30 8 1 * ? *)", "2026-11-23T00:00:00Z", "2026-12-01T08:30:00.000Z"],
    ["cron(0 18 ? * MON-FRI *)", "2026-11-27T18:00:00Z", "2026-11-30T18:00:00.000Z"],
    ["cron(0 8,20 ? * SAT,SUN *)", "2026-11-28T09:00:00Z", "2026-11-28T20:00:00.000Z"],
    ["cron(0 0 29 FEB ? *)", "2026-03-01T00:00:00Z", "2028-02-29T00:00:00.000Z"],
    ["cron(0 10 15 JAN-MAR ? 2027)", "2027-03-20T00:00:00Z", undefined],
    ["cron(5 0 ? * 1 2026-2027)", "2026-11-23T00:00:00Z", "2026-11-29T00:05:00.000Z"],
    ["cron(0 0 31 2 ? *)", "2026-01-01T00:00:00Z", undefined],
  ];
  it.each(cases)("%s after %s → %s", (expression, after, expected) => {
    expect(next(expression, after)).toBe(expected);
  });
});

describe("parseCron", () => {
  it("refuses what the local stack cannot run, saying why", () => {
    expect(parseCron("0 9 L * ? *")).toMatchObject({
      ok: false,
      reason: expect.stringContaining("L, W or #"),
    });
    expect(parseCron("0 9 ? * 2#1 *")).toMatchObject({
      ok: false,
      reason: expect.stringContaining("L, W or #"),
    });
    expect(parseCron("0 9 * * MON *")).toMatchObject({ ok: false, reason: expect.stringContaining("?") });
    expect(parseCron("0 9 * *")).toMatchObject({ ok: false, reason: expect.stringContaining("6 fields") });
    expect(parseCron("61 9 * * ? *")).toMatchObject({
      ok: false,
      reason: expect.stringContaining("minutes"),
    });
    expect(parseCron("0 9 ? JUL WED *")).toMatchObject({ ok: true });
    expect(parseScheduleExpression("cron(0 9 L * ? *)")).toMatchObject({
      kind: "unsupported",
      reason: expect.stringContaining("cron(0 9 L * ? *)"),
    });
  });
});
