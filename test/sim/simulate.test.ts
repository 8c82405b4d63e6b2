import { createHash } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import {
  buildCatalog,
  buildCustomers,
  ECOMMERCE_EVENTS,
  EMAIL_EVENTS,
  estimateEvents,
  type SimOptions,
  SimOptionsError,
  type SimRecord,
  simulate,
} from "#shared/sim/index.js";

const DAY_MS = 86_400_000;
const START = Date.UTC(2025, 0, 6);
const BIG: SimOptions = { customers: 1_000, days: 30, seed: 42, start: START };

function props(record: SimRecord): Record<string, unknown> {
  const p = record.event.properties;
  if (typeof p !== "object" || p === null || Array.isArray(p))
    throw new Error("event has no properties object");
  return Object.fromEntries(Object.entries(p));
}

function named(records: readonly SimRecord[], name: string): SimRecord[] {
  return records.filter((r) => r.event.type === "track" && r.event.event === name);
}

/** What `check` finds wrong with the records (the first few), so big loops assert once, not per record. */
function problems(records: readonly SimRecord[], check: (r: SimRecord) => string | undefined): string[] {
  const found: string[] = [];
  for (const record of records) {
    const problem = check(record);
    if (problem !== undefined) found.push(`${problem}: ${JSON.stringify(record)}`);
    if (found.length === 5) break;
  }
  return found;
}

function streamHash(opts: SimOptions): { hash: string; count: number } {
  const hash = createHash("sha256");
  let count = 0;
  for (const record of simulate(opts)) {
    hash.update(JSON.stringify(record));
    hash.update("\n");
    count++;
  }
  return { hash: hash.digest("hex"), count };
}

let big: SimRecord[] = [];

beforeAll(() => {
  big = [...simulate(BIG)];
});

describe("simulate: determinism", () => {
  it("gives a byte-identical stream for the same options", () => {
    const opts = { customers: 300, days: 14, seed: 7, start: START };
    const first = streamHash(opts);
    const second = streamHash(opts);
    expect(first.count).toBeGreaterThan(1_000);
    expect(second).toEqual(first);
  });

  it("gives a different stream for a different seed", () => {
    const a = streamHash({ customers: 300, days: 14, seed: 7, start: START });
    const b = streamHash({ customers: 300, days: 14, seed: 8, start: START });
    expect(b.hash).not.toBe(a.hash);
  });

  it("numbers messageIds from the seed", () => {
    const [first] = simulate({ customers: 10, days: 1, seed: 5, start: START });
    expect(first?.event.messageId).toBe("sim-5-0");
  });
});

describe("simulate: time", () => {
  it("yields events in global timestamp order, each `at` matching its ISO timestamp", () => {
    let previous = Number.NEGATIVE_INFINITY;
    const found = problems(big, (record) => {
      const outOfOrder = record.at < previous;
      previous = record.at;
      if (outOfOrder) return "earlier than the event before";
      if (Date.parse(String(record.event.timestamp)) !== record.at) return "timestamp differs from at";
      return undefined;
    });
    expect(found).toEqual([]);
  });

  it("covers exactly [start, start + days)", () => {
    const first = big[0];
    const last = big[big.length - 1];
    expect(first?.at).toBeGreaterThanOrEqual(START);
    expect(last?.at).toBeLessThan(START + BIG.days * DAY_MS);
    // Activity reaches the last day, not just the first ones.
    expect(last?.at).toBeGreaterThan(START + (BIG.days - 1) * DAY_MS);
  });

  it("is lazy: the first events of a 365-day × 10,000-customer run come from the first day", () => {
    const first: SimRecord[] = [];
    for (const record of simulate({ customers: 10_000, days: 365, seed: 3, start: START })) {
      first.push(record);
      if (first.length === 10) break;
    }
    expect(first).toHaveLength(10);
    expect(first.every((r) => r.at < START + DAY_MS)).toBe(true);
  });

  it("produces no events when there are no days", () => {
    expect([...simulate({ customers: 100, days: 0, seed: 1, start: START })]).toEqual([]);
  });
});

