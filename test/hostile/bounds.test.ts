import { marshall, unmarshall } from "@aws-sdk/util-dynamodb";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decodeEvent,
  MONEY_MINOR_MAX,
  type ParseResult,
  type TailorEvent,
} from "#shared/domain/events/index.js";
import {
  attributedTouch,
  foldEvents,
  type Profile,
  REVENUE_MINOR_MAX,
} from "#shared/domain/profile/index.js";
import { expectPrototypeUntouched, hostileRecord, ingestAmongValid, NOW } from "./hostile-batch.js";

const encoder = new TextEncoder();
const HOUR = 3_600_000;

function decode(text: string): ParseResult {
  return decodeEvent(encoder.encode(text), NOW);
}

function accepted(result: ParseResult): TailorEvent {
  if (!result.ok) throw new Error(`expected an event, got ${result.error.message}`);
  return result.event;
}

/** The `path:rule` of each issue of a refused record (fails the test when the record was accepted). */
function rules(result: ParseResult): string[] {
  if (result.ok) throw new Error(`expected a refusal, got ${JSON.stringify(result.event)}`);
  return result.error.issues.map((issue) => `${issue.path}:${issue.rule}`);
}

/** The profile marshals as the DynamoDB store marshals it, and reads back equal. */
function expectMarshals(profile: Profile): void {
  const item = marshall(profile, { removeUndefinedValues: true });
  expect(unmarshall(item)).toEqual(profile);
}

/** JSON text of a track event of `hostile-1`; `properties` is spliced in as raw text (for big literals). */
function trackText(event: string, propertiesJson: string, n = 1, timestamp = NOW - 60_000): string {
  return `{"type":"track","event":"${event}","messageId":"m-${event}-${n}","userId":"hostile-1","timestamp":${timestamp},"properties":${propertiesJson}}`;
}

function fold(events: readonly TailorEvent[], current?: Profile): Profile {
  return foldEvents(current, "hostile-1", events, NOW).profile;
}

