import { describe, expect, it } from "vitest";
import { dispatchSends } from "#shared/app/dispatch-sends.js";
import { fireSendTimers } from "#shared/app/fire-send-timers.js";
import { ingestBatch } from "#shared/app/ingest-batch.js";
import { campaign, harness as dispatchHarness, messages } from "../dispatch/harness.js";
import { InMemorySendQueue, InMemorySendTimers } from "../fakes/in-memory-sends.js";
import { DAY, HOUR, harness, record, T0 } from "./segment-harness.js";

const SECOND = 1000;
const MINUTE = 60 * SECOND;

/** The welcome starter (`templates/campaigns/welcome.yaml`) with the one variant the test renderer has. */
const welcome = campaign({
  id: "welcome",
  trigger: { event: "Identify" },
  reentry: "once",
  waitFor: { needs: ["email", "consent"], within: "24h" },
  steps: [{ delay: "0m", template: "welcome" }],
});

const identify = (customerId: string, at: number, traits: Record<string, unknown> = {}) =>
  record({
    type: "identify",
    messageId: `${customerId}-identify-${at}`,
    userId: customerId,
    timestamp: new Date(at).toISOString(),
    traits: { first_name: "Ada", ...traits },
  });

const consent = (customerId: string, at: number, granted = true) =>
  record({
    type: "track",
    event: "Consent Updated",
    messageId: `${customerId}-consent-${at}`,
    userId: customerId,
    timestamp: new Date(at).toISOString(),
    properties: { purpose: "marketing_email", granted, source: "signup_form" },
  });

/** Ingest and dispatch over one profile store, one clock, one sends queue and one set of send timers. */
function journey() {
  const h = harness();
  const queue = new InMemorySendQueue();
  const timers = new InMemorySendTimers();
  const d = dispatchHarness([welcome], []);
  const deps = { ...d.deps, profiles: h.profiles, clock: h.clock, sendTimers: timers };
  const ingest = async (...records: ReturnType<typeof record>[]) => {
    const { failed } = await ingestBatch(
      { ...h.ingest(), campaigns: { library: deps.library, sends: { queue, timers } } },
      records,
    );
    expect(failed.size).toBe(0);
    await dispatchQueue();
  };
  const dispatchQueue = async () => {
    while (queue.messages.length > 0) {
      const batch = queue.messages.splice(0);
      await dispatchSends(deps, messages(...batch));
    }
  };
  /** Moves the clock to `until`, firing every send timer due on the way, at its due time. */
  const runUntil = async (until: number) => {
    for (;;) {
      const next = timers.pending()[0];
      if (next === undefined || next.dueAt > until) break;
      h.clock.at = Math.max(h.clock.at, next.dueAt);
      await fireSendTimers({ timers, queue, clock: h.clock });
      await dispatchQueue();
    }
    h.clock.at = until;
  };
  const outcomes = (customerId: string) =>
    d.ledger.of(`welcome#${customerId}#once#0`).map((entry) => [entry.outcome, entry.reason]);
  return { h, d, timers, ingest, runUntil, outcomes };
}

