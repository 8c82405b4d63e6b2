import { describe, expect, it } from "vitest";
import { sesFeedbackToEvents } from "#shared/app/ses-feedback.js";
import { decodeEvent } from "#shared/domain/events/index.js";
import { buildCatalog, type Product } from "#shared/sim/catalog.js";
import { buildCustomers, type Customer } from "#shared/sim/customers.js";
import { ESTABLISHED_PERSONAS, PERSONA_BEHAVIOUR } from "#shared/sim/personas.js";
import { LEDGER_ATTEMPTS, type RecipientRates, SimulatedRecipients } from "#shared/sim/recipients.js";
import type { SentMail } from "#shared/sim/sent-mail.js";
import type { SimSesEvent } from "#shared/sim/ses-events.js";
import { campaignHtml, FakeLedger, PREFERENCES, sentMail, UNSUBSCRIBE, VIEW } from "./recipient-helpers.js";

const SEED = 7;
const START = Date.parse("2026-11-01T00:00:00Z");
const LATER = START + 30 * 86_400_000;
const catalog = buildCatalog(SEED);
const customers = buildCustomers(SEED, 300, START);
const inStock = catalog.filter((p) => p.inStock);
const utf8 = new TextEncoder();

function productFor(i: number): Product {
  const product = inStock[i % inStock.length];
  if (product === undefined) throw new Error("no product in stock");
  return product;
}

/** `perCustomer` emails to every customer, one minute apart, each with a product card. */
function mailbox(ledger: FakeLedger, perCustomer: number, html = campaignHtml): SentMail[] {
  const mail: SentMail[] = [];
  customers.forEach((customer, c) => {
    for (let n = 0; n < perCustomer; n++) {
      mail.push(
        sentMail(ledger, {
          messageId: `ses-${c}-${n}`,
          to: customer.traits.email,
          customerId: customer.id,
          at: START + (n * customers.length + c) * 60_000,
          html: html(productFor(c + n)),
        }),
      );
    }
  });
  return mail;
}

function recipients(ledger: FakeLedger, options: { seed?: number; rates?: Partial<RecipientRates> } = {}) {
  return new SimulatedRecipients({
    customers,
    catalog,
    ledger,
    seed: options.seed ?? SEED,
    rates: options.rates,
  });
}

const typeOf = (event: SimSesEvent) => event.detail.eventType;
const messageOf = (event: SimSesEvent) => event.detail.mail.messageId;