describe("issue 13, item 2: valid-looking events never fail the profile write", () => {
  it("keeps a 20-digit numeric id sent as a number in a trait as its exact digits, and the profile marshals", async () => {
    const text = `{"type":"identify","messageId":"m-id","userId":"hostile-1","timestamp":${NOW - 60_000},"traits":{"loyalty_id":12345678901234567890,"score":-98765432109876543210,"tiny":1e-200,"huge":1e300,"ratio":0.25}}`;
    const event = accepted(decode(text));
    expect(event.traits?.custom).toEqual({
      loyalty_id: "12345678901234567890",
      score: "-98765432109876543210",
      ratio: 0.25,
    });
    const profile = fold([event]);
    expect(profile.t?.x?.loyalty_id).toBe("12345678901234567890");
    expectMarshals(profile);
    const outcome = await ingestAmongValid([hostileRecord(text)]);
    expect(outcome.summary.quarantined).toBe(0);
    expect(outcome.profile("hostile-1")?.t?.x?.loyalty_id).toBe("12345678901234567890");
  });

  it("quotes only integer literals beyond 2^53, never digits inside strings, fractions or exponents", () => {
    const properties = String.raw`{"s":"\"12345678901234567890\"","n":-12345678901234567890,"f":12345678901234567890.5,"e":1e25,"safe":9007199254740991,"edge":9007199254740992,"key\"12345678901234567890":1}`;
    const event = accepted(decode(trackText("Points Earned", properties)));
    expect(event.kind === "custom" && event.properties).toEqual({
      s: '"12345678901234567890"',
      n: "-12345678901234567890",
      safe: 9007199254740991,
      edge: "9007199254740992",
      'key"12345678901234567890': 1,
    });
  });

  it("reads a 20-digit userId sent as a number as its exact digits", () => {
    const event = accepted(
      decode(
        `{"type":"track","event":"Signed Up","messageId":"m-u","userId":12345678901234567890,"timestamp":${NOW}}`,
      ),
    );
    expect(event.customerId).toBe("12345678901234567890");
  });

  it("refuses an order at the documented maximum price × quantity (10^12 × 10^6) with the field and rule", async () => {
    const text = trackText(
      "Order Completed",
      '{"order_id":"o","products":[{"product_id":"p","price":1000000000000,"quantity":1000000}]}',
    );
    expect(rules(decode(text))).toEqual(["properties.products:too_big"]);
    const refused = decode(text);
    expect(refused.ok ? "" : refused.error.message).toContain(
      `expected Σ price × quantity of at most ${MONEY_MINOR_MAX} minor units`,
    );
    const outcome = await ingestAmongValid([hostileRecord(text)]);
    expect(outcome.summary.quarantined).toBe(1);
    expect(outcome.quarantine.records[0]?.issues.map((i) => `${i.path}:${i.rule}`)).toEqual([
      "properties.products:too_big",
    ]);
  });

  it.each([
    [
      "a product line over the bound",
      "Product Added",
      '{"product_id":"p","price":1e12,"quantity":20}',
      "properties.price:too_big",
    ],
    [
      "an order whose lines sum past the bound, whatever its total",
      "Order Completed",
      '{"order_id":"o","total":5,"products":[{"product_id":"p","price":1e12,"quantity":1000}]}',
      "properties.products:too_big",
    ],
    [
      "a refund whose lines sum past the bound",
      "Order Refunded",
      '{"order_id":"o","products":[{"product_id":"p","price":1e12,"quantity":1000}]}',
      "properties.products:too_big",
    ],
    [
      "a checkout whose lines sum past the bound",
      "Checkout Started",
      '{"products":[{"product_id":"a","price":1e12,"quantity":600},{"product_id":"b","price":1e12,"quantity":600}]}',
      "properties.products:too_big",
    ],
    [
      "a cart worth more than the bound",
      "Cart Viewed",
      '{"products":[{"product_id":"a","price":1e12,"quantity":1000}],"currency":"USD"}',
      "properties.products:too_big",
    ],
  ])("refuses %s", (_what, event, properties, rule) => {
    expect(rules(decode(trackText(event, properties)))).toEqual([rule]);
  });

  it("folds 10 orders of 10^12 KWD (each at the bound): revenue saturates at the ceiling and marshals", () => {
    const orders = Array.from({ length: 10 }, (_, n) =>
      accepted(
        decode(trackText("Order Completed", `{"order_id":"o-${n}","total":1e12,"currency":"KWD"}`, n)),
      ),
    );
    for (const order of orders)
      expect(order.kind === "order_completed" && order.order.total).toBe(MONEY_MINOR_MAX);
    const profile = fold(orders);
    expect(profile.o).toMatchObject({ n: 10, r: REVENUE_MINOR_MAX, rs: true, c: "KWD" });
    expectMarshals(profile);
  });

  it("keeps counting a customer's orders once revenue is at the ceiling, and refunds bring it back down", () => {
    const big = (n: number, hoursAgo: number) =>
      accepted(
        decode(
          trackText(
            "Order Completed",
            `{"order_id":"o-${n}","total":1e12,"currency":"KWD"}`,
            n,
            NOW - hoursAgo * HOUR,
          ),
        ),
      );
    const near = fold(Array.from({ length: 9 }, (_, n) => big(n, 10)));
    expect(near.o?.r).toBe(9 * MONEY_MINOR_MAX);
    const later = fold([big(100, 2), big(101, 1)], near);
    expect(later.o).toMatchObject({ n: 11, r: REVENUE_MINOR_MAX, rs: true });
    expectMarshals(later);
    const refund = accepted(
      decode(trackText("Order Refunded", '{"order_id":"o-1","total":1e12,"currency":"KWD"}', 200)),
    );
    const refunded = fold([refund], later);
    expect(refunded.o).toMatchObject({ n: 11, rn: 1, r: REVENUE_MINOR_MAX - MONEY_MINOR_MAX });
    expectMarshals(refunded);
  });

  it.each(["constructor", "__proto__", "toString", "hasOwnProperty", "prototype", "~constructor"])(
    "stores a touch of campaign %j, attributes the next order to it, and marshals",
    (campaignId) => {
      const delivered = accepted(
        decode(
          trackText(
            "Email Delivered",
            JSON.stringify({ message_id: "ses-1", campaign_id: campaignId, variant: "b" }),
          ),
        ),
      );
      const profile = fold([delivered]);
      expectMarshals(profile);
      expect(attributedTouch(profile, NOW, HOUR)).toEqual({
        campaignId,
        variant: "b",
        touchedAt: NOW - 60_000,
      });
      expectPrototypeUntouched();
    },
  );

  it("keeps the touches of 'constructor' and '~constructor' apart", () => {
    const touch = (campaignId: string, n: number, minutesAgo: number) =>
      accepted(
        decode(
          trackText(
            "Email Clicked",
            JSON.stringify({ message_id: `ses-${n}`, campaign_id: campaignId, variant: `v${n}` }),
            n,
            NOW - minutesAgo * 60_000,
          ),
        ),
      );
    const profile = fold([touch("constructor", 1, 30), touch("~constructor", 2, 20)]);
    expect(Object.keys(profile.xa ?? {}).sort()).toEqual(["~constructor", "~~constructor"]);
    expect(attributedTouch(profile, NOW - 25 * 60_000, HOUR)?.campaignId).toBe("constructor");
    expect(attributedTouch(profile, NOW, HOUR)?.campaignId).toBe("~constructor");
    expectMarshals(profile);
  });
});

/** Keys a map built from data could be given. */
const dataKey = fc.constantFrom(
  "books",
  "constructor",
  "__proto__",
  "prototype",
  "toString",
  "hasOwnProperty",
  "valueOf",
  "__defineGetter__",
  "~x",
  "k".repeat(64),
  "k".repeat(65),
);

