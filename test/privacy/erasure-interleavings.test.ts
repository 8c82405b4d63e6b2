import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type IngestRecord, ingestBatch } from "#shared/app/ingest-batch.js";
import { eraseCustomer } from "#shared/app/privacy/erase-customer.js";
import { emptyProfile } from "#shared/domain/profile/index.js";
import { InMemoryQuarantine } from "../fakes/in-memory-stores.js";
import { ScheduledProfileStore } from "../fakes/scheduled-profile-store.js";
import { privacyFakes } from "./privacy-fakes.js";

/**
 * A model of the interleavings of erasure and ingest: every call to the profile store is a step that the
 * fast-check scheduler may run in any order against the other in-flight calls (batches, redeliveries, the
 * erasure). Whatever the order, the erased customer's profile never comes back, and every other customer's
 * profile holds every one of its events.
 */

const NOW = Date.UTC(2026, 10, 23, 12);
const VICTIM = "victim";
const OTHERS = ["c-1", "c-2", "c-3"];
const encoder = new TextEncoder();

let sequence = 0;

function view(customerId: string, n: number): IngestRecord {
  sequence++;
  const event = {
    type: "track",
    event: "Product Viewed",
    messageId: `m-${customerId}-${n}`,
    userId: customerId,
    timestamp: new Date(NOW - 60_000 + n).toISOString(),
    properties: { product_id: `p-${n % 5}` },
  };
  return {
    sequenceNumber: String(sequence).padStart(12, "0"),
    partitionKey: customerId,
    shardId: "shardId-000000000000",
    data: encoder.encode(JSON.stringify(event)),
    approximateArrivalTimestamp: NOW - 1000,
  };
}

/** Batches of views over the victim and the others; each batch may be delivered twice (a redelivery). */
const batchesArbitrary = fc.array(
  fc.record({
    customers: fc.subarray([VICTIM, ...OTHERS], { minLength: 1 }),
    redelivered: fc.boolean(),
  }),
  { minLength: 1, maxLength: 4 },
);

describe("erasure racing ingest, over the orderings of their steps", () => {
  it("never brings the erased profile back, and loses no other customer's event", async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), batchesArbitrary, fc.boolean(), async (s, plan, victimKnown) => {
        // Prepare: the stores, the victim's profile (or only a ledger item), the batches.
        const fakes = privacyFakes(NOW);
        const profiles = new ScheduledProfileStore(s);
        const deps = { ...fakes.deps, profiles };
        if (victimKnown) {
          profiles.items.set(VICTIM, {
            profile: { ...emptyProfile(VICTIM, NOW - 86_400_000), version: 1 },
            itemBytes: 100,
          });
        } else
          fakes.ledger.add(VICTIM, {
            kind: "claim",
            item: { customerId: VICTIM, sk: "key#k", state: "sent" },
          });
        const ingest = {
          profiles,
          tombstones: profiles,
          quarantine: new InMemoryQuarantine(),
          clock: fakes.clock,
          audit: fakes.audit,
          maxWriteAttempts: 20,
        };
        let n = 0;
        const expected = new Map<string, Set<string>>();
        const deliveries: IngestRecord[][] = [];
        for (const { customers, redelivered } of plan) {
          const records = customers.map((id) => {
            n++;
            expected.set(id, new Set([...(expected.get(id) ?? []), `m-${id}-${n}`]));
            return view(id, n);
          });
          deliveries.push(records);
          if (redelivered) deliveries.push(records);
        }

        // Act: every delivery and the erasure in flight at once; the scheduler picks the order of their steps.
        const ingesting = deliveries.map((records) => ingestBatch(ingest, records));
        const erasing = eraseCustomer(deps, VICTIM, "cli:ops");
        await s.waitFor(Promise.all([...ingesting, erasing]));
        const results = await Promise.all(ingesting);

        // Assess: the victim is a tombstone, whatever ran first.
        expect(profiles.items.has(VICTIM)).toBe(false);
        expect(profiles.tombstones.get(VICTIM)?.kind).toBe("erased");
        // Every other customer's events are all in its profile: none failed back, none lost.
        for (const result of results) expect(result.summary.failedRecords).toBe(0);
        for (const id of OTHERS) {
          const views = profiles.items.get(id)?.profile.k.pv?.n ?? 0;
          expect(views).toBe(expected.get(id)?.size ?? 0);
        }
      }),
      { numRuns: 200 },
    );
  });
});
