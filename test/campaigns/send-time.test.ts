import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  bestSendTime,
  DEFAULT_OPEN_HOUR_PRIOR,
  decideSend,
  isQuietMinute,
  journeyIntents,
  localTimeAt,
  normalisePrior,
  openHourPosterior,
  type QuietHours,
} from "#shared/domain/campaigns/index.js";
import { recordEmail } from "#shared/domain/profile/email-engagement.js";
import {
  mergeOpenHours,
  OPEN_HOURS_HALF_LIFE_MS,
  type Profile,
  recordOpenHour,
} from "#shared/domain/profile/index.js";
import { rawEvents } from "../factories/events.js";
import { CUSTOMER, campaign, DAY, events, fold, HOUR, reachable } from "./helpers.js";

const START = Date.UTC(2026, 0, 12, 6); // Monday 06:00 UTC, 07:00 Paris

/** A Paris customer who opened `n` emails at `hour`:15 Paris time on the days before `START`. */
function opensAt(hour: number, n: number, profile: Profile = reachable({}, "Europe/Paris")): Profile {
  for (let day = 1; day <= n; day++) {
    const at = START - day * DAY + (hour - 7) * HOUR + 15 * 60_000;
    recordEmail(profile, "delivered", `m-${hour}-${day}`);
    if (recordEmail(profile, "opened", `m-${hour}-${day}`)) recordOpenHour(profile, at);
  }
  return profile;
}

const parisHour = (at: number) => localTimeAt(at, "Europe/Paris")?.hour;

describe("open hours in the profile", () => {
  it("the fold counts the first open of each send in the customer's local hour, once", () => {
    const at = Date.UTC(2026, 0, 5, 18, 30); // 19:30 Paris
    const email = { message_id: "m-1", campaign_id: "c", variant: "a" };
    const profile = fold(reachable({}, "Europe/Paris"), at, [
      ...events(
        rawEvents.emailOpened(email, { timestamp: at }),
        rawEvents.emailOpened(email, { timestamp: at + 1000 }),
        rawEvents.emailClicked(email, { timestamp: at + 2000 }),
      ),
    ]);
    expect(profile.oh?.h[19]).toBe(1);
    expect(profile.oh?.h).toEqual({ "19": 1 });
  });

  it("decays: an open 60 days old weighs half of a new one, whichever arrives first", () => {
    const a = reachable();
    recordOpenHour(a, START - OPEN_HOURS_HALF_LIFE_MS);
    recordOpenHour(a, START);
    const b = reachable();
    recordOpenHour(b, START);
    recordOpenHour(b, START - OPEN_HOURS_HALF_LIFE_MS);
    expect(a.oh).toEqual(b.oh);
    expect(a.oh?.h).toEqual({ "6": 1.5 });
  });

  it("a merge adds both customers' opens", () => {
    const merged = mergeOpenHours(opensAt(9, 2).oh, opensAt(20, 3).oh);
    expect(merged?.h[9]).toBeCloseTo(2, 1);
    expect(merged?.h[20]).toBeCloseTo(3, 1);
  });
});

