import { describe, expect, it } from "vitest";
import { consentAuditId } from "#shared/app/consent/consent-audit-entries.js";
import { type IngestRecord, ingestBatch } from "#shared/app/ingest-batch.js";
import { eraseCustomer } from "#shared/app/privacy/erase-customer.js";
import { customerHash } from "#shared/domain/privacy/customer-hash.js";
import { emptyProfile } from "#shared/domain/profile/index.js";
import { InMemoryQuarantine } from "../fakes/in-memory-stores.js";
import { privacyFakes } from "./privacy-fakes.js";

const NOW = Date.UTC(2026, 10, 23, 12);
const encoder = new TextEncoder();
let sequence = 0;

function record(payload: Record<string, unknown>): IngestRecord {
  sequence++;
  return {
    sequenceNumber: String(sequence).padStart(12, "0"),
    partitionKey: String(payload.userId),
    shardId: "shardId-000000000000",
    data: encoder.encode(JSON.stringify(payload)),
    approximateArrivalTimestamp: NOW - 1000,
  };
}

function track(customerId: string, event: string, minutesAgo: number, properties = {}, extra = {}) {
  sequence++;
  return record({
    type: "track",
    event,
    messageId: `m-${sequence}`,
    userId: customerId,
    timestamp: new Date(NOW - minutesAgo * 60_000).toISOString(),
    properties,
    ...extra,
  });
}

function setup() {
  const fakes = privacyFakes(NOW);
  const quarantine = new InMemoryQuarantine();
  const ingest = {
    profiles: fakes.profiles,
    quarantine,
    clock: fakes.clock,
    tombstones: fakes.profiles,
    audit: fakes.audit,
  };
  return { ...fakes, ingest };
}

describe("ingestBatch after an erasure", () => {
  it("drops an erased customer's late events, counts them, audits once, and rebuilds no profile", async () => {
    // Prepare
    const s = setup();
    await s.profiles.put(emptyProfile("gone", NOW - 86_400_000), undefined);
    await eraseCustomer(s.deps, "gone", "cli:ops");
    const batch = [
      track("gone", "Product Viewed", 1, { product_id: "p-1" }),
      track("gone", "Product Added", 1, { product_id: "p-1", price: 10 }),
      track("kept", "Product Viewed", 1, { product_id: "p-2" }),
    ];
    // Act
    const { summary, failed } = await ingestBatch(s.ingest, batch);
    // Assess
    expect(failed.size).toBe(0);
    expect(summary.erasedDropped).toBe(2);
    expect(summary.profilesWritten).toBe(1);
    expect(s.profiles.items.has("gone")).toBe(false);
    expect(s.profiles.items.has("kept")).toBe(true);
    expect(s.profiles.reads).toBe(1);
    const dropped = s.audit.entries.filter((e) => e.action === "customer.erasure_dropped_event");
    expect(dropped).toEqual([
      expect.objectContaining({
        actor: "ingest",
        customerHash: customerHash("gone"),
        details: { events: 2 },
      }),
    ]);
  });

  it("is the same audit entry when the batch is redelivered", async () => {
    const s = setup();
    await s.profiles.put(emptyProfile("gone", NOW - 86_400_000), undefined);
    await eraseCustomer(s.deps, "gone", "cli:ops");
    const batch = [track("gone", "Product Viewed", 1, { product_id: "p-1" })];
    await ingestBatch(s.ingest, batch);
    const again = await ingestBatch(s.ingest, batch);
    expect(again.summary.erasedDropped).toBe(1);
    expect(s.audit.entries.filter((e) => e.action === "customer.erasure_dropped_event")).toHaveLength(1);
  });

  it("fails the dropped records back when the audit log cannot be reached, and writes nothing", async () => {
    const s = setup();
    await s.profiles.put(emptyProfile("gone", NOW - 86_400_000), undefined);
    await eraseCustomer(s.deps, "gone", "cli:ops");
    s.audit.failing = true;
    const batch = [track("gone", "Product Viewed", 1, { product_id: "p-1" })];
    const { failed } = await ingestBatch(s.ingest, batch);
    expect([...failed]).toEqual([batch[0]?.sequenceNumber]);
    expect(s.profiles.items.has("gone")).toBe(false);
  });
});

