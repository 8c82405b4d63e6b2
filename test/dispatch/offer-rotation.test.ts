import { describe, expect, it } from "vitest";
import { dispatchSends } from "#shared/app/dispatch-sends.js";
import type { Profile } from "#shared/domain/profile/index.js";
import type { OutgoingSms, SmsReceipt, SmsSender } from "#shared/ports.js";
import {
  type CompiledTemplates,
  EmailRenderer,
  PREVIEW_LINKS,
  TEMPLATES_FORMAT,
} from "#shared/render/index.js";
import { eligibleOffers, offerOf } from "#shared/render/offer-view.js";
import { parseSmsTemplate, SmsRenderer } from "#shared/render/sms-templates.js";
import { campaign, customer, harness, intent, MINUTE, messages } from "./harness.js";

/** An email showing the offer block's data point (as `templates/blocks/offer.mjml` does), and one without it. */
const COMPILED: CompiledTemplates = {
  format: TEMPLATES_FORMAT,
  templates: [
    {
      name: "cart-abandonment",
      variants: [
        {
          id: "a",
          subject: "Your cart",
          preheader: "",
          html: '<p>{% if offer %}<strong>{{ offer.code }}</strong>{% endif %}</p><a href="{{ links.unsubscribe }}">Unsubscribe</a>',
          text: "{% if offer %}{{ offer.code }}{% endif %}",
        },
      ],
    },
    {
      name: "welcome",
      variants: [{ id: "a", subject: "Welcome", preheader: "", html: "<p>Welcome</p>", text: "Welcome" }],
    },
  ],
};

/** At risk and a champion: eligible for COMEBACK20 and VIP15. */
const twoOffers = (id: string): Profile => ({
  ...customer(id),
  sg: { "at-risk": { e: 0, v: 1 }, champions: { e: 0, v: 1 } },
});
/** At risk only: eligible for COMEBACK20 alone (two orders: no first-order offer either). */
const oneOffer = (id: string): Profile => ({
  ...customer(id),
  sg: { "at-risk": { e: 0, v: 1 } },
  o: { n: 2, r: 5000, v: 5000, f: 0, l: 0, c: "USD" },
});

class RecordingSmsSender implements SmsSender {
  readonly sent: OutgoingSms[] = [];
  async send(sms: OutgoingSms): Promise<SmsReceipt> {
    this.sent.push(sms);
    return { messageId: `sms-${this.sent.length}` };
  }
}

const mail = campaign({ id: "mail" });
const welcome = campaign({ id: "plain", steps: [{ delay: "0m", template: "welcome" }] });
const text = campaign({ id: "text", steps: [{ channel: "sms", sms: "offer-text" }] });

function rotationHarness(profiles: readonly Profile[]) {
  const h = harness([mail, welcome, text], profiles);
  const sender = new RecordingSmsSender();
  const deps = {
    ...h.deps,
    renderer: new EmailRenderer(COMPILED, { links: PREVIEW_LINKS }),
    sms: {
      sender,
      renderer: new SmsRenderer([
        parseSmsTemplate(
          "offer-text",
          "{% if offer %}Code {{ offer.code }}.{% endif %} Reply STOP to opt out",
        ),
      ]),
    },
  };
  /** Sends one intent of `campaignId` (a new occurrence each time), a minute after the last. */
  let n = 0;
  const send = async (campaignId: string, customerId: string) => {
    n++;
    h.time.advance(MINUTE);
    await dispatchSends(deps, messages(intent(campaignId, customerId, { occurrence: `o-${n}` })));
  };
  const codes = () => h.mailer.sent.map((email) => email.content.text.trim());
  return { ...h, deps, sender, send, codes };
}

describe("offer rotation: the same offer is not sent twice in a row", () => {
  it("chooses the best eligible offer that is not the last one; the only eligible offer is still shown", () => {
    const both = {
      segments: ["at-risk", "champions"],
      customer: { lifecycle_stage: "active", orders_count: 0 },
    } as const;
    expect(eligibleOffers(both).map((o) => o.code)).toEqual(["COMEBACK20", "VIP15", "WELCOME10"]);
    expect(offerOf(both)?.code).toBe("COMEBACK20");
    expect(offerOf(both, "COMEBACK20")?.code).toBe("VIP15");
    expect(offerOf(both, "VIP15")?.code).toBe("COMEBACK20");
    const only = { segments: [], customer: { lifecycle_stage: "active", orders_count: 0 } } as const;
    expect(offerOf(only, "WELCOME10")?.code).toBe("WELCOME10");
    const none = { segments: [], customer: { lifecycle_stage: "active", orders_count: 1 } } as const;
    expect(offerOf(none, "VIP15")).toBeUndefined();
  });

  it("two emails in a row carry two different offers when two are eligible, each recorded with its send", async () => {
    const { send, codes, ledger } = rotationHarness([twoOffers("c-1")]);
    await send("mail", "c-1");
    await send("mail", "c-1");
    await send("mail", "c-1");
    expect(codes()).toEqual(["COMEBACK20", "VIP15", "COMEBACK20"]);
    expect(ledger.log.filter((e) => e.outcome === "sent").map((e) => e.offerId)).toEqual([
      "COMEBACK20",
      "VIP15",
      "COMEBACK20",
    ]);
  });

  it("the only eligible offer is still shown every time", async () => {
    const { send, codes } = rotationHarness([oneOffer("c-2")]);
    await send("mail", "c-2");
    await send("mail", "c-2");
    expect(codes()).toEqual(["COMEBACK20", "COMEBACK20"]);
  });

  it("an email without the offer block records no offer and does not reset the rotation", async () => {
    const { send, codes, ledger } = rotationHarness([twoOffers("c-3")]);
    await send("mail", "c-3");
    await send("plain", "c-3");
    await send("mail", "c-3");
    expect(ledger.log.find((e) => e.campaignId === "plain")?.offerId).toBeUndefined();
    expect(codes().filter((code) => code !== "Welcome")).toEqual(["COMEBACK20", "VIP15"]);
  });

  it("texts take part: after an email's offer the text offers the other, and the next email follows the text", async () => {
    const profile: Profile = {
      ...twoOffers("c-4"),
      t: { email: "c-4@example.com", phone: "+33 6 12 34 56 78" },
      c: { marketing_email: { g: true, at: 0 }, sms: { g: true, at: 0 } },
    };
    const { send, codes, sender, ledger } = rotationHarness([profile]);
    await send("mail", "c-4");
    await send("text", "c-4");
    await send("mail", "c-4");
    expect(sender.sent.map((sms) => sms.body)).toEqual(["Code VIP15. Reply STOP to opt out"]);
    expect(ledger.log.find((e) => e.channel === "sms")?.offerId).toBe("VIP15");
    expect(codes()).toEqual(["COMEBACK20", "COMEBACK20"]);
  });
});
