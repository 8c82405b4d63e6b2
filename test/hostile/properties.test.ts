import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decodeEvent,
  EventValidationError,
  type ParseResult,
  parseEvent,
  type TailorEvent,
} from "#shared/domain/events/index.js";
import { foldEvents, type Profile } from "#shared/domain/profile/index.js";
import { expectPrototypeUntouched, NOW } from "./hostile-batch.js";

const RUNS = { numRuns: 200 } as const;
const DAY = 86_400_000;
const encoder = new TextEncoder();

/** Ok with an event, or an {@link EventValidationError} naming at least one issue: nothing else. */
function expectWellFormed(result: ParseResult): void {
  if (result.ok) {
    expect(typeof result.event.customerId).toBe("string");
    expect(Number.isFinite(result.event.timestamp)).toBe(true);
    return;
  }
  expect(result.error).toBeInstanceOf(EventValidationError);
  expect(result.error.retryable).toBe(false);
  expect(result.error.issues.length).toBeGreaterThan(0);
  expect(result.error.message).not.toBe("");
}

/** Names the fold keys maps by, hostile ones included. */
const names = fc.constantFrom(
  "books",
  "toys",
  "Signed Up",
  "toString",
  "__proto__",
  "constructor",
  "valueOf",
);

/** A raw Segment event of a kind Tailor folds, with fields drawn to be mostly valid (and sometimes not). */
const rawEvent = fc
  .record({
    kind: fc.constantFrom(
      "Product Viewed",
      "Product Added",
      "Product Removed",
      "Order Completed",
      "Order Refunded",
      "Unsubscribed",
      "Consent Updated",
      "Email Opened",
      "custom",
      "identify",
      "page",
    ),
    customName: names,
    at: fc.integer({ min: NOW - 120 * DAY, max: NOW + DAY }),
    productId: fc.constantFrom("p-1", "p-2", "p-3"),
    category: names,
    price: fc.oneof(
      fc.integer({ min: 0, max: 100_000 }).map((cents) => cents / 100),
      fc.constant("12.50"),
    ),
    quantity: fc.integer({ min: 1, max: 5 }),
    granted: fc.boolean(),
    firstName: fc.string({ maxLength: 20 }),
    extra: fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
  })
  .map((f) => {
    const product = { product_id: f.productId, category: f.category, price: f.price, quantity: f.quantity };
    const base = { userId: "c-1", timestamp: new Date(f.at).toISOString() };
    switch (f.kind) {
      case "identify":
        return { ...base, type: "identify", traits: { first_name: f.firstName, ...f.extra } };
      case "page":
        return { ...base, type: "page", name: f.customName, properties: f.extra };
      case "custom":
        return { ...base, type: "track", event: f.customName, properties: f.extra };
      case "Order Completed":
        return {
          ...base,
          type: "track",
          event: f.kind,
          properties: { order_id: "o-1", products: [product], currency: "EUR" },
        };
      case "Order Refunded":
        return { ...base, type: "track", event: f.kind, properties: { order_id: "o-1", total: f.price } };
      case "Unsubscribed":
        return { ...base, type: "track", event: f.kind, properties: {} };
      case "Consent Updated":
        return {
          ...base,
          type: "track",
          event: f.kind,
          properties: { purpose: "marketing_email", granted: f.granted, source: "test" },
        };
      case "Email Opened":
        return { ...base, type: "track", event: f.kind, properties: { message_id: "ses-1" } };
      default:
        return { ...base, type: "track", event: f.kind, properties: { ...f.extra, ...product } };
    }
  });

/** Valid events of customer `c-1`, each with its own messageId, decoded by the real decoder. */
const decodedEvents = fc.array(rawEvent, { maxLength: 16 }).map((raws) =>
  raws.flatMap((raw, index): TailorEvent[] => {
    const decoded = decodeEvent(encoder.encode(JSON.stringify({ ...raw, messageId: `m-${index}` })), NOW);
    return decoded.ok ? [decoded.event] : [];
  }),
);

/** The all-time counters of a profile: per kind, per custom name, orders. */
function counters(profile: Profile) {
  const kinds = Object.fromEntries(Object.entries(profile.k).map(([code, stats]) => [code, stats?.n]));
  return { kinds, custom: profile.x, orders: profile.o?.n, refunds: profile.o?.rn };
}

