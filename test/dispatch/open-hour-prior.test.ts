import { describe, expect, it } from "vitest";
import { dispatchSends } from "#shared/app/dispatch-sends.js";
import { CachedOpenHourPrior } from "#shared/app/send-time/cached-open-hour-prior.js";
import {
  addOpenHours,
  emptyOpenHourTotals,
  type LearnedOpenHourPrior,
  learnOpenHourPrior,
  localTimeAt,
  MIN_LEARNED_PRIOR_OPENS,
} from "#shared/domain/campaigns/index.js";
import { campaign, customer, HOUR, harness, intent, messages, T0 } from "./harness.js";

/** A population that opens at 03:00 local time: nothing like the default curve's evening peak. */
const nightOwls = (opens: number): LearnedOpenHourPrior =>
  learnOpenHourPrior(addOpenHours(emptyOpenHourTotals(T0), [{ t: T0, h: { "3": opens } }]), T0);

const best = campaign({
  steps: [{ delay: "0m", template: "cart-abandonment", sendTime: "best", within: "24h" }],
});

/** Dispatches one best-time intent of a customer without opens; the deferral (its timer and reason). */
async function deferralWith(openHourPriors?: { get(): Promise<LearnedOpenHourPrior | undefined> }) {
  const { deps, sendTimers, ledger } = harness([best], [customer("c-new", { timezone: "Europe/Paris" })]);
  const one = intent("cart", "c-new", { startedAt: T0, dueAt: T0 });
  const result = await dispatchSends(
    openHourPriors === undefined ? deps : { ...deps, openHourPriors },
    messages(one),
  );
  const [timer] = sendTimers.timers.values();
  const [entry] = ledger.of(one.key);
  return { result, hour: localTimeAt(timer?.dueAt ?? 0, "Europe/Paris")?.hour, reason: entry?.reason };
}

describe("dispatch reads the learned open-hour prior", () => {
  it("a learned prior moves a new customer's best hour to where the population opens", async () => {
    const withDefault = await deferralWith();
    const learned = await deferralWith({ get: async () => nightOwls(500) });

    expect(withDefault.result.summary.deferred).toBe(1);
    expect(withDefault.hour).toBe(20);
    expect(withDefault.reason).toBe("best time: 20:00 Europe/Paris (default population prior)");
    expect(learned.result.summary.deferred).toBe(1);
    expect(learned.hour).toBe(3);
    expect(learned.reason).toBe("best time: 03:00 Europe/Paris (learned population prior)");
  });

  it("keeps the default when the learned prior rests on too few opens, or cannot be read", async () => {
    const few = await deferralWith({ get: async () => nightOwls(MIN_LEARNED_PRIOR_OPENS - 1) });
    const broken = await deferralWith({
      get: async () => {
        throw new Error("table unreachable");
      },
    });
    expect(few.hour).toBe(20);
    expect(few.reason).toContain("default population prior");
    expect(broken.hour).toBe(20);
    expect(broken.result.summary.deferred).toBe(1);
  });

  it("reads the store at most once per cache age per container", async () => {
    let reads = 0;
    const { time } = harness([best], []);
    const cached = new CachedOpenHourPrior({
      store: {
        get: async () => {
          reads++;
          return nightOwls(500);
        },
      },
      clock: time,
      maxAgeMs: HOUR,
    });
    await Promise.all([cached.get(), cached.get(), cached.get()]);
    time.advance(HOUR - 1);
    await cached.get();
    expect(reads).toBe(1);
    time.advance(1);
    expect((await cached.get())?.opens).toBe(500);
    expect(reads).toBe(2);
  });
});
