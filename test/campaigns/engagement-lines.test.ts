import { describe, expect, it } from "vitest";
import { engagementLines, engagementView } from "#cli/engagement-lines.js";
import { chooseOpenHourPrior, learnOpenHourPrior } from "#shared/domain/campaigns/index.js";
import { recordEmail } from "#shared/domain/profile/email-engagement.js";
import { recordOpenHour } from "#shared/domain/profile/index.js";
import { DAY, HOUR, reachable } from "./helpers.js";

const NOW = Date.UTC(2026, 0, 12, 12);

describe("tailor explain: fatigue and best hour", () => {
  it("shows the fatigue level with its inputs and the learned hour in the customer's zone", () => {
    const profile = reachable({}, "Europe/Paris");
    for (let i = 0; i < 12; i++) {
      recordEmail(profile, "delivered", `m-${i}`);
      // Opened the first six at 19:xx Paris, none since.
      if (i < 6 && recordEmail(profile, "opened", `m-${i}`))
        recordOpenHour(profile, NOW - (12 - i) * DAY + 6 * HOUR);
    }
    const lines = engagementLines(engagementView(profile, NOW));
    expect(lines[0]).toBe(
      "fatigue    fatigued (score 1.00: 6 of the last 12 unopened in a row, opens 100 % → 0 %)",
    );
    // Six opens one to two weeks old weigh about five today (60-day half-life).
    expect(lines[1]).toMatch(/^best hour {2}19:00 Europe\/Paris \(from 5 opens; \d+ % of opens\)$/);
  });

  it("a customer without opens gets the population prior's hour", () => {
    const view = engagementView(reachable(), NOW);
    expect(view.bestHour.opens).toBe(0);
    expect(engagementLines(view)[1]).toContain("population prior");
    expect(view.fatigue.level).toBe("fresh");
  });

  it("says whether the learned or the default prior decided, and what the learned one rests on", () => {
    const learned = chooseOpenHourPrior(
      learnOpenHourPrior({ counts: counts(6, 250), opens: 250, customers: 80, asOf: NOW }, NOW),
    );
    const withLearned = engagementView(reachable(), NOW, learned);
    const withDefault = engagementView(reachable(), NOW);
    expect(withLearned.bestHour).toMatchObject({ hour: 6, prior: "learned" });
    expect(engagementLines(withLearned).slice(1)).toEqual([
      "best hour  06:00 UTC (learned population prior; 100 % of opens)",
      "prior      learned prior (250 opens of 80 customers, 2026-01-12)",
    ]);
    expect(withDefault.bestHour).toMatchObject({ hour: 20, prior: "default" });
    expect(engagementLines(withDefault)[2]).toBe("prior      default prior (no learned prior stored)");
  });
});

/** 24 hourly counts: `opens` at `hour`, none elsewhere. */
const counts = (hour: number, opens: number) =>
  Array.from({ length: 24 }, (_, h) => (h === hour ? opens : 0));