describe("decodeEvent never throws", () => {
  it("on arbitrary bytes: ok, or an error with issues", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
        expectWellFormed(decodeEvent(bytes, NOW));
      }),
      RUNS,
    );
  });

  it("on arbitrary JSON values, serialised", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => {
        expectWellFormed(decodeEvent(encoder.encode(JSON.stringify(value) ?? "null"), NOW));
      }),
      RUNS,
    );
  });

  it("on arbitrary JSON text, truncated anywhere", () => {
    fc.assert(
      fc.property(fc.json({ maxDepth: 4 }), fc.nat(), (text, cut) => {
        expectWellFormed(decodeEvent(encoder.encode(text.slice(0, cut % (text.length + 1))), NOW));
      }),
      RUNS,
    );
  });

  it("on near-valid events with arbitrary extra fields and values at every envelope key", () => {
    const envelopeKeys = fc.constantFrom(
      "type",
      "messageId",
      "userId",
      "anonymousId",
      "timestamp",
      "event",
      "properties",
      "traits",
      "context",
      "__proto__",
    );
    fc.assert(
      fc.property(rawEvent, envelopeKeys, fc.jsonValue({ maxDepth: 3 }), (raw, key, value) => {
        const text = JSON.stringify({ ...raw, messageId: "m-1" }).replace(
          /^\{/,
          `{${JSON.stringify(key)}:${JSON.stringify(value)},`,
        );
        expectWellFormed(decodeEvent(encoder.encode(text), NOW));
        expectPrototypeUntouched();
      }),
      RUNS,
    );
  });

  it("parseEvent on arbitrary values built in code (null prototypes, odd leaves)", () => {
    fc.assert(
      fc.property(fc.anything({ maxDepth: 3, withNullPrototype: true, withObjectString: true }), (value) => {
        expectWellFormed(parseEvent(value, NOW));
      }),
      RUNS,
    );
  });
});

describe("foldEvents on decoded events", () => {
  it("never throws, and keeps every counter a finite number", () => {
    fc.assert(
      fc.property(decodedEvents, (events) => {
        const { profile } = foldEvents(undefined, "c-1", events, NOW);
        const { kinds, custom } = counters(profile);
        for (const n of [...Object.values(kinds), ...Object.values(custom ?? {})]) {
          expect(Number.isFinite(n)).toBe(true);
        }
        for (const score of Object.values(profile.a?.s ?? {})) expect(Number.isFinite(score)).toBe(true);
        expectPrototypeUntouched();
      }),
      RUNS,
    );
  });

  it("is idempotent: folding the same events again changes nothing, in one batch or two", () => {
    fc.assert(
      fc.property(decodedEvents, (events) => {
        const once = foldEvents(undefined, "c-1", events, NOW);
        const again = foldEvents(once.profile, "c-1", events, NOW);
        expect(again.changed).toBe(false);
        expect(again.duplicates).toBe(events.length);
        expect(again.profile).toEqual(once.profile);
        const doubled = foldEvents(undefined, "c-1", [...events, ...events], NOW);
        expect(doubled.profile).toEqual(once.profile);
        expect(doubled.duplicates).toBe(events.length);
      }),
      RUNS,
    );
  });

  it("is order-insensitive across times within a batch: any permutation that keeps same-time events in delivery order folds to the same profile", () => {
    fc.assert(
      fc.property(
        decodedEvents.chain((events) =>
          fc.tuple(fc.constant(events), fc.shuffledSubarray(events, { minLength: events.length })),
        ),
        ([events, shuffled]) => {
          // Same-time events fold in delivery order (the producer's), so the permutation takes the shuffled
          // order of times and fills each time's slots with that time's events in their original order.
          const queues = new Map<number, TailorEvent[]>();
          for (const event of events)
            queues.set(event.timestamp, [...(queues.get(event.timestamp) ?? []), event]);
          const permuted = shuffled.flatMap((slot) => queues.get(slot.timestamp)?.splice(0, 1) ?? []);
          expect(permuted).toHaveLength(events.length);
          expect(foldEvents(undefined, "c-1", permuted, NOW).profile).toEqual(
            foldEvents(undefined, "c-1", events, NOW).profile,
          );
        },
      ),
      RUNS,
    );
  });

  it("counts the same across batches whatever the split and delivery order", () => {
    fc.assert(
      fc.property(
        decodedEvents.chain((events) =>
          fc.tuple(
            fc.constant(events),
            fc.shuffledSubarray(events, { minLength: events.length }),
            fc.nat({ max: events.length }),
          ),
        ),
        ([events, shuffled, split]) => {
          const all = foldEvents(undefined, "c-1", events, NOW).profile;
          const first = foldEvents(undefined, "c-1", shuffled.slice(0, split), NOW).profile;
          const both = foldEvents(first, "c-1", shuffled.slice(split), NOW).profile;
          expect(counters(both)).toEqual(counters(all));
        },
      ),
      RUNS,
    );
  });
});
