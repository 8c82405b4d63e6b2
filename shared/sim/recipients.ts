import { createHash } from "node:crypto";
import type { LedgerEntry } from "../domain/campaigns/contracts.js";
import type { SendLedger } from "../ports.js";
import type { Product } from "./catalog.js";
import { clickableLinks, listUnsubscribeUrls } from "./mail-links.js";
import { PERSONA_BEHAVIOUR, type Persona } from "./personas.js";
import { Rng } from "./prng.js";
import type { SimRecord } from "./records.js";
import { type Actor, lineProperties, track } from "./segment-events.js";
import type { SentMail } from "./sent-mail.js";
import { type SesMailFacts, type SesOccurrence, type SimSesEvent, sesEventFor } from "./ses-events.js";

/** What the recipients need to know of a simulated customer (a `Customer` of `buildCustomers` fits). */
export interface RecipientCustomer {
  readonly id: string;
  readonly persona: Persona;
  /** P(opening a delivered email). */
  readonly emailEngagement: number;
  readonly traits: { readonly email: string };
}

/** How often the rare outcomes happen. */
export interface RecipientRates {
  /** P(hard bounce) per email; the address then bounces every later email too. @default 0.005 */
  readonly permanentBounce: number;
  /** P(complaint | delivered). @default 0.001 */
  readonly complaint: number;
}

/** Options of {@link SimulatedRecipients}. */
export interface RecipientsOptions {
  readonly customers: Iterable<RecipientCustomer>;
  /** The simulated shop's products: product links are recognised by their page, and bought. */
  readonly catalog: readonly Product[];
  /** Where the campaign and variant of each email are found (by its message id). */
  readonly ledger: Pick<SendLedger, "recent">;
  /** Any integer: the same seed and mail give the same reactions. */
  readonly seed: number;
  /** @default "tailor" */
  readonly configurationSetName?: string;
  readonly rates?: Partial<RecipientRates>;
  /** Mean time from delivery to open (ms). @default 5 minutes */
  readonly meanOpenDelayMs?: number;
  /**
   * How much more (or less) customers click each variant, as a multiplier of their persona's click rate
   * (e.g. `{ b: 2 }`): an experiment's true effect, for the demo and the tests. @default every variant alike
   */
  readonly variantAppeal?: Readonly<Record<string, number>>;
  /**
   * What each email's random stream is derived from: its SES message id, or its send's idempotency key (the
   * ledger entry's `key`: campaign, customer, occurrence), which is the same in every run of the same shop
   * while the provider's message ids are not. @default "message-id"
   */
  readonly reactionStream?: "message-id" | "send-key";
}

/** An email the recipients did not react to, and why. */
export interface SkippedMail {
  readonly messageId: string;
  readonly reason: string;
}

/** What the recipients did by `now`, oldest first within each list. */
export interface RecipientsOutput {
  /** For the SES feedback function, as EventBridge would deliver them. */
  readonly sesEvents: readonly SimSesEvent[];
  /** `Order Completed` events for the stream, as the shop's app would send them. */
  readonly shopEvents: readonly SimRecord[];
  readonly skipped: readonly SkippedMail[];
}

/** How many plays an email without a ledger entry is retried before it is given up. */
export const LEDGER_ATTEMPTS = 3;
const LEDGER_LOOKUP_LIMIT = 500;
const DEFAULT_RATES: RecipientRates = { permanentBounce: 0.005, complaint: 0.001 };
const SECOND = 1_000;
const MINUTE = 60_000;
const MAX_OPEN_DELAY_MS = 12 * 3_600_000;

type Planned =
  | { readonly at: number; readonly kind: "ses"; readonly event: SimSesEvent }
  | { readonly at: number; readonly kind: "shop"; readonly record: SimRecord };

const normaliseAddress = (address: string) =>
  (/<([^>]+)>/.exec(address)?.[1] ?? address).trim().toLowerCase();
const shortHash = (text: string) => createHash("sha256").update(text).digest("hex").slice(0, 12);

/**
 * The simulated shop's customers reading their mail on the local stack, where SES sends no feedback. Each new
 * email (by SES message id) is attributed to its customer (by the To address) and its campaign and variant (the
 * send ledger entry with the same message id); then, drawn from a random stream of (seed, message id), it is
 * delivered or hard-bounces, maybe draws a complaint, is opened by the customer's email engagement, clicked by
 * the persona's click rate (a product link first, never an unsubscribe link) and sometimes leads to an order.
 *
 * What happens is planned when an email is first seen and handed out as simulated time passes: `play` returns
 * what happened up to `now`. Deterministic for a seed and the same calls.
 */