describe("SimulatedRecipients", () => {
  it("is deterministic for a seed, and another seed plays differently", async () => {
    const ledger = new FakeLedger();
    const mail = mailbox(ledger, 2);
    const first = await recipients(ledger).play(mail, LATER);
    const again = await recipients(ledger).play(mail, LATER);
    const other = await recipients(ledger, { seed: SEED + 1 }).play(mail, LATER);
    expect(first.sesEvents.length).toBeGreaterThan(mail.length);
    expect(again).toEqual(first);
    expect(other.sesEvents).not.toEqual(first.sesEvents);
  });

  it("reacts to each email once, however often the store is read", async () => {
    const ledger = new FakeLedger();
    const mail = mailbox(ledger, 1);
    const sim = recipients(ledger);
    const once = await sim.play(mail, LATER);
    const twice = await sim.play(mail, LATER);
    expect(once.sesEvents.filter((e) => typeOf(e) === "Delivery" || typeOf(e) === "Bounce")).toHaveLength(
      mail.length,
    );
    expect(twice).toEqual({ sesEvents: [], shopEvents: [], skipped: [] });
  });

  it("hands out what happened by `now` only, in time order", async () => {
    const ledger = new FakeLedger();
    const [mail] = mailbox(ledger, 1);
    if (mail === undefined) throw new Error("no mail");
    const sim = recipients(ledger, { rates: { permanentBounce: 0 } });
    const sentAt = START;
    const atSend = await sim.play([mail], sentAt);
    expect(atSend.sesEvents).toEqual([]);
    expect(sim.pending).toBeGreaterThan(0);
    const soon = await sim.play([], sentAt + 10_000);
    expect(soon.sesEvents.map(typeOf)).toEqual(["Delivery"]);
    const rest = await sim.play([], LATER);
    expect(sim.pending).toBe(0);
    const times = rest.sesEvents.map((e) => Date.parse(e.time));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(times.every((t) => t > sentAt + 10_000 && t <= LATER)).toBe(true);
  });

  it("never clicks an unsubscribe, preferences or signed link, and prefers product links", async () => {
    const ledger = new FakeLedger();
    const mail = mailbox(ledger, 4);
    const { sesEvents } = await recipients(ledger).play(mail, LATER);
    const links = sesEvents.flatMap((e) => (e.detail.click === undefined ? [] : [e.detail.click.link]));
    expect(links.length).toBeGreaterThan(50);
    expect(
      links.filter(
        (link) => [UNSUBSCRIBE, PREFERENCES, VIEW].includes(link) || /unsubscribe|\?t=/.test(link),
      ),
    ).toEqual([]);
    expect(links.every((link) => link.startsWith("https://example.com/products/"))).toBe(true);
  });

  it("clicks nothing when the email has only opt-out links", async () => {
    const ledger = new FakeLedger();
    const optOutOnly = () =>
      `<a href="${UNSUBSCRIBE}">Unsubscribe</a> <a href="${PREFERENCES.replace("&", "&amp;")}">Preferences</a>`;
    const mail = mailbox(ledger, 3, optOutOnly);
    const { sesEvents } = await recipients(ledger).play(mail, LATER);
    expect(sesEvents.some((e) => typeOf(e) === "Open")).toBe(true);
    expect(sesEvents.filter((e) => typeOf(e) === "Click")).toEqual([]);
  });

  it("opens by each customer's engagement and clicks by the persona's click rate (roughly, over many emails)", async () => {
    const ledger = new FakeLedger();
    const mail = mailbox(ledger, 12);
    const { sesEvents } = await recipients(ledger).play(mail, LATER);
    const customerOf = new Map(mail.map((m, i) => [m.messageId, customers[Math.floor(i / 12)]]));
    const byPersona = new Map<
      string,
      { delivered: number; opened: number; clicked: number; expected: number }
    >();
    for (const event of sesEvents) {
      const customer = customerOf.get(messageOf(event));
      if (customer === undefined) throw new Error(`unknown message ${messageOf(event)}`);
      const stats = byPersona.get(customer.persona) ?? { delivered: 0, opened: 0, clicked: 0, expected: 0 };
      if (typeOf(event) === "Delivery") {
        stats.delivered++;
        stats.expected += customer.emailEngagement;
      }
      if (typeOf(event) === "Open") stats.opened++;
      if (typeOf(event) === "Click") stats.clicked++;
      byPersona.set(customer.persona, stats);
    }
    for (const persona of ESTABLISHED_PERSONAS) {
      const stats = byPersona.get(persona);
      if (stats === undefined) throw new Error(`no ${persona} in the sample`);
      const openRate = stats.opened / stats.delivered;
      expect(Math.abs(openRate - stats.expected / stats.delivered), persona).toBeLessThan(0.05);
      expect(Math.abs(openRate - PERSONA_BEHAVIOUR[persona].openRate), persona).toBeLessThan(0.12);
      expect(
        Math.abs(stats.clicked / stats.opened - PERSONA_BEHAVIOUR[persona].clickRate),
        persona,
      ).toBeLessThan(0.07);
    }
    const rate = (persona: string) => {
      const s = byPersona.get(persona);
      return s === undefined ? 0 : s.opened / s.delivered;
    };
    expect(rate("loyal")).toBeGreaterThan(rate("lapsing"));
  });

  it("a bounce is a Permanent SES bounce, ingested as a hard bounce", async () => {
    const ledger = new FakeLedger();
    const mail = mailbox(ledger, 1);
    const sim = recipients(ledger, { rates: { permanentBounce: 1 } });
    const { sesEvents } = await sim.play(mail, LATER);
    expect(sesEvents).toHaveLength(mail.length);
    for (const event of sesEvents) {
      expect(event["detail-type"]).toBe("Email Bounced");
      expect(event.detail.bounce?.bounceType).toBe("Permanent");
    }
    const [first] = sesEvents;
    const mapping = sesFeedbackToEvents(first);
    if (!mapping.ok) throw new Error(mapping.message);
    const decoded = decodeEvent(utf8.encode(JSON.stringify(mapping.event)), LATER);
    expect(decoded.ok && decoded.event.kind === "email_bounced" && decoded.event.bounceType).toBe(
      "Permanent",
    );
  });

  it("rare outcomes stay rare by default, and a hard-bounced address bounces every later email", async () => {
    const ledger = new FakeLedger();
    const mail = mailbox(ledger, 12);
    const { sesEvents } = await recipients(ledger).play(mail, LATER);
    const bounced = sesEvents.filter((e) => typeOf(e) === "Bounce");
    const complaints = sesEvents.filter((e) => typeOf(e) === "Complaint");
    expect(bounced.length / mail.length).toBeLessThan(0.05);
    expect(complaints.length / mail.length).toBeLessThan(0.01);
    const firstBounce = bounced[0];
    if (firstBounce === undefined)
      throw new Error("no bounce among so many emails: the default rate is broken");
    const address = firstBounce.detail.mail.destination?.[0];
    const later = sesEvents.filter(
      (e) =>
        e.detail.mail.destination?.[0] === address &&
        Date.parse(e.detail.mail.timestamp) > Date.parse(firstBounce.detail.mail.timestamp),
    );
    expect(later.map(typeOf).every((t) => t === "Bounce")).toBe(true);
  });

  it("every SES event maps to an event the ingest accepts, and buyers' orders carry the clicked product and UTM tags", async () => {
    const ledger = new FakeLedger();
    const mail = mailbox(ledger, 3);
    const { sesEvents, shopEvents } = await recipients(ledger).play(mail, LATER);
    for (const event of sesEvents) {
      const mapping = sesFeedbackToEvents(event);
      if (!mapping.ok) throw new Error(mapping.message);
      expect(decodeEvent(utf8.encode(JSON.stringify(mapping.event)), LATER).ok).toBe(true);
    }
    expect(shopEvents.length).toBeGreaterThan(0);
    const clicks = new Map(
      sesEvents.flatMap((e) => (e.detail.click ? [[messageOf(e), e.detail.click]] : [])),
    );
    for (const record of shopEvents) {
      const decoded = decodeEvent(utf8.encode(JSON.stringify(record.event)), LATER);
      if (!decoded.ok) throw new Error(decoded.error.message);
      expect(decoded.event.kind).toBe("order_completed");
      expect(record.event.context).toMatchObject({
        campaign: { name: "cart_abandonment", source: "tailor", medium: "email", content: "b" },
      });
      const messageId = String(record.event.messageId).replace(/^sim-order-/, "");
      const click = clicks.get(messageId);
      if (decoded.event.kind !== "order_completed" || click === undefined)
        throw new Error("order without a click");
      const bought = decoded.event.order.products[0]?.productId ?? "";
      expect(click.link).toContain(catalog.find((p) => p.productId === bought)?.url ?? "?");
      expect(record.at).toBeGreaterThan(Date.parse(click.timestamp));
      expect(record.partitionKey).toBe(decoded.event.customerId);
    }
  });

  it("skips an email to nobody it knows, for good", async () => {
    const ledger = new FakeLedger();
    const [mail] = mailbox(ledger, 1);
    if (mail === undefined) throw new Error("no mail");
    const stranger = { ...mail, to: ["stranger@example.org"] };
    const sim = recipients(ledger);
    const first = await sim.play([stranger], LATER);
    expect(first.skipped).toEqual([
      { messageId: mail.messageId, reason: expect.stringContaining("stranger@example.org") },
    ]);
    expect((await sim.play([stranger], LATER)).skipped).toEqual([]);
  });

  it("waits for the ledger entry (written after the send) before giving up on an email", async () => {
    const ledger = new FakeLedger();
    const customer: Customer | undefined = customers[0];
    if (customer === undefined) throw new Error("no customer");
    const orphan = sentMail(new FakeLedger(), {
      messageId: "ses-orphan",
      to: customer.traits.email,
      customerId: customer.id,
      at: START,
      html: campaignHtml(productFor(0)),
    });
    const sim = recipients(ledger);
    for (let attempt = 1; attempt <= LEDGER_ATTEMPTS; attempt++) {
      const { skipped, sesEvents } = await sim.play([orphan], LATER);
      expect(sesEvents).toEqual([]);
      expect(skipped[0]?.reason).toContain(attempt < LEDGER_ATTEMPTS ? "yet" : "given up");
    }
    expect(await sim.play([orphan], LATER)).toEqual({ sesEvents: [], shopEvents: [], skipped: [] });

    const late = sentMail(new FakeLedger(), {
      ...orphan,
      messageId: "ses-late",
      customerId: customer.id,
      to: customer.traits.email,
      at: START,
      html: orphan.html ?? "",
    });
    const second = recipients(ledger);
    expect((await second.play([late], LATER)).skipped).toHaveLength(1);
    sentMail(ledger, {
      messageId: "ses-late",
      to: customer.traits.email,
      customerId: customer.id,
      at: START,
      html: "",
    });
    const found = await second.play([late], LATER);
    expect(found.skipped).toEqual([]);
    expect(found.sesEvents.map(messageOf)).toContain("ses-late");
  });
});