describe("simulate: volume", () => {
  it("makes 50k–150k events from 1,000 customers × 30 days", () => {
    expect(big.length).toBeGreaterThan(50_000);
    expect(big.length).toBeLessThan(150_000);
  });

  it("gives each persona 5–40 events per customer per week, browsers more than lapsing customers", () => {
    const personaOf = new Map(
      buildCustomers(BIG.seed, BIG.customers, BIG.start).map((c) => [c.id, c.persona]),
    );
    const events = new Map<string, number>();
    const members = new Map<string, number>();
    for (const persona of personaOf.values()) members.set(persona, (members.get(persona) ?? 0) + 1);
    // A browser's anonymous events count for the first customer who identified on it.
    const ownerOf = new Map<unknown, string>();
    for (const { event } of big) {
      if (event.type !== "identify" || typeof event.userId !== "string") continue;
      if (!ownerOf.has(event.anonymousId)) ownerOf.set(event.anonymousId, event.userId);
    }
    for (const record of big) {
      const customer = record.event.userId ?? ownerOf.get(record.event.anonymousId);
      const persona = personaOf.get(String(customer));
      if (persona !== undefined) events.set(persona, (events.get(persona) ?? 0) + 1);
    }
    const weeks = BIG.days / 7;
    const perWeek = (persona: string): number =>
      (events.get(persona) ?? 0) / (members.get(persona) ?? 1) / weeks;
    for (const persona of ["bargain_hunter", "loyal", "browser", "lapsing"]) {
      expect(perWeek(persona), persona).toBeGreaterThanOrEqual(5);
      expect(perWeek(persona), persona).toBeLessThanOrEqual(40);
    }
    expect(perWeek("browser")).toBeGreaterThan(2 * perWeek("lapsing"));
  });

  it("estimates the event count within 15 %", () => {
    const small = { customers: 200, days: 10, seed: 9, start: START };
    const smallCount = streamHash(small).count;
    for (const [opts, actual] of [
      [BIG, big.length],
      [small, smallCount],
    ] as const) {
      const estimate = estimateEvents(opts);
      expect(estimate / actual).toBeGreaterThan(0.85);
      expect(estimate / actual).toBeLessThan(1.15);
    }
  });
});

describe("simulate: event shape", () => {
  it("emits plain JSON Segment events with messageId, a user or anonymous id, and an ISO timestamp", () => {
    const found = problems(big, (record) => {
      const event = record.event;
      if (JSON.stringify(JSON.parse(JSON.stringify(event))) !== JSON.stringify(event))
        return "not plain JSON";
      if (!["track", "page", "identify"].includes(String(event.type))) return "unknown type";
      if (typeof event.messageId !== "string" || event.messageId === "") return "no messageId";
      if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(String(event.timestamp))) return "not ISO";
      const id = event.userId ?? event.anonymousId;
      if (typeof id !== "string" || id === "") return "no userId or anonymousId";
      if (record.partitionKey !== id) return "partition key is not the id";
      if (event.type === "track" && typeof event.event !== "string") return "track without event";
      if (event.type === "identify" && typeof event.traits !== "object") return "identify without traits";
      if (event.type === "page" && typeof event.name !== "string") return "page without name";
      return undefined;
    });
    expect(found).toEqual([]);
  });

  it("gives every event a unique messageId", () => {
    const ids = new Set(big.map((r) => r.event.messageId));
    expect(ids.size).toBe(big.length);
  });

  it("emits every e-commerce and e-mail event, page views and identifies", () => {
    const names = new Set(big.map((r) => (r.event.type === "track" ? String(r.event.event) : r.event.type)));
    for (const name of [...ECOMMERCE_EVENTS, ...EMAIL_EVENTS, "page", "identify"]) {
      expect(names, name).toContain(name);
    }
  });

  it("describes products as e-commerce v2 properties from the catalog", () => {
    const catalog = new Map(buildCatalog(BIG.seed).map((p) => [p.productId, p]));
    const found = problems([...named(big, "Product Viewed"), ...named(big, "Product Added")], (record) => {
      const p = props(record);
      const product = catalog.get(String(p.product_id));
      if (product === undefined) return "not in the catalog";
      const same =
        p.sku === product.sku &&
        p.category === product.category &&
        p.name === product.name &&
        p.price === product.price &&
        p.brand === product.brand &&
        p.image_url === product.imageUrl &&
        p.currency === "USD";
      if (!same) return "differs from the catalog";
      if (record.event.event !== "Product Added") return undefined;
      if (!Number.isInteger(p.quantity) || Number(p.quantity) < 1) return "bad quantity";
      if (!product.inStock) return "added while out of stock";
      if (typeof p.cart_id !== "string") return "no cart_id";
      return undefined;
    });
    expect(found).toEqual([]);
  });

  it("prices orders consistently: total = revenue + shipping + tax, revenue = subtotal − discount", () => {
    const orders = named(big, "Order Completed");
    expect(orders.length).toBeGreaterThan(500);
    const cents = (x: unknown): number => Math.round(Number(x) * 100);
    for (const order of orders) {
      const p = props(order);
      expect(String(p.order_id)).toMatch(/^ord-/);
      expect(p.currency).toBe("USD");
      expect(Array.isArray(p.products) && p.products.length > 0).toBe(true);
      expect(cents(p.total)).toBe(cents(p.revenue) + cents(p.shipping) + cents(p.tax));
      expect(cents(p.revenue)).toBe(cents(p.subtotal) - cents(p.discount));
    }
    expect(orders.some((o) => typeof props(o).coupon === "string")).toBe(true);
  });

  it("gives the newsletter's e-mail events a campaign, the e-mail's id, click URLs and bounce types", () => {
    const emailNames = EMAIL_EVENTS.filter((n) => n !== "Consent Updated");
    const emails = big.filter((r) => emailNames.some((n) => n === r.event.event));
    const found = problems(emails, (record) => {
      const p = props(record);
      if (!/^newsletter-\d{4}-\d{2}-\d{2}$/.test(String(p.campaign_id))) return "bad campaign_id";
      if (!/^nl-/.test(String(p.message_id))) return "bad message_id";
      if (record.event.event === "Email Clicked" && !/^https:\/\/example\.com\//.test(String(p.url))) {
        return "click without URL";
      }
      return undefined;
    });
    expect(found).toEqual([]);
    const bounceTypes = new Set(named(big, "Email Bounced").map((r) => props(r).bounce_type));
    expect(bounceTypes).toEqual(new Set(["Permanent", "Transient"]));
  });

  it("records consent for marketing e-mail, granted by about 70 % at import and sign-up", () => {
    const consents = named(big, "Consent Updated").map(props);
    for (const p of consents) {
      expect(p.purpose).toBe("marketing_email");
      expect(typeof p.granted).toBe("boolean");
      expect(["import", "signup_form", "preference_center"]).toContain(p.source);
    }
    const initial = consents.filter((p) => p.source === "import" || p.source === "signup_form");
    const granted = initial.filter((p) => p.granted === true).length / initial.length;
    expect(granted).toBeGreaterThan(0.6);
    expect(granted).toBeLessThan(0.8);
  });
});