describe("the welcome waits for the email address and the consent (24 h)", () => {
  it("first identify without an email, a later one with it: the welcome goes once, to that email", async () => {
    // Prepare
    const { h, d, ingest, runUntil, outcomes } = journey();

    // Act: sign-up without an email (consent given), the email two minutes later.
    await ingest(identify("c-1", T0), consent("c-1", T0 + SECOND));
    const waiting = outcomes("c-1");
    h.clock.at = T0 + 2 * MINUTE;
    await ingest(identify("c-1", T0 + 2 * MINUTE, { email: "ada@example.com" }));
    await runUntil(T0 + 2 * DAY);

    // Assess
    expect(waiting).toEqual([["deferred", "waiting: no email address (until 2026-11-24T12:00:00.000Z)"]]);
    expect(d.mailer.sent.map((mail) => mail.to)).toEqual(["ada@example.com"]);
    expect(outcomes("c-1").at(-1)).toEqual(["sent", undefined]);
  });

  it("consent seconds after the sign-up: the welcome goes once, within about a minute", async () => {
    // Prepare
    const { h, d, ingest, runUntil, outcomes } = journey();

    // Act
    await ingest(identify("c-1", T0, { email: "ada@example.com" }));
    h.clock.at = T0 + 5 * SECOND;
    await ingest(consent("c-1", T0 + 5 * SECOND));
    await runUntil(T0 + MINUTE);
    const atAMinute = d.mailer.sent.length;
    await runUntil(T0 + 2 * DAY);

    // Assess
    expect(atAMinute).toBe(1);
    expect(d.mailer.sent).toHaveLength(1);
    expect(outcomes("c-1")).toEqual([
      ["deferred", "waiting: no consent: marketing_email not granted (until 2026-11-24T12:00:00.000Z)"],
      ["sent", undefined],
    ]);
  });

  it("consent before the sign-up: the welcome goes at once", async () => {
    // Prepare
    const { h, d, ingest, runUntil, outcomes } = journey();

    // Act
    await ingest(consent("c-1", T0 - 10 * SECOND));
    h.clock.at = T0;
    await ingest(identify("c-1", T0, { email: "ada@example.com" }));
    const atOnce = d.mailer.sent.length;
    await runUntil(T0 + 2 * DAY);

    // Assess
    expect(atOnce).toBe(1);
    expect(d.mailer.sent).toHaveLength(1);
    expect(outcomes("c-1")).toEqual([["sent", undefined]]);
  });

  it("an email that arrives after the window: no welcome, ever, and the reason is in the ledger", async () => {
    // Prepare
    const { h, d, timers, ingest, runUntil, outcomes } = journey();

    // Act
    await ingest(identify("c-1", T0), consent("c-1", T0));
    await runUntil(T0 + 25 * HOUR);
    await ingest(identify("c-1", h.clock.at, { email: "ada@example.com" }));
    await runUntil(T0 + 3 * DAY);

    // Assess
    expect(d.mailer.sent).toEqual([]);
    expect(outcomes("c-1").at(-1)).toEqual(["skipped", "no email address (waited 24h)"]);
    expect(outcomes("c-1").filter(([outcome]) => outcome === "deferred").length).toBeLessThanOrEqual(35);
    expect(timers.pending()).toEqual([]);
  });

  it("a redelivered batch starts nothing twice: one welcome however often the sign-up comes back", async () => {
    // Prepare: the sign-up has the email, the consent follows 30 s later.
    const { h, d, ingest, runUntil, outcomes } = journey();
    const signUp = identify("c-1", T0, { email: "ada@example.com" });
    const granted = consent("c-1", T0 + 30 * SECOND);

    // Act: the sign-up is delivered three times while the welcome waits, the consent twice.
    await ingest(signUp);
    await ingest(signUp);
    h.clock.at = T0 + 30 * SECOND;
    await ingest(granted, signUp);
    await runUntil(T0 + HOUR);
    await ingest(granted, signUp);
    await runUntil(T0 + 2 * DAY);

    // Assess
    expect(d.mailer.sent).toHaveLength(1);
    expect(outcomes("c-1").filter(([outcome]) => outcome === "sent")).toHaveLength(1);
  });

  it("a suppressed customer is not waited for: an unsubscribe skips the welcome at once", async () => {
    // Prepare
    const { d, ingest, outcomes } = journey();
    const unsubscribed = record({
      type: "track",
      event: "Unsubscribed",
      messageId: "c-1-unsub",
      userId: "c-1",
      timestamp: new Date(T0 - MINUTE).toISOString(),
      properties: { purpose: "marketing_email" },
    });

    // Act
    await ingest(unsubscribed, identify("c-1", T0, { email: "ada@example.com" }));

    // Assess
    expect(d.mailer.sent).toEqual([]);
    expect(outcomes("c-1")).toEqual([["skipped", "suppressed: unsubscribed"]]);
  });
});
