import { createHash } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { parseEvent } from "#shared/domain/events/index.js";
import { customerId, type SimOptions, type SimRecord, simulate } from "#shared/sim/index.js";

const DAY_MS = 86_400_000;
const START = Date.UTC(2025, 0, 6);
const OPTS: SimOptions = { customers: 1_000, days: 30, seed: 42, start: START };
/** Sessions of one customer are at least 5 minutes apart; events inside one, seconds to minutes. */
const SESSION_GAP_MS = 5 * 60_000;

let records: SimRecord[] = [];

beforeAll(() => {
  records = [...simulate(OPTS)];
});

/** `value[key]` for a plain object, else `undefined`. */
const field = (value: unknown, key: string): unknown =>
  typeof value === "object" && value !== null
    ? Object.entries(value).find(([k]) => k === key)?.[1]
    : undefined;
const str = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);
const isIdentify = (r: SimRecord) => r.event.type === "identify";
const hasBoth = (r: SimRecord) => str(r.event.userId) !== undefined && str(r.event.anonymousId) !== undefined;
const isAnonymous = (r: SimRecord) => str(r.event.userId) === undefined;
const isEmail = (r: SimRecord) => /^(Email |Unsubscribed|Order Refunded)/.test(String(r.event.event));

/** The identify calls that link a browser to a customer (sign-up or login), in stream order. */
function links(stream: readonly SimRecord[]): SimRecord[] {
  return stream.filter((r) => isIdentify(r) && hasBoth(r));
}

/** Each browser's first identifying customer (who the anonymous events of that browser belong to). */
function owners(stream: readonly SimRecord[]): Map<string, string> {
  const owner = new Map<string, string>();
  for (const r of links(stream)) {
    const anonymousId = String(r.event.anonymousId);
    if (!owner.has(anonymousId)) owner.set(anonymousId, String(r.event.userId));
  }
  return owner;
}

/** The sign-up identifies: the ones a `signup_form` consent follows from the same customer. */
function signUps(stream: readonly SimRecord[]): SimRecord[] {
  const signedUp = new Set(
    stream
      .filter((r) => r.event.event === "Consent Updated")
      .filter((r) => field(r.event.properties, "source") === "signup_form")
      .map((r) => String(r.event.userId)),
  );
  const first = new Map<string, SimRecord>();
  for (const r of links(stream)) {
    const userId = String(r.event.userId);
    if (signedUp.has(userId) && !first.has(userId)) first.set(userId, r);
  }
  return [...first.values()];
}

