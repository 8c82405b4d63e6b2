import { describe, expect, it } from "vitest";
import { dispatchSends } from "#shared/app/dispatch-sends.js";
import type { Profile } from "#shared/domain/profile/index.js";
import type { OutgoingSms, SmsReceipt, SmsSender } from "#shared/ports.js";
import { parseSmsTemplate, SmsRenderer } from "#shared/render/sms-templates.js";
import { SmsRejectedError } from "#shared/sms-errors.js";
import { campaign, customer, harness, intent, messages, T0 } from "../dispatch/harness.js";

/** A sender that records texts, or refuses numbers it was told are opted out. */
class RecordingSmsSender implements SmsSender {
  readonly sent: OutgoingSms[] = [];
  readonly optedOut = new Set<string>();

  async send(sms: OutgoingSms): Promise<SmsReceipt> {
    if (this.optedOut.has(sms.to)) {
      throw new SmsRejectedError("ConflictException DESTINATION_PHONE_NUMBER_OPTED_OUT", { optedOut: true });
    }
    this.sent.push(sms);
    return { messageId: `sms-${this.sent.length}` };
  }
}

const smsRenderer = new SmsRenderer([
  parseSmsTemplate(
    "cart-reminder",
    '{{ customer.first_name | default: "Hi" }}, your cart waits. Reply STOP to opt out',
  ),
]);

/** A customer with an email address and a phone, SMS consent, and (unless said) no email consent. */
const texter = (id: string, emailConsent = false): Profile => ({
  ...customer(id, { first_name: "Ada", phone: "+33 6 12 34 56 78" }),
  c: { sms: { g: true, at: 0 }, ...(emailConsent ? { marketing_email: { g: true, at: 0 } } : {}) },
});

const either = campaign({
  steps: [{ channel: "email-else-sms", template: "cart-abandonment", sms: "cart-reminder" }],
});

function smsHarness(profiles: readonly Profile[], campaigns = [either]) {
  const h = harness(campaigns, profiles);
  const sender = new RecordingSmsSender();
  const remembered = new Map<string, string>();
  const deps = {
    ...h.deps,
    sms: {
      sender,
      renderer: smsRenderer,
      recipients: { remember: async (phone: string, id: string) => void remembered.set(phone, id) },
    },
  };
  return { ...h, deps, sender, remembered };
}

describe("dispatch on the SMS channel", () => {
  it("email-else-sms texts a customer without email consent: rendered, PROMOTIONAL, logged as sms", async () => {
    const { deps, sender, mailer, ledger, remembered } = smsHarness([texter("c-1")]);
    const { summary } = await dispatchSends(deps, messages(intent("cart", "c-1")));
    expect(summary).toMatchObject({ sent: 1 });
    expect(mailer.sent).toHaveLength(0);
    expect(sender.sent).toEqual([
      {
        to: "+33612345678",
        body: "Ada, your cart waits. Reply STOP to opt out",
        messageType: "PROMOTIONAL",
        sendKey: intent("cart", "c-1").key,
        customerId: "c-1",
        campaignId: "cart",
        variant: "a",
      },
    ]);
    expect(ledger.log).toMatchObject([{ outcome: "sent", channel: "sms", messageId: "sms-1" }]);
    expect(remembered.get("+33612345678")).toBe("c-1");
  });

  it("email-else-sms emails a customer who can receive email", async () => {
    const { deps, sender, mailer } = smsHarness([texter("c-1", true)]);
    await dispatchSends(deps, messages(intent("cart", "c-1")));
    expect(mailer.sent).toHaveLength(1);
    expect(sender.sent).toHaveLength(0);
  });

  it("a shared cap holds across channels: an email and a text use it up, the third is skipped", async () => {
    const policy = { frequencyCap: { max: 2, per: "7d" } };
    const mail = campaign({ id: "mail", policy });
    const text = campaign({ id: "text", policy, steps: [{ channel: "sms", sms: "cart-reminder" }] });
    const third = campaign({ id: "third", policy, steps: [{ channel: "sms", sms: "cart-reminder" }] });
    const { deps, sender, mailer, ledger, time } = smsHarness([texter("c-1", true)], [mail, text, third]);
    await dispatchSends(deps, messages(intent("mail", "c-1")));
    time.advance(60_000);
    await dispatchSends(deps, messages(intent("text", "c-1")));
    time.advance(60_000);
    const { summary } = await dispatchSends(deps, messages(intent("third", "c-1")));
    expect(mailer.sent).toHaveLength(1);
    expect(sender.sent).toHaveLength(1);
    expect(summary).toMatchObject({ skipped: 1 });
    expect(ledger.log.at(-1)).toMatchObject({
      campaignId: "third",
      outcome: "skipped",
      reason: "capped: 2 marketing sends (1 email, 1 SMS) in 7 days",
    });
  });

  it("a number on the provider's opt-out list fails for good, saying why, and is not retried", async () => {
    const { deps, sender, ledger } = smsHarness([texter("c-1")]);
    sender.optedOut.add("+33612345678");
    const { failed, summary } = await dispatchSends(deps, messages(intent("cart", "c-1")));
    expect(failed.size).toBe(0);
    expect(summary).toMatchObject({ failedPermanent: 1 });
    expect(ledger.log).toMatchObject([
      {
        outcome: "failed",
        channel: "sms",
        reason: "opted out at the SMS provider (replied STOP): +*******5678",
      },
    ]);
  });

  it("with SMS off, a text step is skipped and the ledger says so", async () => {
    const h = harness([either], [texter("c-1")]);
    await dispatchSends(h.deps, messages(intent("cart", "c-1")));
    expect(h.ledger.log).toMatchObject([
      { outcome: "skipped", reason: "SMS is off (-c sms=on): the step's text was not sent" },
    ]);
    expect(T0).toBeGreaterThan(0);
  });
});
