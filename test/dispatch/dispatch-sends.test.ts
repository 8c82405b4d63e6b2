import { describe, expect, it } from "vitest";
import { dispatchSends } from "#shared/app/dispatch-sends.js";
import type { ExperimentIncrement } from "#shared/domain/analytics/index.js";
import { assign } from "#shared/domain/campaigns/index.js";
import { decodeEvent } from "#shared/domain/events/index.js";
import { MailerRejectedError, MailerThrottledError, MailerUnavailableError } from "#shared/mailer-errors.js";
import { verifyUnsubscribeToken } from "#shared/render/index.js";
import { PREVIEW_LINKS } from "#shared/render/preview-settings.js";
import { campaign, customer, HOUR, harness, intent, messages, T0 } from "./harness.js";

describe("dispatchSends", () => {
  it("sends the rendered email with tags and one-click unsubscribe headers, and records it", async () => {
    // Prepare
    const { deps, ledger, mailer, acquired } = harness(
      [campaign()],
      [customer("c-1", { first_name: "Ada" })],
    );
    const one = intent("cart", "c-1");

    // Act
    const { failed, summary } = await dispatchSends(deps, messages(one));

    // Assess
    expect(failed.size).toBe(0);
    expect(summary).toMatchObject({ received: 1, sent: 1, failedRetryable: 0, failedPermanent: 0 });
    expect(mailer.sent).toHaveLength(1);
    const [mail] = mailer.sent;
    expect(mail).toMatchObject({
      to: "c-1@example.com",
      customerId: "c-1",
      campaignId: "cart",
      variant: "a",
      content: { subject: "Ada, your cart" },
    });
    expect(mail?.content.html).toContain("<p>Hello Ada</p>");
    expect(mail?.content.headers["List-Unsubscribe-Post"]).toBe("List-Unsubscribe=One-Click");
    const link = /^<(.+)>$/.exec(mail?.content.headers["List-Unsubscribe"] ?? "")?.[1] ?? "";
    expect(link.startsWith(PREVIEW_LINKS.unsubscribeUrl)).toBe(true);
    const token = new URL(link).searchParams.get("t") ?? "";
    expect(verifyUnsubscribeToken(token, PREVIEW_LINKS.secret, T0)).toMatchObject({
      ok: true,
      claims: { customerId: "c-1", campaignId: "cart" },
    });
    expect(ledger.of(one.key)).toEqual([
      expect.objectContaining({ outcome: "sent", messageId: "msg-1", variant: "a", purpose: "marketing" }),
    ]);
    expect(acquired()).toBe(1);
  });

  it("escapes a <script> first name in the sent HTML", async () => {
    const { deps, mailer } = harness(
      [campaign()],
      [customer("c-1", { first_name: "<script>alert(1)</script>" })],
    );

    await dispatchSends(deps, messages(intent("cart", "c-1")));

    const html = mailer.sent[0]?.content.html ?? "";
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).not.toContain("<script>");
  });

  it("a duplicate delivery sends nothing, in the same batch or a later one", async () => {
    // Prepare
    const { deps, mailer } = harness([campaign()], [customer("c-1")]);
    const one = intent("cart", "c-1");

    // Act
    const first = await dispatchSends(deps, messages(one, one));
    const again = await dispatchSends(deps, messages(one));

    // Assess
    expect(mailer.sent).toHaveLength(1);
    expect(first.summary).toMatchObject({ sent: 1, duplicates: 1 });
    expect(again.summary).toMatchObject({ sent: 0, duplicates: 1 });
    expect(first.failed.size + again.failed.size).toBe(0);
  });

  it("records skips with their reason (no consent, campaign gone); an unknown customer leaves no trace", async () => {
    // Prepare
    const withoutConsent = { ...customer("c-2"), c: {} };
    const { deps, ledger, mailer } = harness([campaign()], [withoutConsent]);
    const noConsent = intent("cart", "c-2");
    const unknown = intent("cart", "c-404");
    const gone = intent("retired", "c-2");

    // Act
    const { failed, summary } = await dispatchSends(deps, messages(noConsent, unknown, gone));

    // Assess
    expect(mailer.calls).toBe(0);
    expect(failed.size).toBe(0);
    expect(summary).toMatchObject({ received: 3, skipped: 3 });
    expect(ledger.of(noConsent.key)).toEqual([
      expect.objectContaining({ outcome: "skipped", reason: "no consent: marketing_email not granted" }),
    ]);
    // Unknown, or erased: nothing is written under the customer's id, not even a claim.
    expect(ledger.of(unknown.key)).toEqual([]);
    expect(await ledger.claim(unknown, 0)).toBe("claimed");
    expect(ledger.of(gone.key)).toEqual([
      expect.objectContaining({ outcome: "skipped", reason: "campaign retired no longer exists" }),
    ]);
  });

  it("records a holdout and sends nothing", async () => {
    // Prepare: a customer the assignment puts in the control group of a 50 % holdout.
    const held = campaign({ holdout: 0.5 });
    const id =
      Array.from({ length: 100 }, (_, i) => `c-${i}`).find(
        (candidate) => assign(held.experiment, candidate, 0.5, held.variants).kind === "holdout",
      ) ?? "none";
    const { deps, ledger, mailer } = harness([held], [customer(id)]);
    const one = intent("cart", id);

    // Act
    const { summary } = await dispatchSends(deps, messages(one));

    // Assess
    expect(mailer.calls).toBe(0);
    expect(summary.heldOut).toBe(1);
    expect(ledger.of(one.key)).toEqual([
      expect.objectContaining({ outcome: "holdout", reason: "holdout: 50 % control group" }),
    ]);
  });

  it("defers in quiet hours: records the reason, keeps a timer for the end, releases the claim", async () => {
    // Prepare: quiet from 11:00 to 13:00 UTC, and it is 12:00 UTC.
    const quiet = campaign({
      policy: { quietHours: { start: "11:00", end: "13:00", defaultTimeZone: "UTC" } },
    });
    const { deps, ledger, mailer, sendTimers, time } = harness([quiet], [customer("c-1")]);
    const one = intent("cart", "c-1");

    // Act
    const deferred = await dispatchSends(deps, messages(one));
    const [timer] = sendTimers.timers.values();
    time.advance(HOUR);
    const later = await dispatchSends(deps, messages(timer ?? one));

    // Assess
    expect(deferred.summary.deferred).toBe(1);
    expect(deferred.failed.size).toBe(0);
    expect(timer).toEqual({ ...one, dueAt: T0 + HOUR });
    expect(later.summary.sent).toBe(1);
    expect(mailer.sent).toHaveLength(1);
    expect(ledger.of(one.key).map((e) => [e.outcome, e.reason])).toEqual([
      ["deferred", "quiet hours until 13:00 UTC"],
      ["sent", undefined],
    ]);
  });

  it("under a cap of 1 across two campaigns, the higher priority one sends and the other is capped", async () => {
    // Prepare: the low-priority intent arrives first in the batch.
    const cap = { frequencyCap: { max: 1, per: "7d" } };
    const low = campaign({ id: "newsletter", priority: 10, policy: cap });
    const high = campaign({ id: "cart", priority: 80, policy: cap });
    const { deps, ledger, mailer } = harness([low, high], [customer("c-1")]);
    const lowIntent = intent("newsletter", "c-1");
    const highIntent = intent("cart", "c-1");

    // Act
    const { summary } = await dispatchSends(deps, messages(lowIntent, highIntent));

    // Assess
    expect(mailer.sent.map((mail) => mail.campaignId)).toEqual(["cart"]);
    expect(summary).toMatchObject({ sent: 1, skipped: 1 });
    expect(ledger.of(lowIntent.key)).toEqual([
      expect.objectContaining({ outcome: "skipped", reason: "capped: 1 marketing email in 7 days" }),
    ]);
  });

  it("a retryable SES error releases the claim and fails the message; the next delivery sends once", async () => {
    // Prepare: throttled on every attempt of the first delivery.
    const { deps, ledger, mailer, time } = harness([campaign()], [customer("c-1")]);
    for (let i = 0; i < 3; i++) mailer.failures.push(new MailerThrottledError("throttled"));
    const batch = messages(intent("cart", "c-1"));

    // Act
    const first = await dispatchSends(deps, batch);
    const second = await dispatchSends(deps, batch);

    // Assess
    expect(first.failed).toEqual(new Set([batch[0]?.messageId]));
    expect(first.summary).toMatchObject({ sent: 0, failedRetryable: 1 });
    expect(time.sleeps).toHaveLength(2);
    expect(ledger.releases).toBe(1);
    expect(second.failed.size).toBe(0);
    expect(second.summary.sent).toBe(1);
    expect(mailer.sent).toHaveLength(1);
    expect(mailer.calls).toBe(4);
  });

  it("a permanent SES rejection is recorded as failed and never retried", async () => {
    // Prepare
    const { deps, ledger, mailer } = harness([campaign()], [customer("c-1")]);
    mailer.failures.push(new MailerRejectedError("MessageRejected: bad address"));
    const one = intent("cart", "c-1");

    // Act
    const first = await dispatchSends(deps, messages(one));
    const again = await dispatchSends(deps, messages(one));

    // Assess
    expect(first.failed.size).toBe(0);
    expect(first.summary.failedPermanent).toBe(1);
    expect(again.summary.duplicates).toBe(1);
    expect(mailer.calls).toBe(1);
    expect(ledger.of(one.key)).toEqual([
      expect.objectContaining({ outcome: "failed", reason: "MessageRejected: bad address" }),
    ]);
  });

  it("a timeout that may have sent the email is settled as failed, never sent again", async () => {
    const { deps, ledger, mailer } = harness([campaign()], [customer("c-1")]);
    mailer.failures.push(new MailerUnavailableError("socket hang up", { maybeSent: true }));
    const one = intent("cart", "c-1");

    const first = await dispatchSends(deps, messages(one));
    const again = await dispatchSends(deps, messages(one));

    expect(first.failed.size).toBe(0);
    expect(mailer.calls).toBe(1);
    expect(again.summary.duplicates).toBe(1);
    expect(ledger.of(one.key)[0]?.reason).toMatch(/^provider outcome unknown/);
  });

  it("fails back a message whose claim another attempt holds, without sending", async () => {
    const { deps, ledger, mailer } = harness([campaign()], [customer("c-1")]);
    const one = intent("cart", "c-1");
    await ledger.claim(one, T0);
    const batch = messages(one);

    const { failed, summary } = await dispatchSends(deps, batch);

    expect(failed).toEqual(new Set([batch[0]?.messageId]));
    expect(summary.failedRetryable).toBe(1);
    expect(mailer.calls).toBe(0);
  });

  it("reports malformed bodies as failed (for the DLQ) and still dispatches the rest", async () => {
    const { deps, mailer } = harness([campaign()], [customer("c-1")]);
    const good = messages(intent("cart", "c-1"));
    const bad = [
      { messageId: "bad-json", body: "{not json" },
      { messageId: "bad-shape", body: JSON.stringify({ key: "x", step: -1 }) },
    ];

    const { failed, summary } = await dispatchSends(deps, [...bad, ...good]);

    expect(failed).toEqual(new Set(["bad-json", "bad-shape"]));
    expect(summary).toMatchObject({ received: 3, malformed: 2, sent: 1 });
    expect(mailer.sent).toHaveLength(1);
  });

  it("uses a campaign variant's Liquid subject in place of the template's", async () => {
    const own = campaign({
      variants: [
        { id: "b", weight: 1, subject: 'Just for you, {{ customer.first_name | default: "friend" }}' },
      ],
    });
    const { deps, mailer, ledger } = harness([own], [customer("c-1", { first_name: "Bo" })]);
    const one = intent("cart", "c-1");

    await dispatchSends(deps, messages(one));

    expect(mailer.sent[0]).toMatchObject({ variant: "b", content: { subject: "Just for you, Bo" } });
    expect(ledger.of(one.key)[0]).toMatchObject({ outcome: "sent", variant: "b" });
  });

  it("records a render failure as a permanent failure and sends nothing", async () => {
    // A variant subject naming a variable without a fallback fails under strict variables.
    const broken = campaign({ variants: [{ id: "b", weight: 1, subject: "Hi {{ customer.nickname }}" }] });
    const { deps, mailer, ledger } = harness([broken], [customer("c-1")]);
    const one = intent("cart", "c-1");

    const { failed, summary } = await dispatchSends(deps, messages(one));

    expect(mailer.calls).toBe(0);
    expect(failed.size).toBe(0);
    expect(summary.failedPermanent).toBe(1);
    expect(ledger.of(one.key)[0]).toMatchObject({
      outcome: "failed",
      reason: expect.stringMatching(/^render failed/),
    });
  });
});