describe("simulated identity traffic", () => {
  it("is the same for a seed and differs for another", () => {
    const digest = (seed: number) => {
      const hash = createHash("sha256");
      for (const r of simulate({ customers: 200, days: 10, seed, start: START })) {
        if (r.event.type === "identify" || r.event.anonymousId !== undefined) hash.update(JSON.stringify(r));
      }
      return hash.digest("hex");
    };
    expect(digest(7)).toBe(digest(7));
    expect(digest(8)).not.toBe(digest(7));
  });

  it("sends only events the domain accepts, keeping both ids, keyed by the userId when there is one", () => {
    const now = START + OPTS.days * DAY_MS;
    const found: string[] = [];
    for (const r of records.filter((r) => str(r.event.anonymousId) !== undefined)) {
      const parsed = parseEvent(r.event, now);
      if (!parsed.ok) found.push(`${parsed.error.message}: ${JSON.stringify(r.event)}`);
      else if (
        hasBoth(r) &&
        (parsed.event.anonymousId !== r.event.anonymousId || parsed.event.userId !== r.event.userId)
      ) {
        found.push(`lost an id: ${JSON.stringify(r.event)}`);
      }
      if (r.partitionKey !== (str(r.event.userId) ?? r.event.anonymousId))
        found.push(`partition key: ${r.partitionKey}`);
      if (found.length >= 5) break;
    }
    expect(found).toEqual([]);
  });

  it("signs new customers up with the anonymousId they browsed under, half of them after a guest cart add", () => {
    const ups = signUps(records);
    expect(ups.length).toBeGreaterThan(80);
    let guestCarts = 0;
    for (const up of ups) {
      const anonymousId = String(up.event.anonymousId);
      const before = records.filter(
        (r) => r.event.anonymousId === anonymousId && r.at <= up.at && isAnonymous(r),
      );
      // The anonymous browsing came first, keyed by the anonymousId: the sign-up lands on another shard key.
      expect(before.length, anonymousId).toBeGreaterThan(0);
      expect(before.every((r) => r.partitionKey === anonymousId)).toBe(true);
      expect(up.partitionKey).toBe(up.event.userId);
      if (before.some((r) => r.event.event === "Product Added")) guestCarts++;
    }
    // GUEST_CART_RATE (0.5) add at the cart, and a few more add while browsing before signing up.
    expect(guestCarts / ups.length).toBeGreaterThan(0.45);
    expect(guestCarts / ups.length).toBeLessThan(0.8);
  });

  it("has known customers log in on new browsers in about 3 % of their sessions, after anonymous browsing", () => {
    const owner = owners(records);
    const known = new Set(Array.from({ length: OPTS.customers }, (_, i) => customerId(i + 1)));
    // Session starts: a known customer's first shop event after a quiet gap (e-mail events left out).
    const lastAt = new Map<string, number>();
    let sessions = 0;
    let anonymousStarts = 0;
    for (const r of records) {
      const customer = str(r.event.userId) ?? owner.get(String(r.event.anonymousId));
      if (customer === undefined || !known.has(customer) || isEmail(r) || r.at < START + DAY_MS) continue;
      const previous = lastAt.get(customer);
      lastAt.set(customer, r.at);
      if (previous !== undefined && r.at - previous < SESSION_GAP_MS) continue;
      sessions++;
      if (isAnonymous(r)) anonymousStarts++;
    }
    expect(sessions).toBeGreaterThan(5_000);
    expect(anonymousStarts / sessions).toBeGreaterThan(0.02);
    expect(anonymousStarts / sessions).toBeLessThan(0.04);

    // After the login, the session's events carry both ids, as analytics.js sends them.
    const logins = links(records).filter((r) => known.has(String(r.event.userId)));
    const after = records.filter(
      (r) => !isIdentify(r) && hasBoth(r) && known.has(String(r.event.userId)) && !isEmail(r),
    );
    expect(logins.length).toBeGreaterThan(100);
    expect(after.length).toBeGreaterThan(logins.length);
    // Sometimes the new browser's cart was filled before the login.
    const anonymousAdds = records.filter(
      (r) =>
        isAnonymous(r) &&
        r.event.event === "Product Added" &&
        known.has(owner.get(String(r.event.anonymousId)) ?? ""),
    );
    expect(anonymousAdds.length).toBeGreaterThan(10);
  });

  it("has a small share of customers log in on a browser another customer is linked to", () => {
    const customersOf = new Map<string, Set<string>>();
    for (const r of links(records)) {
      const ids = customersOf.get(String(r.event.anonymousId)) ?? new Set<string>();
      ids.add(String(r.event.userId));
      customersOf.set(String(r.event.anonymousId), ids);
    }
    const shared = [...customersOf.values()].filter((ids) => ids.size > 1).length;
    // About SHARED_DEVICE_SHARE (0.1) of the new-browser logins; the browsers themselves are many more.
    expect(shared).toBeGreaterThan(10);
    expect(shared / customersOf.size).toBeLessThan(0.15);
  });

  it("has about a quarter of new customers give only an e-mail first, then sign up days later elsewhere", () => {
    const leads = records.filter((r) => isIdentify(r) && isAnonymous(r));
    const ups = signUps(records);
    const byEmail = new Map(ups.map((r) => [String(field(r.event.traits, "email")).trim().toLowerCase(), r]));
    let signedUpLater = 0;
    for (const lead of leads) {
      expect(lead.event.traits).toEqual({ email: expect.stringMatching(/^[a-z.]+\.\d+@example\.com$/) });
      expect(lead.partitionKey).toBe(lead.event.anonymousId);
      const up = byEmail.get(String(field(lead.event.traits, "email")));
      if (up === undefined) continue; // signs up after the run's end
      signedUpLater++;
      expect(up.event.anonymousId).not.toBe(lead.event.anonymousId);
      expect(up.at - lead.at).toBeGreaterThan(0);
      expect(up.at - lead.at).toBeLessThan(11 * DAY_MS);
      // The lead's browser never identifies with a userId: only the shared e-mail links the two.
      expect(links(records).some((r) => r.event.anonymousId === lead.event.anonymousId)).toBe(false);
    }
    expect(signedUpLater).toBeGreaterThan(leads.length / 2);
    // NEWSLETTER_LEAD_RATE (0.25) of the new customers who arrived (signed up, or a lead still to sign up).
    const arrived = ups.length + (leads.length - signedUpLater);
    expect(leads.length / arrived).toBeGreaterThan(0.15);
    expect(leads.length / arrived).toBeLessThan(0.35);
  });
});