export class SimulatedRecipients {
  readonly #byAddress: ReadonlyMap<string, RecipientCustomer>;
  readonly #productsByPath: ReadonlyMap<string, string>;
  readonly #products: ReadonlyMap<string, Product>;
  readonly #ledger: Pick<SendLedger, "recent">;
  readonly #seed: number;
  readonly #configurationSetName: string;
  readonly #rates: RecipientRates;
  readonly #meanOpenDelayMs: number;
  readonly #variantAppeal: Readonly<Record<string, number>>;
  readonly #reactionStream: "message-id" | "send-key";
  readonly #seen = new Set<string>();
  readonly #attempts = new Map<string, number>();
  readonly #hardBounced = new Set<string>();
  #planned: Planned[] = [];

  constructor(options: RecipientsOptions) {
    const byAddress = new Map<string, RecipientCustomer>();
    for (const customer of options.customers)
      byAddress.set(normaliseAddress(customer.traits.email), customer);
    this.#byAddress = byAddress;
    this.#productsByPath = new Map(options.catalog.map((p) => [new URL(p.url).pathname, p.productId]));
    this.#products = new Map(options.catalog.map((p) => [p.productId, p]));
    this.#ledger = options.ledger;
    this.#seed = options.seed;
    this.#configurationSetName = options.configurationSetName ?? "tailor";
    this.#rates = { ...DEFAULT_RATES, ...options.rates };
    this.#meanOpenDelayMs = options.meanOpenDelayMs ?? 5 * MINUTE;
    this.#variantAppeal = options.variantAppeal ?? {};
    this.#reactionStream = options.reactionStream ?? "message-id";
  }

  /** Reactions planned but not yet due. */
  get pending(): number {
    return this.#planned.length;
  }

