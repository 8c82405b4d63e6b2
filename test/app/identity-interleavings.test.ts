import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type IngestRecord, ingestBatch } from "#shared/app/ingest-batch.js";
import { parseEvent, type TailorEvent } from "#shared/domain/events/index.js";
import { foldEvents, KIND_CODES } from "#shared/domain/profile/index.js";
import { type InMemoryProfileStore, InMemoryQuarantine } from "../fakes/in-memory-stores.js";
import { ScheduledProfileStore } from "../fakes/scheduled-profile-store.js";
import { eventRecord } from "../support/event-record.js";

/**
 * Identity resolution over the interleavings of its steps: batches of anonymous and identified events, on two
 * shards, redelivered, with every call to the store a step the fast-check scheduler orders against the others.
 * Whatever the order, every event ends in exactly one profile, counted once, and each profile equals the fold of
 * the events that belong to it: an event with a `userId` belongs to that customer; an anonymous event belongs to
 * the customer its id was merged into (or to the id itself when it was never merged).
 */

const NOW = Date.UTC(2026, 10, 23, 12);
const USERS = ["u-1", "u-2"];
const ANONYMOUS = ["a-1", "a-2", "a-3"];

type Planned = {
  userId?: string;
  anonymousId?: string;
  kind: "page" | "view" | "add" | "alias" | "email";
  email?: string;
};

const eventArbitrary: fc.Arbitrary<Planned> = fc.oneof(
  fc.record({ anonymousId: fc.constantFrom(...ANONYMOUS), kind: fc.constantFrom("page", "view", "add") }),
  fc.record({ userId: fc.constantFrom(...USERS), kind: fc.constantFrom("page", "view", "add") }),
  fc.record({
    userId: fc.constantFrom(...USERS),
    anonymousId: fc.constantFrom(...ANONYMOUS),
    kind: fc.constantFrom("page", "view", "add"),
  }),
  fc.record({
    userId: fc.constantFrom(...USERS),
    anonymousId: fc.constantFrom(...ANONYMOUS),
    kind: fc.constant("alias"),
  }),
  // An identify with an email address, known or anonymous (a newsletter sign-up): links through the email index.
  fc.record({
    userId: fc.constantFrom(...USERS),
    kind: fc.constant("email"),
    email: fc.constantFrom("one@example.com", "two@example.com"),
  }),
  fc.record({
    anonymousId: fc.constantFrom(...ANONYMOUS),
    kind: fc.constant("email"),
    email: fc.constantFrom("one@example.com", "two@example.com"),
  }),
) as fc.Arbitrary<Planned>;

const planArbitrary = fc.array(
  fc.record({
    events: fc.array(eventArbitrary, { minLength: 1, maxLength: 5 }),
    shard: fc.constantFrom("shardId-000000000000", "shardId-000000000001"),
    redelivered: fc.boolean(),
  }),
  { minLength: 1, maxLength: 4 },
);

function toJson(planned: Planned, n: number): Record<string, unknown> {
  const timestamp = new Date(NOW - 3_600_000 + n * 1_000).toISOString();
  const ids = {
    ...(planned.userId === undefined ? {} : { userId: planned.userId }),
    ...(planned.anonymousId === undefined ? {} : { anonymousId: planned.anonymousId }),
  };
  const base = { messageId: `m-${n}`, timestamp, ...ids };
  switch (planned.kind) {
    case "page":
      return { ...base, type: "page", name: "Home" };
    case "view":
      return { ...base, type: "track", event: "Product Viewed", properties: { product_id: `p-${n % 4}` } };
    case "add":
      return { ...base, type: "track", event: "Product Added", properties: { product_id: `p-${n % 4}` } };
    case "email":
      return { ...base, type: "identify", traits: { email: planned.email } };
    case "alias":
      return {
        type: "alias",
        messageId: base.messageId,
        timestamp,
        userId: planned.userId,
        previousId: planned.anonymousId,
      };
  }
}

