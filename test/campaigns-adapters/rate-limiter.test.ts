import { describe, expect, it } from "vitest";
import { TokenBucket } from "#shared/app/rate-limiter.js";
import { FakeTime } from "./fake-time.js";

const T0 = Date.UTC(2026, 10, 23, 12);

describe("TokenBucket", () => {
  it("spaces calls 1000/rate ms apart once the burst is spent", async () => {
    // Prepare
    const time = new FakeTime(T0);
    const bucket = new TokenBucket({ ratePerSecond: 14, burst: 2, clock: time, sleep: time.sleep });
    const startedAt: number[] = [];

    // Act
    for (let i = 0; i < 6; i++) {
      await bucket.acquire();
      startedAt.push(time.now() - T0);
    }

    // Assess: two at once, then one every ceil(1000/14) = 72 ms at most.
    expect(startedAt.slice(0, 2)).toEqual([0, 0]);
    const gaps = startedAt.slice(2).map((t, i) => t - (startedAt[i + 1] ?? 0));
    for (const gap of gaps) {
      expect(gap).toBeGreaterThanOrEqual(71);
      expect(gap).toBeLessThanOrEqual(72);
    }
    // Never more than burst + rate·elapsed calls in any prefix.
    for (const [i, t] of startedAt.entries()) expect(i + 1).toBeLessThanOrEqual(2 + (14 * t) / 1000 + 1e-9);
  });

  it("refills while idle, but never above the burst", () => {
    // Prepare
    const time = new FakeTime(T0);
    const bucket = new TokenBucket({ ratePerSecond: 10, burst: 3, clock: time });
    for (let i = 0; i < 3; i++) bucket.reserve();

    // Act
    time.advance(60_000);
    const waits = Array.from({ length: 5 }, () => bucket.reserve());

    // Assess: a minute idle saves 3 tokens, not 600.
    expect(waits).toEqual([0, 0, 0, 100, 200]);
  });

  it("serves concurrent callers in order, each reserving the next slot", () => {
    // Prepare
    const time = new FakeTime(T0);
    const bucket = new TokenBucket({ ratePerSecond: 4, clock: time });

    // Act
    const waits = Array.from({ length: 4 }, () => bucket.reserve());

    // Assess
    expect(waits).toEqual([0, 250, 500, 750]);
  });

  it("refuses a rate that is not positive", () => {
    // Act, Assess
    expect(() => new TokenBucket({ ratePerSecond: 0, clock: new FakeTime(T0) })).toThrow(RangeError);
  });
});
