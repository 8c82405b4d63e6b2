import { describe, expect, it } from "vitest";
import { CustomerBusyError, withCustomerLock } from "#shared/app/customer-send-lock.js";
import { dispatchSends } from "#shared/app/dispatch-sends.js";
import { FakeTime } from "../campaigns-adapters/fake-time.js";
import { InMemoryLedger } from "./fakes.js";
import { campaign, customer, harness, intent, messages, T0 } from "./harness.js";

describe("a frequency cap across parallel batches (the customer's send lock)", () => {
  it("holds when one customer's intents arrive in two batches dispatched at once", async () => {
    // Prepare: a cap of one a week; two campaigns' intents, each in a batch of its own (two Lambda invocations of
    // the sends queue at once). test/long/channels.long.ts found both sent before the lock.
    const cap = { frequencyCap: { max: 1, per: "7d" } };
    const first = campaign({ id: "cart", priority: 50, policy: cap });
    const second = campaign({ id: "offer", priority: 50, policy: cap });
    const { deps, ledger, mailer } = harness([first, second], [customer("c-1")]);
    const a = intent("cart", "c-1");
    const b = intent("offer", "c-1");

    // Act
    const results = await Promise.all([dispatchSends(deps, messages(a)), dispatchSends(deps, messages(b))]);

    // Assess: one email; the other decided after it, capped, and nothing left locked
    expect(mailer.sent).toHaveLength(1);
    expect(results.map((r) => r.summary.sent).sort()).toEqual([0, 1]);
    const outcomes = [...ledger.of(a.key), ...ledger.of(b.key)].map((entry) => [entry.outcome, entry.reason]);
    expect(outcomes).toContainEqual(["skipped", "capped: 1 marketing email in 7 days"]);
    expect(ledger.locks.size).toBe(0);
  });

  it("counts the sends recorded while it waited for the lock (it decides at the time it got the lock)", async () => {
    // Prepare: a cap of two; one send earlier today; c-1's lock held by a send in another batch
    const cap = { frequencyCap: { max: 2, per: "7d" } };
    const { deps, ledger, mailer, time } = harness(
      [campaign({ id: "cart", policy: cap }), campaign({ id: "offer", policy: cap })],
      [customer("c-1")],
    );
    await ledger.record({
      key: "earlier",
      customerId: "c-1",
      campaignId: "cart",
      purpose: "marketing",
      priority: 0,
      at: T0 - 3_600_000,
      outcome: "sent",
    });
    ledger.locks.set("c-1", "other-batch");
    const late = intent("cart", "c-1");
    const waiting = intent("offer", "c-1");
    // While `waiting` waits, a minute passes: the other batch lets go, and `late` is sent and recorded then.
    let first = true;
    const sleep = async (ms: number) => {
      await time.sleep(ms);
      if (!first) return;
      first = false;
      time.advance(60_000);
      await ledger.unlockCustomer("c-1", "other-batch");
      await dispatchSends(deps, messages(late));
    };

    // Act
    await dispatchSends({ ...deps, customerLock: { sleep } }, messages(waiting));

    // Assess: two sends in the window, so the one that waited is capped
    expect(mailer.sent.map((mail) => mail.campaignId)).toEqual(["cart"]);
    expect(ledger.of(waiting.key)).toEqual([
      expect.objectContaining({ outcome: "skipped", reason: "capped: 2 marketing emails in 7 days" }),
    ]);
  });

  it("takes no lock for a campaign without a cap", async () => {
    const { deps, ledger, mailer } = harness([campaign({ id: "cart" })], [customer("c-1")]);
    ledger.locks.set("c-1", "someone-else");
    await dispatchSends(deps, messages(intent("cart", "c-1")));
    expect(mailer.sent).toHaveLength(1);
  });

  it("fails the message back for later when another send keeps the lock past the wait, releasing its claim", async () => {
    // Prepare: another attempt holds c-1's lock and never lets go
    const cap = { frequencyCap: { max: 3, per: "7d" } };
    const { deps, ledger, mailer, time } = harness(
      [campaign({ id: "cart", policy: cap })],
      [customer("c-1")],
    );
    ledger.locks.set("c-1", "another-send");
    const busy = intent("cart", "c-1");

    // Act
    const { failed, summary } = await dispatchSends(
      { ...deps, customerLock: { waitMs: 500, sleep: time.sleep } },
      messages(busy),
    );

    // Assess: retried later, nothing sent or recorded, the claim free for the retry
    expect(mailer.sent).toHaveLength(0);
    expect(summary.failedRetryable).toBe(1);
    expect(summary.failures[0]?.reason).toMatch(/another send to c-1 is being decided/);
    expect(failed.size).toBe(1);
    expect(ledger.claims.has(busy.key)).toBe(false);
    expect(time.sleeps.reduce((sum, ms) => sum + ms, 0)).toBeGreaterThanOrEqual(500);
  });
});

describe("withCustomerLock", () => {
  const time = new FakeTime(T0);

  it("drops the lock when the decision throws", async () => {
    const ledger = new InMemoryLedger();
    await expect(
      withCustomerLock({ ledger, clock: time }, { customerId: "c-1", key: "k-1" }, async () => {
        throw new Error("render failed");
      }),
    ).rejects.toThrow("render failed");
    expect(ledger.locks.size).toBe(0);
  });

  it("waits for a lock held briefly, then runs", async () => {
    const ledger = new InMemoryLedger();
    ledger.locks.set("c-1", "k-0");
    let tries = 0;
    const sleep = async () => {
      if (++tries === 2) await ledger.unlockCustomer("c-1", "k-0");
    };
    const ran = await withCustomerLock(
      { ledger, clock: time, customerLock: { sleep } },
      { customerId: "c-1", key: "k-1" },
      async () => ledger.locks.get("c-1"),
    );
    expect(ran).toBe("k-1");
    expect(tries).toBe(2);
  });

  it("gives up with a retryable error naming the customer", async () => {
    const ledger = new InMemoryLedger();
    ledger.locks.set("c-1", "k-0");
    const attempt = withCustomerLock(
      { ledger, clock: time, customerLock: { waitMs: 100, sleep: async () => {} } },
      { customerId: "c-1", key: "k-1" },
      async () => "ran",
    );
    await expect(attempt).rejects.toBeInstanceOf(CustomerBusyError);
    await expect(attempt).rejects.toMatchObject({ retryable: true });
  });
});