/** Where an id's forwards lead in the store, after the run. */
function finalCustomer(store: InMemoryProfileStore, id: string): string {
  let current = id;
  for (let hop = 0; hop < 5; hop++) {
    const forward = store.forwards.get(current)?.forward;
    if (forward === undefined) return current;
    current = forward.to;
  }
  return current;
}

const COUNTED = ["page", "product_viewed", "product_added", "alias"] as const;

describe("identity resolution over the orderings of its steps", () => {
  it("puts every event in exactly one profile, once, equal to the fold of the events that belong to it", async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), planArbitrary, async (s, plan) => {
        const profiles = new ScheduledProfileStore(s);
        const deps = {
          profiles,
          tombstones: profiles,
          identities: profiles,
          quarantine: new InMemoryQuarantine(),
          clock: { now: () => NOW },
          maxWriteAttempts: 30,
        };
        let n = 0;
        const all: TailorEvent[] = [];
        const deliveries: IngestRecord[][] = [];
        for (const batch of plan) {
          const records = batch.events.map((planned) => {
            n++;
            const json = toJson(planned, n);
            const parsed = parseEvent(json, NOW);
            if (parsed.ok) all.push(parsed.event);
            return eventRecord(json, { shardId: batch.shard, arrivedAt: NOW - 1_000 });
          });
          deliveries.push(records);
          if (batch.redelivered) deliveries.push(records);
        }

        // Every delivery in flight at once; a delivery with failed records is redelivered, as the stream does.
        const running = deliveries.map((records) => ingestBatch(deps, records));
        await s.waitFor(Promise.all(running));
        const results = await Promise.all(running);
        for (const [index, result] of results.entries()) {
          let failed = result.failed.size;
          for (let retry = 0; failed > 0 && retry < 5; retry++) {
            const again = ingestBatch(deps, deliveries[index] ?? []);
            await s.waitFor(again);
            failed = (await again).failed.size;
          }
          expect(failed).toBe(0);
        }

        // The oracle: each event's customer, then the fold of each customer's events.
        const owner = (event: TailorEvent) =>
          event.userId ?? finalCustomer(profiles, event.anonymousId ?? event.customerId);
        const byCustomer = new Map<string, TailorEvent[]>();
        for (const event of all) {
          const id = owner(event);
          byCustomer.set(id, [...(byCustomer.get(id) ?? []), { ...event, customerId: id }]);
        }
        for (const [id, events] of byCustomer) {
          const stored = profiles.items.get(id)?.profile;
          expect(stored, `profile of ${id}`).toBeDefined();
          const expected = foldEvents(undefined, id, events, NOW).profile;
          for (const kind of COUNTED) {
            expect(stored?.k[KIND_CODES[kind]]?.n ?? 0, `${kind} of ${id}`).toBe(
              expected.k[KIND_CODES[kind]]?.n ?? 0,
            );
          }
          // The cart follows the newest cart event (an older one arriving later is ignored, merged or not): its
          // lines are products this customer added.
          const added = new Set(
            events.flatMap((e) => (e.kind === "product_added" ? [e.product.productId] : [])),
          );
          for (const line of stored?.ct?.i ?? [])
            expect(added.has(line.p), `cart line ${line.p} of ${id}`).toBe(true);
        }
        // No profile is left for an id whose events all went elsewhere, and no snapshot is left pending.
        for (const id of profiles.items.keys()) expect(byCustomer.has(id), `stray profile ${id}`).toBe(true);
        for (const [id, { forward }] of profiles.forwards) {
          expect(forward.pending, `pending snapshot of ${id}`).toBeUndefined();
          // A forward leads to a customer's profile; a known customer is never merged away.
          expect(profiles.items.has(finalCustomer(profiles, id)), `forward of ${id}`).toBe(true);
          expect(USERS).not.toContain(id);
        }
      }),
      { numRuns: 150 },
    );
  });
});
