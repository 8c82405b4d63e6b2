import { describe, expect, it } from "vitest";
import { campaignOutcomeKey, utcDayOf } from "#shared/app/campaign-outcome-key.js";
import { dispatchSends } from "#shared/app/dispatch-sends.js";
import { MailerThrottledError } from "#shared/mailer-errors.js";
import { MemoryOutcomes } from "../console/console-fakes.js";
import { campaign, customer, HOUR, harness, intent, messages, T0 } from "./harness.js";

const TODAY = utcDayOf(T0);

describe("campaign outcomes counted by dispatch", () => {
  it("counts each decision once, however often its intent is delivered", async () => {
    const outcomes = new MemoryOutcomes();
    const withoutConsent = { ...customer("c-2"), c: {} };
    const { deps } = harness([campaign()], [customer("c-1"), withoutConsent]);
    const sent = intent("cart", "c-1");
    const skipped = intent("cart", "c-2");

    await dispatchSends({ ...deps, outcomes }, messages(sent, sent, skipped));
    await dispatchSends({ ...deps, outcomes }, messages(sent, skipped, skipped));

    expect(outcomes.counts.get(`cart/${TODAY}`)).toEqual({
      sent: 1,
      "skipped:no consent: marketing_email not granted": 1,
    });
  });

  it("does not count an attempt that failed and was retried; counts its later send once", async () => {
    const outcomes = new MemoryOutcomes();
    const { deps, mailer } = harness([campaign()], [customer("c-1")]);
    const one = intent("cart", "c-1");
    for (let i = 0; i < 3; i++) mailer.failures.push(new MailerThrottledError("slow down"));

    const first = await dispatchSends({ ...deps, outcomes }, messages(one));
    expect(first.failed.size).toBe(1);
    expect(outcomes.counts.size).toBe(0);
    await dispatchSends({ ...deps, outcomes }, messages(one));
    await dispatchSends({ ...deps, outcomes }, messages(one));

    expect(outcomes.counts.get(`cart/${TODAY}`)).toEqual({ sent: 1 });
  });

  it("counts a deferral, then the send on the day it goes out", async () => {
    const outcomes = new MemoryOutcomes();
    const quiet = campaign({
      policy: { quietHours: { start: "11:00", end: "13:00", defaultTimeZone: "UTC" } },
    });
    const { deps, sendTimers, time } = harness([quiet], [customer("c-1")]);
    const one = intent("cart", "c-1");

    await dispatchSends({ ...deps, outcomes }, messages(one));
    const [timer] = sendTimers.timers.values();
    time.advance(HOUR);
    await dispatchSends({ ...deps, outcomes }, messages(timer ?? one));

    expect(outcomes.counts.get(`cart/${TODAY}`)).toEqual({ deferred: 1, sent: 1 });
  });

  it("a counter that cannot be reached never fails the send", async () => {
    const outcomes = new MemoryOutcomes();
    outcomes.failing = true;
    const { deps, mailer } = harness([campaign()], [customer("c-1")]);

    const { failed, summary } = await dispatchSends({ ...deps, outcomes }, messages(intent("cart", "c-1")));

    expect(failed.size).toBe(0);
    expect(summary.sent).toBe(1);
    expect(mailer.sent).toHaveLength(1);
  });
});

describe("campaignOutcomeKey", () => {
  it("keys skips by the kind of their reason, without what is particular to one customer", () => {
    expect(campaignOutcomeKey({ outcome: "skipped", reason: "no email address (waited 2d)" })).toBe(
      "skipped:no email address",
    );
    expect(campaignOutcomeKey({ outcome: "skipped", reason: "quiet hours until 08:00 Europe/Paris" })).toBe(
      "skipped:quiet hours",
    );
    expect(campaignOutcomeKey({ outcome: "skipped", reason: "x".repeat(500) })).toHaveLength(88);
    expect(campaignOutcomeKey({ outcome: "skipped" })).toBe("skipped:other");
    expect(campaignOutcomeKey({ outcome: "holdout", reason: "control group" })).toBe("holdout");
    expect(campaignOutcomeKey({ outcome: "deferred", reason: "quiet hours until 13:00 UTC" })).toBe(
      "deferred",
    );
  });
});
