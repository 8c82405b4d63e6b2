import { deriveSeed, mulberry32 } from "#shared/sim/prng.js";

/** One Segment-spec event of one customer, as put on the stream. */
export interface ShopEvent {
  readonly customerId: string;
  readonly body: Readonly<Record<string, unknown>>;
  readonly at: number;
}

/** The experiment the generated `Email Delivered` and `Email Opened` events are tagged with. */
export const EXPERIMENT_CAMPAIGN = "fault-exp";

const MINUTE = 60_000;
const CATEGORIES = ["shoes", "bags", "coats", "hats"] as const;

/**
 * A few hundred events of `customers` shoppers, deterministic in `seed`, between `start` and `start + 50 min`,
 * ordered by time: identify (with email), marketing consent, views, adds and a remove, orders, deliveries and
 * opens of emails tagged with {@link EXPERIMENT_CAMPAIGN} (some opened twice), and a second identify.
 */
export function shopEvents(options: {
  readonly prefix: string;
  readonly customers: number;
  readonly seed: number;
  readonly start: number;
}): ShopEvent[] {
  const events: ShopEvent[] = [];
  for (let c = 0; c < options.customers; c++) {
    const customerId = `${options.prefix}-${String(c).padStart(3, "0")}`;
    const random = mulberry32(deriveSeed(options.seed, customerId));
    const pick = (n: number) => Math.floor(random() * n);
    let at = options.start + pick(10) * MINUTE + pick(1000);
    let serial = 0;
    const push = (body: Record<string, unknown>) => {
      at += MINUTE + pick(MINUTE);
      serial++;
      events.push({
        customerId,
        at,
        body: {
          messageId: `${customerId}-m${serial}`,
          userId: customerId,
          timestamp: new Date(at).toISOString(),
          ...body,
        },
      });
    };
    const track = (event: string, properties: Record<string, unknown>) =>
      push({ type: "track", event, properties });

    push({
      type: "identify",
      traits: { email: `${customerId}@example.com`, first_name: `Ada${pick(100)}` },
    });
    track("Consent Updated", { purpose: "marketing_email", granted: true, source: "signup_form" });
    const category = CATEGORIES[pick(CATEGORIES.length)] ?? "shoes";
    for (let v = 1 + pick(3); v > 0; v--) track("Product Viewed", { product_id: `p-${pick(20)}`, category });
    const added = `p-${pick(20)}`;
    track("Product Added", { product_id: added, category, price: 10 + pick(90), quantity: 1 + pick(3) });
    track("Product Added", { product_id: `p-${20 + pick(20)}`, category, price: 5 + pick(50), quantity: 1 });
    if (random() < 0.5) track("Product Removed", { product_id: added, category, quantity: 1 });
    for (let o = pick(3); o > 0; o--) {
      track("Order Completed", { order_id: `o-${customerId}-${o}`, total: 20 + pick(200), currency: "EUR" });
    }
    for (let e = 1 + pick(3); e > 0; e--) {
      const email = { message_id: `em-${customerId}-${e}`, campaign_id: EXPERIMENT_CAMPAIGN };
      const variant = random() < 0.5 ? "a" : "b";
      track("Email Delivered", { ...email, variant });
      if (random() < 0.7) track("Email Opened", { ...email, variant });
      // A second open of the same email: a unique open counts once.
      if (random() < 0.3) track("Email Opened", { ...email, variant });
    }
    push({ type: "identify", traits: { city: `City${pick(10)}` } });
  }
  return events.sort((a, b) => a.at - b.at);
}