describe("simulate: customers", () => {
  it("identifies new customers at sign-up, linking the anonymous visitor they were", () => {
    const signUps = big.filter(
      (r) =>
        r.event.type === "identify" &&
        typeof r.event.anonymousId === "string" &&
        typeof r.event.userId === "string",
    );
    expect(signUps.length).toBeGreaterThan(50);
    const anonymous = new Set(
      big.filter((r) => r.event.userId === undefined).map((r) => r.event.anonymousId),
    );
    for (const signUp of signUps) {
      expect(signUp.partitionKey).toBe(signUp.event.userId);
      expect(anonymous).toContain(signUp.event.anonymousId);
    }
    // Most events are about identified customers.
    expect(anonymous.size).toBeLessThan(big.length / 100);
  });

  it("includes untidy traits: upper-case e-mails, a missing first name, HTML in a name, an unknown locale", () => {
    // A newsletter lead's identify carries an e-mail alone: the customers' traits come with a userId.
    const traits = big
      .filter((r) => r.event.type === "identify" && r.event.userId !== undefined)
      .map((r) => r.event.traits)
      .filter((t): t is Record<string, unknown> => typeof t === "object" && t !== null);
    expect(traits.some((t) => /[A-Z]/.test(String(t.email)))).toBe(true);
    expect(traits.every((t) => /^\s*[A-Za-z.]+\.\d+@example\.com\s*$/i.test(String(t.email)))).toBe(true);
    expect(traits.some((t) => t.first_name === undefined)).toBe(true);
    expect(traits.some((t) => String(t.first_name).includes("<b>"))).toBe(true);
    expect(traits.some((t) => t.locale === "zz-ZZ")).toBe(true);
    expect(traits.every((t) => typeof t.timezone === "string" && typeof t.country === "string")).toBe(true);
  });

  it("draws most product views from the customer's favourite categories", () => {
    const favourites = new Map(
      buildCustomers(BIG.seed, BIG.customers, BIG.start).map((c) => [c.id, c.favouriteCategories]),
    );
    let inFavourite = 0;
    let total = 0;
    for (const record of named(big, "Product Viewed")) {
      const favs = favourites.get(record.partitionKey);
      if (favs === undefined) continue;
      total++;
      if (favs.some((c) => c === props(record).category)) inFavourite++;
    }
    expect(inFavourite / total).toBeGreaterThan(0.7);
  });

  it("stops mailing customers after a hard bounce, a complaint or an unsubscribe", () => {
    const stoppedAt = new Map<string, number>();
    for (const record of big) {
      const name = record.event.event;
      const stopping =
        name === "Unsubscribed" ||
        name === "Email Complained" ||
        (name === "Email Bounced" && props(record).bounce_type === "Permanent");
      if (stopping && !stoppedAt.has(record.partitionKey)) stoppedAt.set(record.partitionKey, record.at);
    }
    expect(stoppedAt.size).toBeGreaterThan(5);
    const found = problems(named(big, "Email Delivered"), (record) => {
      const stopped = stoppedAt.get(record.partitionKey);
      return stopped !== undefined && record.at > stopped ? "mailed after the stop" : undefined;
    });
    expect(found).toEqual([]);
  });
});