describe("ingestBatch racing an erasure", () => {
  it.each([
    ["a known customer (its write is conditional on the version)", true],
    ["a new customer (its write is conditional on no item)", false],
  ])("never writes back %s erased while the batch is in flight", async (_, known) => {
    // Prepare: the batch has loaded the profile (or found none); the erasure lands just before its write.
    const s = setup();
    if (known) await s.profiles.put(emptyProfile("racer", NOW - 86_400_000), undefined);
    else s.ledger.add("racer", { kind: "claim", item: { customerId: "racer", sk: "key#k", state: "sent" } });
    let erased = false;
    s.profiles.beforePut = (profile) => {
      if (profile.customerId !== "racer" || erased) return;
      erased = true;
      // A synchronous stand-in for the erasure's single write: the tombstone replaces the profile.
      s.profiles.items.delete("racer");
      s.profiles.tombstones.set("racer", { erasedAt: NOW, kind: "erased" });
    };
    const batch = [
      track("racer", "Identify", 1, {}, { type: "identify", traits: { email: "racer@example.com" } }),
      track("kept", "Product Viewed", 1, { product_id: "p-2" }),
    ];
    // Act
    const { summary, failed } = await ingestBatch(s.ingest, batch);
    // Assess
    expect(erased).toBe(true);
    expect(failed.size).toBe(0);
    expect(s.profiles.items.has("racer")).toBe(false);
    expect(s.profiles.items.has("kept")).toBe(true);
    expect(summary.erasedDropped).toBe(1);
    expect(s.audit.entries).toContainEqual(
      expect.objectContaining({
        action: "customer.erasure_dropped_event",
        customerHash: customerHash("racer"),
      }),
    );
  });
});

describe("ingestBatch consent audit", () => {
  it("appends consent.changed per consent decision, keyed by messageId, with the app as actor", async () => {
    // Prepare
    const s = setup();
    const consent = track(
      "c-1",
      "Consent Updated",
      5,
      { purpose: "marketing_email", granted: true, source: "signup_form" },
      { context: { library: { name: "shop-web" } } },
    );
    const unsubscribe = track("c-1", "Unsubscribed", 1, { purpose: "marketing_email" });
    // Act
    await ingestBatch(s.ingest, [
      consent,
      unsubscribe,
      track("c-1", "Product Viewed", 1, { product_id: "p" }),
    ]);
    // Assess
    const entries = s.audit.entries.filter((e) => e.action === "consent.changed");
    expect(entries).toEqual([
      expect.objectContaining({
        actor: "app:shop-web",
        customerHash: customerHash("c-1"),
        details: expect.objectContaining({
          purpose: "marketing_email",
          granted: true,
          source: "signup_form",
        }),
      }),
      expect.objectContaining({
        actor: "app:stream",
        details: expect.objectContaining({
          purpose: "marketing_email",
          granted: false,
          source: "unsubscribe",
        }),
      }),
    ]);
    expect(entries.map((e) => e.id)).toEqual([
      consentAuditId(messageIdOf(consent)),
      consentAuditId(messageIdOf(unsubscribe)),
    ]);
  });

  it("audits nothing for a decision older than the stored one (the fold ignores it) or a redelivery", async () => {
    const s = setup();
    const newer = track("c-1", "Consent Updated", 1, { purpose: "profiling", granted: true });
    await ingestBatch(s.ingest, [newer]);
    const older = track("c-1", "Consent Updated", 60, { purpose: "profiling", granted: false });
    await ingestBatch(s.ingest, [older]);
    await ingestBatch(s.ingest, [newer]);
    expect(s.audit.entries.map((e) => e.id)).toEqual([consentAuditId(messageIdOf(newer))]);
  });

  it("fails the customer's records back when the consent entry cannot be appended, before writing", async () => {
    const s = setup();
    s.audit.failing = true;
    const consent = track("c-1", "Consent Updated", 1, { purpose: "profiling", granted: true });
    const { failed } = await ingestBatch(s.ingest, [consent]);
    expect(failed.has(consent.sequenceNumber)).toBe(true);
    expect(s.profiles.items.has("c-1")).toBe(false);
  });
});

/** The messageId a record carries. */
function messageIdOf(r: IngestRecord): string {
  const parsed: unknown = JSON.parse(new TextDecoder().decode(r.data));
  const id = typeof parsed === "object" && parsed !== null ? Reflect.get(parsed, "messageId") : undefined;
  return String(id);
}
