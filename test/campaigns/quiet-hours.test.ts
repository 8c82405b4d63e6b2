import { describe, expect, it } from "vitest";
import { isQuietMinute, localTimeAt, quietUntil } from "#shared/domain/campaigns/index.js";
import { campaign, MINUTE } from "./helpers.js";

const policyOf = (start: string, end: string, defaultTimeZone = "UTC") => {
  const quiet = campaign({ policy: { quietHours: { start, end, defaultTimeZone } } }).policy.quietHours;
  if (quiet === undefined) throw new Error("no quiet hours");
  return quiet;
};
const overnight = policyOf("21:00", "08:00");
const utc = (iso: string) => Date.parse(iso);

describe("isQuietMinute", () => {
  it("overnight windows include the start and exclude the end", () => {
    expect(isQuietMinute(overnight, 21 * 60)).toBe(true);
    expect(isQuietMinute(overnight, 21 * 60 - 1)).toBe(false);
    expect(isQuietMinute(overnight, 0)).toBe(true);
    expect(isQuietMinute(overnight, 8 * 60 - 1)).toBe(true);
    expect(isQuietMinute(overnight, 8 * 60)).toBe(false);
  });

  it("same-day windows", () => {
    const lunch = policyOf("12:00", "14:00");
    expect([11 * 60 + 59, 12 * 60, 13 * 60 + 59, 14 * 60].map((m) => isQuietMinute(lunch, m))).toEqual([
      false,
      true,
      true,
      false,
    ]);
  });
});

describe("quietUntil", () => {
  it("is undefined outside the window, at the end minute and just before the start", () => {
    expect(quietUntil(overnight, utc("2026-01-15T08:00:00Z"), "UTC")).toBeUndefined();
    expect(quietUntil(overnight, utc("2026-01-15T20:59:59Z"), "UTC")).toBeUndefined();
  });

  it("evening part of an overnight window defers to the next morning, after midnight to the same morning", () => {
    expect(quietUntil(overnight, utc("2026-01-15T21:00:00Z"), "UTC")).toBe(utc("2026-01-16T08:00:00Z"));
    expect(quietUntil(overnight, utc("2026-01-16T07:59:30Z"), "UTC")).toBe(utc("2026-01-16T08:00:00Z"));
    expect(quietUntil(overnight, utc("2026-01-16T00:00:00Z"), "UTC")).toBe(utc("2026-01-16T08:00:00Z"));
  });

  it("reads the window in the customer's zone (Paris is UTC+1 in winter, +2 in summer)", () => {
    // 21:30 UTC is 22:30 in Paris in January: quiet until 08:00 Paris = 07:00 UTC.
    expect(quietUntil(overnight, utc("2026-01-15T21:30:00Z"), "Europe/Paris")).toBe(
      utc("2026-01-16T07:00:00Z"),
    );
    // 06:30 UTC is 08:30 in Paris in July: not quiet, though it is in UTC.
    expect(quietUntil(overnight, utc("2026-07-15T06:30:00Z"), "Europe/Paris")).toBeUndefined();
    expect(quietUntil(overnight, utc("2026-07-15T06:30:00Z"), "UTC")).toBe(utc("2026-07-15T08:00:00Z"));
  });

  it("on the spring-forward night in Paris (29 March 2026) the night is an hour shorter", () => {
    // 22:00 Paris (CET, 21:00 UTC) on the 28th → 08:00 CEST on the 29th = 06:00 UTC.
    expect(quietUntil(overnight, utc("2026-03-28T21:00:00Z"), "Europe/Paris")).toBe(
      utc("2026-03-29T06:00:00Z"),
    );
  });

  it("on the fall-back night in Paris (25 October 2026) the night is an hour longer", () => {
    // 22:00 Paris (CEST, 20:00 UTC) on the 24th → 08:00 CET on the 25th = 07:00 UTC.
    expect(quietUntil(overnight, utc("2026-10-24T20:00:00Z"), "Europe/Paris")).toBe(
      utc("2026-10-25T07:00:00Z"),
    );
  });

  it("an end inside the spring-forward gap defers to the first minute after the gap", () => {
    const toHalfPastTwo = policyOf("01:00", "02:30");
    // 01:30 CET (00:30 UTC): 02:30 does not exist that night; at 01:00 UTC the clock jumps to 03:00 CEST.
    const until = quietUntil(toHalfPastTwo, utc("2026-03-29T00:30:00Z"), "Europe/Paris");
    expect(until).toBe(utc("2026-03-29T01:00:00Z"));
    expect(until === undefined ? undefined : localTimeAt(until, "Europe/Paris")).toMatchObject({
      hour: 3,
      minute: 0,
    });
  });

  it("always returns a whole minute that is allowed, with the minute before it still quiet", () => {
    const zones = ["UTC", "Europe/Paris", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe"];
    const start = utc("2026-03-01T00:00:00Z");
    for (const zone of zones) {
      for (let t = start; t < start + 300 * 24 * 60 * MINUTE; t += 7 * 60 * MINUTE + 13_000) {
        const until = quietUntil(overnight, t, zone);
        if (until === undefined) continue;
        expect(until % MINUTE).toBe(0);
        expect(until).toBeGreaterThan(t);
        expect(quietUntil(overnight, until, zone)).toBeUndefined();
        expect(quietUntil(overnight, until - MINUTE, zone)).toBeDefined();
      }
    }
  });
});