/** A number leaf: ordinary, extreme, or an integer literal beyond 2^53 (written as raw digits). */
const BIG = "__big__";
const numberLeaf = fc.oneof(
  fc.integer({ min: -1_000, max: 1_000_000 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0.01, 12.5, 1e12, 1e15, 2 ** 53, Number.MAX_SAFE_INTEGER, 1e21, 1e-200, -0, 1e300),
  fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map((n) => `${BIG}${n}`),
);

/** An id: long, numeric, prototype-ish, or a big integer literal. */
const idLeaf = fc.oneof(
  dataKey,
  fc.string({ minLength: 1, maxLength: 256 }),
  fc.constant("i".repeat(256)),
  fc.bigInt({ min: 0n, max: 10n ** 30n }).map((n) => `${BIG}${n}`),
);

const product = fc.record(
  {
    product_id: idLeaf,
    category: dataKey,
    price: numberLeaf,
    quantity: fc.oneof(fc.integer({ min: 1, max: 5 }), fc.constantFrom(1_000_000)),
  },
  { requiredKeys: ["product_id"] },
);
const currency = fc.constantFrom("USD", "KWD", "JPY", "CLF");
const money = fc.record({ total: numberLeaf, currency }, { requiredKeys: [] });
const emailProperties = fc.record({
  message_id: idLeaf,
  campaign_id: idLeaf,
  variant: idLeaf,
});

/** A track event's name and properties. */
const track = (event: fc.Arbitrary<string>, properties: fc.Arbitrary<object>) =>
  fc.record({ event, properties });

/** Properties per event name, drawn from the schema's shapes. */
const trackEvent = fc.oneof(
  track(fc.constantFrom("Product Viewed", "Product Added", "Product Removed"), product),
  track(fc.constant("Cart Viewed"), fc.record({ products: fc.array(product, { maxLength: 3 }), currency })),
  track(
    fc.constant("Checkout Started"),
    fc.record(
      { value: numberLeaf, products: fc.array(product, { maxLength: 3 }), currency },
      { requiredKeys: [] },
    ),
  ),
  track(
    fc.constant("Order Completed"),
    fc.record({ order_id: idLeaf, products: fc.array(product, { maxLength: 3 }), money }).map((o) => ({
      order_id: o.order_id,
      products: o.products,
      ...o.money,
    })),
  ),
  track(
    fc.constant("Order Refunded"),
    fc.record({ order_id: idLeaf, money }).map((o) => ({ order_id: o.order_id, ...o.money })),
  ),
  track(
    fc.constantFrom("Email Delivered", "Email Clicked", "Email Held Out", "Email Complained"),
    emailProperties,
  ),
  track(fc.constant("Unsubscribed"), fc.record({ list: dataKey, campaign_id: idLeaf }, { requiredKeys: [] })),
  track(
    fc.constant("Consent Updated"),
    fc.record({
      purpose: fc.constantFrom("marketing_email", "profiling"),
      granted: fc.boolean(),
      source: dataKey,
    }),
  ),
  track(dataKey, fc.dictionary(dataKey, fc.oneof(numberLeaf, idLeaf, fc.boolean()), { maxKeys: 4 })),
);

const traits = fc.record(
  {
    email: fc.constantFrom("a@example.com", "b@example.com"),
    first_name: idLeaf,
    custom: fc.dictionary(dataKey, fc.oneof(numberLeaf, idLeaf, fc.boolean()), { maxKeys: 6 }),
  },
  { requiredKeys: [] },
);

/** Event time: around now, up to the end of `Date` ahead (clamped), as epoch ms. */
const time = fc.oneof(
  fc.integer({ min: NOW - 100 * 24 * HOUR, max: NOW }),
  fc.integer({ min: NOW, max: NOW + 48 * HOUR }),
  fc.constantFrom(8.64e15),
);

const rawEvent = fc.oneof(
  fc.record({ traits, at: time }).map(({ traits: t, at }) => ({
    type: "identify",
    timestamp: at,
    traits: { email: t.email, first_name: t.first_name, ...t.custom },
  })),
  fc
    .record({ track: trackEvent, at: time, context: traits })
    .map(({ track: { event, properties }, at, context }) => ({
      type: "track",
      event,
      timestamp: at,
      properties,
      context: { traits: context.custom },
    })),
);

/** JSON text in which every `__big__<digits>` string is an integer literal. */
function toJsonText(value: Record<string, unknown>): string {
  return JSON.stringify(value).replace(new RegExp(`"${BIG}(-?\\d+)"`, "g"), "$1");
}

const decodedBatch = fc.array(rawEvent, { minLength: 1, maxLength: 12 }).map((raws) =>
  raws.flatMap((raw, n): TailorEvent[] => {
    const result = decode(toJsonText({ ...raw, messageId: `m-${n}`, userId: "hostile-1" }));
    return result.ok ? [result.event] : [];
  }),
);

describe("the fold's output always marshals", () => {
  it("for any batch of events the decoder accepts, folded from nothing or onto an earlier fold", () => {
    let accepted = 0;
    fc.assert(
      fc.property(decodedBatch, decodedBatch, (first, second) => {
        accepted += first.length + second.length;
        const once = fold(first);
        expectMarshals(once);
        const twice = fold(second, once);
        expectMarshals(twice);
        expectPrototypeUntouched();
      }),
      { numRuns: 150 },
    );
    // The generator must reach the fold, not only the decoder's refusals.
    expect(accepted).toBeGreaterThan(300);
  });
});