describe("simulate: funnel", () => {
  it("converts view→add 8–12 %, add→checkout 40–60 %, checkout→order 60–75 %", () => {
    const views = named(big, "Product Viewed").length;
    const added = named(big, "Product Added");
    const cartsWithAdds = new Set(added.map((r) => props(r).cart_id)).size;
    const checkouts = named(big, "Checkout Started").length;
    const orders = named(big, "Order Completed").length;
    expect(added.length / views).toBeGreaterThan(0.08);
    expect(added.length / views).toBeLessThan(0.12);
    expect(checkouts / cartsWithAdds).toBeGreaterThan(0.4);
    expect(checkouts / cartsWithAdds).toBeLessThan(0.6);
    expect(orders / checkouts).toBeGreaterThan(0.6);
    expect(orders / checkouts).toBeLessThan(0.75);
  });

  it("completes only orders that were checked out, and refunds only completed orders (about 2 %)", () => {
    const checkedOut = new Set(named(big, "Checkout Started").map((r) => props(r).order_id));
    const completed = named(big, "Order Completed");
    for (const order of completed) expect(checkedOut).toContain(props(order).order_id);
    const completedAt = new Map(completed.map((r) => [props(r).order_id, r.at]));
    const refunds = named(big, "Order Refunded");
    for (const refund of refunds) {
      const orderedAt = completedAt.get(props(refund).order_id);
      expect(orderedAt).toBeDefined();
      expect(refund.at).toBeGreaterThan(orderedAt ?? Number.POSITIVE_INFINITY);
    }
    // Refunds come within 14 days, so only orders at least that old have had their full chance.
    const cutoff = START + (BIG.days - 14) * DAY_MS;
    const old = new Set(completed.filter((r) => r.at < cutoff).map((r) => props(r).order_id));
    const rate = refunds.filter((r) => old.has(props(r).order_id)).length / old.size;
    expect(rate).toBeGreaterThan(0.005);
    expect(rate).toBeLessThan(0.04);
  });

  it("converts loyal customers' views into orders better than browsers'", () => {
    const personaOf = new Map(
      buildCustomers(BIG.seed, BIG.customers, BIG.start).map((c) => [c.id, c.persona]),
    );
    const rate = (persona: string): number => {
      const mine = (r: SimRecord): boolean => personaOf.get(r.partitionKey) === persona;
      return (
        named(big, "Order Completed").filter(mine).length / named(big, "Product Viewed").filter(mine).length
      );
    };
    expect(rate("loyal")).toBeGreaterThan(1.5 * rate("browser"));
  });
});

describe("simulate: options", () => {
  it.each([
    { customers: -1, days: 1, seed: 1, start: START },
    { customers: 10, days: 1.5, seed: 1, start: START },
    { customers: 10, days: 1, seed: Number.NaN, start: START },
    { customers: 10, days: 1, seed: 1, start: Number.POSITIVE_INFINITY },
  ])("rejects %o at the call, not lazily", (opts) => {
    expect(() => simulate(opts)).toThrow(SimOptionsError);
    expect(() => estimateEvents(opts)).toThrow(SimOptionsError);
  });
});