describe("dispatchSends and the experiment counters", () => {
  it("counts each send under its variant and each holdout under the holdout arm, once per batch", async () => {
    // Prepare: customers the assignment splits between the holdout and the variant.
    const held = campaign({ holdout: 0.5 });
    const ids = Array.from({ length: 40 }, (_, i) => `c-${i}`);
    const holdouts = ids.filter((id) => assign(held.experiment, id, 0.5, held.variants).kind === "holdout");
    const { deps } = harness(
      [held],
      ids.map((id) => customer(id)),
    );
    const added: ExperimentIncrement[][] = [];
    const flushIds: string[] = [];
    const counted = {
      ...deps,
      experiments: {
        add: async (flushId: string, i: readonly ExperimentIncrement[]) => {
          flushIds.push(flushId);
          return added.push([...i]);
        },
        totals: async () => [],
      },
    };

    // Act
    const intents = ids.map((id) => intent("cart", id));
    const { summary } = await dispatchSends(counted, messages(...intents));

    // Assess: one flush per send, named by its send key (a redelivered intent counts once)
    expect(flushIds.sort()).toEqual(intents.map((i) => `send#${i.key}`).sort());
    const sent = added.flat();
    expect(sent.filter((i) => i.arm === "holdout")).toHaveLength(holdouts.length);
    expect(sent.filter((i) => i.arm === "a")).toHaveLength(summary.sent);
    expect(summary.sent + summary.heldOut).toBe(ids.length);
    expect(sent.every((i) => i.metric === "sent" && i.amount === 1 && i.campaignId === "cart")).toBe(true);
  });

  it("puts an Email Held Out event per holdout, once however often the intent is delivered", async () => {
    const held = campaign({ holdout: 0.5 });
    const id =
      Array.from({ length: 100 }, (_, i) => `c-${i}`).find(
        (candidate) => assign(held.experiment, candidate, 0.5, held.variants).kind === "holdout",
      ) ?? "none";
    const { deps } = harness([held], [customer(id)]);
    const put: Uint8Array[] = [];
    const events = {
      put: async (records: readonly { customerId: string; data: Uint8Array }[]) => {
        put.push(...records.map((r) => r.data));
        return { accepted: records.length, rejected: [] };
      },
    };
    const one = intent("cart", id);

    await dispatchSends({ ...deps, events }, messages(one));
    await dispatchSends({ ...deps, events }, messages(one));

    expect(put).toHaveLength(1);
    const decoded = decodeEvent(put[0] ?? new Uint8Array(), T0);
    if (!decoded.ok) throw new Error(decoded.error.message);
    expect(decoded.event).toMatchObject({
      kind: "email_held_out",
      customerId: id,
      email: { campaignId: "cart", variant: "holdout", messageId: one.key },
    });
  });

  it("tests a recommendation algorithm: the best-sellers variant never asks the model, the other does", async () => {
    const split = campaign({
      variants: [
        { id: "a", weight: 1 },
        { id: "b", weight: 1, recommendations: "best-sellers" },
      ],
    });
    const ids = Array.from({ length: 30 }, (_, i) => `c-${i}`);
    const { deps, ledger } = harness(
      [split],
      ids.map((id) => customer(id)),
    );
    const asked: string[] = [];
    const recommender = {
      recommend: async (request: { customerId: string }) => {
        asked.push(request.customerId);
        return [];
      },
    };

    await dispatchSends(
      { ...deps, content: { ...deps.content, recommender } },
      messages(...ids.map((id) => intent("cart", id))),
    );

    const sentTo = (variant: string) =>
      ledger.log.filter((e) => e.outcome === "sent" && e.variant === variant).map((e) => e.customerId);
    expect(sentTo("a").length).toBeGreaterThan(0);
    expect(sentTo("b").length).toBeGreaterThan(0);
    expect(asked.sort()).toEqual(sentTo("a").sort());
  });
});

describe("dispatchSends and an erasure in flight", () => {
  it("removes what it wrote for a customer erased while its intent was handled, and only then", async () => {
    // Prepare: the profile is there when dispatch loads it, and gone (erased) when dispatch looks again.
    const { deps, mailer } = harness([campaign()], [customer("c-1"), customer("c-2")]);
    let reads = 0;
    const erasedLedger: string[] = [];
    const erasedTimers: string[] = [];
    const racing = {
      ...deps,
      profiles: {
        get: async (customerId: string) =>
          customerId === "c-1" && ++reads > 1 ? undefined : deps.profiles.get(customerId),
      },
      erased: {
        ledger: { erase: async (customerId: string) => erasedLedger.push(customerId) },
        timers: { erase: async (customerId: string) => erasedTimers.push(customerId) },
      },
    };

    // Act
    await dispatchSends(racing, messages(intent("cart", "c-1"), intent("cart", "c-2")));

    // Assess: c-1's claim and log entry are removed; c-2, still a customer, keeps its own.
    expect(mailer.sent.map((m) => m.customerId).sort()).toEqual(["c-1", "c-2"]);
    expect(erasedLedger).toEqual(["c-1"]);
    expect(erasedTimers).toEqual(["c-1"]);
  });
});