  /** When the next planned reaction is due (epoch ms); undefined when none is planned. */
  get nextAt(): number | undefined {
    return this.#planned.reduce<number | undefined>(
      (min, item) => (min === undefined || item.at < min ? item.at : min),
      undefined,
    );
  }

  /** Reacts to the emails not seen before and returns everything that happened at or before `now` (epoch ms). */
  async play(mail: readonly SentMail[], now: number): Promise<RecipientsOutput> {
    const skipped: SkippedMail[] = [];
    for (const email of mail) {
      if (this.#seen.has(email.messageId)) continue;
      const outcome = await this.#attribute(email);
      if ("reason" in outcome) {
        skipped.push({ messageId: email.messageId, reason: outcome.reason });
        continue;
      }
      this.#seen.add(email.messageId);
      this.#attempts.delete(email.messageId);
      this.#planned.push(...this.#react(email, outcome.customer, outcome.entry));
    }
    this.#planned.sort((a, b) => a.at - b.at);
    const due = this.#planned.filter((item) => item.at <= now);
    this.#planned = this.#planned.filter((item) => item.at > now);
    return {
      sesEvents: due.flatMap((item) => (item.kind === "ses" ? [item.event] : [])),
      shopEvents: due.flatMap((item) => (item.kind === "shop" ? [item.record] : [])),
      skipped,
    };
  }

  /** The email's customer and ledger entry, or why it cannot be attributed (remembered when it never will be). */
  async #attribute(
    email: SentMail,
  ): Promise<{ customer: RecipientCustomer; entry: LedgerEntry } | { reason: string }> {
    const [to] = email.to;
    const customer = to === undefined ? undefined : this.#byAddress.get(normaliseAddress(to));
    if (customer === undefined || email.to.length !== 1) {
      this.#seen.add(email.messageId);
      return { reason: `no single simulated customer is addressed (to: ${email.to.join(", ") || "nobody"})` };
    }
    const entries = await this.#ledger.recent(customer.id, 0, LEDGER_LOOKUP_LIMIT);
    const entry = entries.find((e) => e.messageId === email.messageId && e.outcome === "sent");
    if (entry !== undefined) return { customer, entry };
    // The mailer returns before the ledger entry is written: look again on the next plays before giving up.
    const attempts = (this.#attempts.get(email.messageId) ?? 0) + 1;
    this.#attempts.set(email.messageId, attempts);
    if (attempts >= LEDGER_ATTEMPTS) {
      this.#seen.add(email.messageId);
      this.#attempts.delete(email.messageId);
      return {
        reason: `no send ledger entry of ${customer.id} has this message id: campaign unknown, given up`,
      };
    }
    return { reason: `no send ledger entry of ${customer.id} has this message id yet: campaign unknown` };
  }

  /** Plans the recipient's reactions to one email, from the email's own random stream. */
  #react(email: SentMail, customer: RecipientCustomer, entry: LedgerEntry): Planned[] {
    const rng = Rng.derive(
      this.#seed,
      "recipient",
      this.#reactionStream === "send-key" ? entry.key : email.messageId,
    );
    const facts: SesMailFacts = {
      messageId: email.messageId,
      from: email.from,
      to: email.to,
      sentAt: entry.at,
      customerId: entry.customerId,
      campaignId: entry.campaignId,
      variant: entry.variant,
      configurationSetName: this.#configurationSetName,
    };
    const ses = (occurrence: SesOccurrence, at: number): Planned => ({
      at,
      kind: "ses",
      event: sesEventFor(facts, occurrence, at),
    });
    const address = normaliseAddress(customer.traits.email);

    if (this.#hardBounced.has(address) || rng.chance(this.#rates.permanentBounce)) {
      this.#hardBounced.add(address);
      return [
        ses({ type: "Bounce", bounceType: "Permanent" }, entry.at + rng.intBetween(SECOND, 30 * SECOND)),
      ];
    }
    const deliveredAt = entry.at + rng.intBetween(SECOND, 5 * SECOND);
    const planned: Planned[] = [ses({ type: "Delivery" }, deliveredAt)];
    if (rng.chance(this.#rates.complaint)) {
      planned.push(ses({ type: "Complaint" }, deliveredAt + rng.intBetween(MINUTE, 30 * MINUTE)));
      return planned;
    }
    if (!rng.chance(customer.emailEngagement)) return planned;
    const openedAt =
      deliveredAt + SECOND + Math.round(Math.min(MAX_OPEN_DELAY_MS, rng.exponential(this.#meanOpenDelayMs)));
    planned.push(ses({ type: "Open" }, openedAt));

    const behaviour = PERSONA_BEHAVIOUR[customer.persona];
    // A variant the customers like better (an experiment's true effect, for demos and tests) multiplies clicks.
    const appeal = entry.variant === undefined ? 1 : (this.#variantAppeal[entry.variant] ?? 1);
    if (!rng.chance(Math.min(1, behaviour.clickRate * appeal))) return planned;
    const links = clickableLinks(email.html ?? "", listUnsubscribeUrls(email.headers), this.#productsByPath);
    const clicked =
      links.products.length > 0
        ? rng.pick(links.products)
        : links.others.length > 0
          ? { url: rng.pick(links.others), productId: undefined }
          : undefined;
    if (clicked === undefined) return planned;
    const clickedAt = openedAt + rng.intBetween(5 * SECOND, 60 * SECOND);
    planned.push(ses({ type: "Click", link: clicked.url }, clickedAt));

    const product = clicked.productId === undefined ? undefined : this.#products.get(clicked.productId);
    if (
      product === undefined ||
      !product.inStock ||
      !rng.chance(behaviour.checkoutRate * behaviour.orderRate)
    ) {
      return planned;
    }
    const orderedAt = clickedAt + rng.intBetween(2 * MINUTE, 15 * MINUTE);
    planned.push({
      at: orderedAt,
      kind: "shop",
      record: this.#order(email, customer, product, clicked.url, orderedAt),
    });
    return planned;
  }

  /** The shop's `Order Completed` for the clicked product, with the link's UTM tags as `context.campaign`. */
  #order(email: SentMail, customer: RecipientCustomer, product: Product, url: string, at: number): SimRecord {
    const utm = new URL(url).searchParams;
    const campaign = Object.fromEntries(
      (["name", "source", "medium", "content", "term"] as const).flatMap((field) => {
        const value = utm.get(field === "name" ? "utm_campaign" : `utm_${field}`);
        return value === null ? [] : [[field, value]];
      }),
    );
    const actor: Actor = {
      partitionKey: customer.id,
      ids: { userId: customer.id },
      context: Object.keys(campaign).length > 0 ? { campaign } : undefined,
    };
    const record = track(actor, at, "Order Completed", {
      order_id: `ord-em-${shortHash(email.messageId)}`,
      total: product.price,
      revenue: product.price,
      currency: product.currency,
      products: [lineProperties({ product, quantity: 1 })],
    });
    return { ...record, event: { ...record.event, messageId: `sim-order-${email.messageId}` } };
  }
}
