import { describe, expect, it } from "vitest";
import { TokenBucket } from "#shared/app/rate-limiter.js";
import { sendWithBackoff } from "#shared/app/send-with-backoff.js";
import { MailerRejectedError, MailerThrottledError, MailerUnavailableError } from "#shared/mailer-errors.js";
import type { Mailer, MailReceipt, OutgoingEmail } from "#shared/ports.js";
import { FakeTime } from "./fake-time.js";

const T0 = Date.UTC(2026, 10, 23, 12);

const email: OutgoingEmail = {
  to: "ada@example.com",
  content: { subject: "Hi", html: "<p>Hi</p>", text: "Hi", headers: {} },
  sendKey: "welcome#c-1#o1#0",
  customerId: "c-1",
  campaignId: "welcome",
  variant: "a",
};

/** A mailer that fails with the given errors, in order, then accepts; it notes when each call came. */
class ScriptedMailer implements Mailer {
  readonly calls: number[] = [];
  readonly #failures: Error[];
  readonly #time: FakeTime;

  constructor(time: FakeTime, failures: Error[]) {
    this.#time = time;
    this.#failures = [...failures];
  }

  async send(_email: OutgoingEmail): Promise<MailReceipt> {
    this.calls.push(this.#time.now());
    const failure = this.#failures.shift();
    if (failure !== undefined) throw failure;
    return { messageId: `m-${this.calls.length}` };
  }
}

function setup(failures: Error[], ratePerSecond = 10) {
  const time = new FakeTime(T0);
  const mailer = new ScriptedMailer(time, failures);
  const limiter = new TokenBucket({ ratePerSecond, clock: time, sleep: time.sleep });
  return { time, mailer, limiter };
}

describe("sendWithBackoff", () => {
  it("retries a throttled send twice with growing jittered backoff, then returns the receipt", async () => {
    // Prepare
    const { time, mailer, limiter } = setup([
      new MailerThrottledError("slow down"),
      new MailerThrottledError("slow down"),
    ]);

    // Act
    const receipt = await sendWithBackoff(mailer, email, {
      maxAttempts: 5,
      baseMs: 100,
      limiter,
      sleep: time.sleep,
      random: () => 0.5,
    });

    // Assess: half of 100 ms, then half of 200 ms, between the three attempts.
    expect(receipt).toEqual({ messageId: "m-3" });
    expect(mailer.calls.map((t) => t - T0)).toEqual([0, 100, 200]);
    expect(time.sleeps).toEqual([50, 50, 100]);
  });

  it("keeps retries within the send rate even when the backoff is shorter", async () => {
    // Prepare: 2 sends a second, a tiny backoff.
    const { time, mailer, limiter } = setup(
      [new MailerThrottledError("slow"), new MailerUnavailableError("5xx", { maybeSent: false })],
      2,
    );

    // Act
    await sendWithBackoff(mailer, email, { maxAttempts: 3, baseMs: 10, limiter, sleep: time.sleep });

    // Assess
    const gaps = mailer.calls.slice(1).map((t, i) => t - (mailer.calls[i] ?? 0));
    expect(gaps).toHaveLength(2);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(500);
  });

  it("throws a permanent rejection at once, without retrying or sleeping", async () => {
    // Prepare
    const rejected = new MailerRejectedError("MessageRejected");
    const { time, mailer, limiter } = setup([rejected]);

    // Act
    const failure = sendWithBackoff(mailer, email, {
      maxAttempts: 5,
      baseMs: 100,
      limiter,
      sleep: time.sleep,
    });

    // Assess
    await expect(failure).rejects.toBe(rejected);
    expect(mailer.calls).toHaveLength(1);
    expect(time.sleeps).toEqual([]);
  });

  it("does not retry an unavailable error that may have sent the email", async () => {
    // Prepare
    const timeout = new MailerUnavailableError("timeout", { maybeSent: true });
    const { time, mailer, limiter } = setup([timeout]);

    // Act
    const failure = sendWithBackoff(mailer, email, {
      maxAttempts: 5,
      baseMs: 100,
      limiter,
      sleep: time.sleep,
    });

    // Assess
    await expect(failure).rejects.toBe(timeout);
    expect(mailer.calls).toHaveLength(1);
  });

  it("gives up after maxAttempts with the last retryable error", async () => {
    // Prepare
    const last = new MailerThrottledError("third");
    const { time, mailer, limiter } = setup([
      new MailerThrottledError("first"),
      new MailerThrottledError("second"),
      last,
    ]);

    // Act
    const failure = sendWithBackoff(mailer, email, {
      maxAttempts: 3,
      baseMs: 100,
      limiter,
      sleep: time.sleep,
    });

    // Assess
    await expect(failure).rejects.toBe(last);
    expect(mailer.calls).toHaveLength(3);
  });

  it("never waits longer than maxMs between attempts", async () => {
    // Prepare
    const { time, mailer, limiter } = setup(
      Array.from({ length: 6 }, () => new MailerThrottledError("slow")),
      1000,
    );

    // Act
    await sendWithBackoff(mailer, email, {
      maxAttempts: 7,
      baseMs: 100,
      maxMs: 400,
      limiter,
      sleep: time.sleep,
      random: () => 0.999,
    });

    // Assess: at 1,000 sends a second the limiter never waits; the backoffs cap below 400.
    expect(time.sleeps).toEqual([99, 199, 399, 399, 399, 399]);
  });
});
