import { describe, expect, it } from "vitest";
import { type SimOptions, simulate } from "#shared/sim/index.js";

const DAY_MS = 86_400_000;
const START = Date.UTC(2026, 10, 2, 17, 15);

describe("a shop simulated over more days", () => {
  it("regenerates the shorter run's events byte for byte, message ids included, then the new days' only", () => {
    // Prepare: the same shop over 5 days, then over 8 (what a second `tailor start` three days later simulates).
    const short: SimOptions = { customers: 40, days: 5, seed: 42, start: START };
    const long: SimOptions = { ...short, days: 8 };
    const end = START + short.days * DAY_MS;

    // Act
    const first = [...simulate(short)].map((r) => JSON.stringify(r));
    const again = [...simulate(long)];
    const before = again.filter((r) => r.at < end).map((r) => JSON.stringify(r));
    const after = again.filter((r) => r.at >= end);

    // Assess: putting only the events from `end` on puts each event exactly once, under one message id.
    expect(before).toEqual(first);
    expect(after.length).toBeGreaterThan(0);
    const ids = new Set(again.map((r) => String(r.event.messageId)));
    expect(ids.size).toBe(again.length);
  });
});