describe("best hour: Bayesian over the population prior", () => {
  it("a new customer gets the prior's best hour; a regular evening reader their own", () => {
    const fresh = openHourPosterior(reachable(), START);
    expect(fresh.opens).toBe(0);
    expect(fresh.probabilities).toEqual(DEFAULT_OPEN_HOUR_PRIOR);
    const reader = openHourPosterior(opensAt(7, 10), START);
    expect(reader.probabilities.indexOf(Math.max(...reader.probabilities))).toBe(7);
  });

  it("one open does not outweigh the prior, many do", () => {
    const morningPrior = normalisePrior(Array.from({ length: 24 }, (_, h) => (h === 9 ? 1 : 0)));
    const once = openHourPosterior(opensAt(14, 1), START, morningPrior).probabilities;
    expect(once[9]).toBeGreaterThan(once[14] ?? 1);
    const often = openHourPosterior(opensAt(14, 8), START, morningPrior).probabilities;
    expect(often[14]).toBeGreaterThan(often[9] ?? 1);
  });

  const probabilities = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), {
    minLength: 24,
    maxLength: 24,
  });
  const quiet: QuietHours = {
    startMinute: 21 * 60,
    endMinute: 8 * 60,
    start: "21:00",
    end: "08:00",
    defaultTimeZone: "UTC",
  };

  it("the posterior is a distribution for any opens and prior", () => {
    fc.assert(
      fc.property(
        probabilities,
        fc.integer({ min: 0, max: 23 }),
        fc.integer({ min: 0, max: 30 }),
        (weights, hour, n) => {
          const { probabilities: p } = openHourPosterior(opensAt(hour, n), START, normalisePrior(weights));
          return Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-9 && p.every((x) => x >= 0);
        },
      ),
    );
  });

  it("the best time lies in the window, outside quiet hours, at the best allowed hour", () => {
    fc.assert(
      fc.property(
        probabilities,
        fc.integer({ min: 0, max: 14 * DAY }),
        fc.integer({ min: 1, max: 48 }),
        (p, offset, hours) => {
          const from = START + offset;
          const best = bestSendTime({
            probabilities: p,
            from,
            withinMs: hours * HOUR,
            timeZone: "Europe/Paris",
            quietHours: quiet,
          });
          const local = localTimeAt(best.at, "Europe/Paris");
          if (local === undefined || best.at < from || best.at > from + hours * HOUR) return false;
          if (best.probability === 0 && best.at === from) return true; // nothing allowed or all zero
          if (isQuietMinute(quiet, local.hour * 60 + local.minute)) return false;
          // No allowed instant of the window has a more likely hour.
          for (let at = from; at <= from + hours * HOUR; at += 15 * 60_000) {
            const l = localTimeAt(at, "Europe/Paris");
            if (
              l !== undefined &&
              !isQuietMinute(quiet, l.hour * 60 + l.minute) &&
              (p[l.hour] ?? 0) > best.probability + 1e-12
            )
              return false;
          }
          return true;
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe("decideSend with sendTime: best", () => {
  const best = campaign({
    id: "newsletter",
    steps: [{ delay: "0m", template: "newsletter", sendTime: "best", within: "24h" }],
    policy: { quietHours: { start: "21:00", end: "08:00", defaultTimeZone: "UTC" } },
  });
  const [intent] = journeyIntents(best, CUSTOMER, "1", START, START);
  if (intent === undefined) throw new Error("intent expected");

  it("defers to the learned hour, then sends when it comes", () => {
    const reader = opensAt(18, 6);
    const decision = decideSend(intent, best, reader, [], START);
    expect(decision).toMatchObject({ kind: "defer", reason: "best time: 18:00 Europe/Paris (from 6 opens)" });
    const until = decision.kind === "defer" ? decision.until : 0;
    expect(parisHour(until)).toBe(18);
    expect(until - START).toBeLessThan(DAY);
    // The timer fires at `until` with `dueAt` moved; the window stays where the step was first due.
    expect(decideSend({ ...intent, dueAt: until }, best, reader, [], until)).toEqual({
      kind: "send",
      variant: "a",
    });
  });

  it("never picks an hour inside quiet hours, even the customer's favourite", () => {
    const night = opensAt(23, 10);
    const decision = decideSend(intent, best, night, [], START);
    const until = decision.kind === "defer" ? decision.until : START;
    expect(isQuietMinute(best.policy.quietHours ?? fail(), (parisHour(until) ?? 0) * 60)).toBe(false);
  });

  it("an A/B test of best time against the due time: variants differing by sendTime", () => {
    const experiment = campaign({
      id: "newsletter",
      steps: [
        {
          delay: "0m",
          template: "newsletter",
          within: "24h",
          variants: [
            { id: "a", sendTime: "due" },
            { id: "b", sendTime: "best" },
          ],
        },
      ],
    });
    const reader = opensAt(18, 6);
    const decisions = Array.from({ length: 40 }, (_, i) => {
      const [one] = journeyIntents(experiment, `c-${i}`, "1", START, START);
      if (one === undefined) throw new Error("intent expected");
      return decideSend(one, experiment, { ...reader, customerId: `c-${i}` }, [], START);
    });
    const sentNow = decisions.filter((d) => d.kind === "send");
    const deferred = decisions.filter((d) => d.kind === "defer");
    expect(sentNow.length).toBeGreaterThan(0);
    expect(deferred.length).toBeGreaterThan(0);
    expect(sentNow.every((d) => d.kind === "send" && d.variant === "a")).toBe(true);
  });

  it("rejects within without sendTime: best, and a window over 7 days", () => {
    expect(() => campaign({ steps: [{ template: "newsletter", within: "24h" }] })).toThrow(
      /within is the window of sendTime: best/,
    );
    expect(() => campaign({ steps: [{ template: "newsletter", sendTime: "best", within: "8d" }] })).toThrow(
      /within/,
    );
  });
});

function fail(): never {
  throw new Error("quiet hours expected");
}
