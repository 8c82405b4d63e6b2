import { describe, expect, it } from "vitest";
import {
  type ErasureOutcome,
  type ErasureReceipt,
  eraseCustomer,
  isNothingHeld,
  liftTombstone,
} from "#shared/app/privacy/erase-customer.js";
import { EXPORT_FORMAT, exportCustomer } from "#shared/app/privacy/export-customer.js";
import { customerHash } from "#shared/domain/privacy/customer-hash.js";
import { emptyProfile, type Profile } from "#shared/domain/profile/index.js";
import { InMemoryWatchIndex } from "../fakes/in-memory-watches.js";
import { privacyFakes } from "./privacy-fakes.js";

const NOW = Date.UTC(2026, 10, 23, 12);

function profileOf(customerId: string): Profile {
  return {
    ...emptyProfile(customerId, NOW - 86_400_000),
    version: 3,
    t: { email: `${customerId}@example.com`, first_name: "Ada" },
    c: { marketing_email: { g: true, at: NOW - 3_600_000, src: "signup_form" } },
    sg: { "cart-abandoners": { e: NOW - 60_000, v: 1 } },
  };
}

/** One customer with data in every store, and a bystander who must not be touched. */
function populated() {
  const fakes = privacyFakes(NOW);
  for (const id of ["c-1", "c-2"]) {
    fakes.profiles.items.set(id, { profile: profileOf(id), itemBytes: 700 });
    fakes.ledger.add(
      id,
      { kind: "claim", item: { customerId: id, sk: "key#k1", state: "sent" } },
      {
        kind: "log",
        item: { customerId: id, sk: "log#1#k1", outcome: "sent", campaignId: "cart", at: NOW - 1000 },
      },
    );
    fakes.timers.add(
      id,
      { kind: "segment", dueAt: NOW + 60_000 },
      { kind: "send", dueAt: NOW + 3_600_000, payload: JSON.stringify({ key: "k2", customerId: id }) },
    );
  }
  fakes.quarantine.add("c-1", {
    key: "quarantine/2026/11/23/shard/1.json",
    reason: "invalid timestamp",
    partitionKey: "c-1",
    sequenceNumber: "1",
    shardId: "shard",
    approximateArrivalTimestamp: NOW - 5000,
    receivedAt: NOW - 4000,
  });
  return fakes;
}

function receipt(outcome: ErasureOutcome): ErasureReceipt {
  if (isNothingHeld(outcome)) throw new Error("expected an erasure receipt");
  return outcome;
}

describe("eraseCustomer", () => {
  it("deletes the customer's items in every store, keeps a tombstone, and says what went where", async () => {
    // Prepare
    const fakes = populated();
    // Act
    const receipt = await eraseCustomer(fakes.deps, "c-1", "cli:ops");
    // Assess
    expect(receipt).toEqual({
      customerHash: customerHash("c-1"),
      erasedAt: new Date(NOW).toISOString(),
      deleted: { profiles: 1, ledger: 2, timers: 2, quarantine: 1 },
      tombstone: "erased",
    });
    expect(fakes.profiles.items.has("c-1")).toBe(false);
    expect(await fakes.ledger.list("c-1")).toEqual([]);
    expect(await fakes.timers.list("c-1")).toEqual([]);
    expect(await fakes.quarantine.list("c-1")).toEqual([]);
    expect([...fakes.profiles.tombstones.keys()]).toEqual(["c-1"]);
    // The bystander keeps everything.
    expect(fakes.profiles.items.has("c-2")).toBe(true);
    expect(await fakes.ledger.list("c-2")).toHaveLength(2);
    expect(await fakes.timers.list("c-2")).toHaveLength(2);
  });

  it("replaces the profile by its tombstone, so a write of the old version fails and nothing rebuilds it", async () => {
    const fakes = populated();
    const before = await fakes.profiles.get("c-1");
    await eraseCustomer(fakes.deps, "c-1", "cli:ops");
    const late = await fakes.profiles.put({ ...profileOf("c-1"), version: 3 }, before);
    const fresh = await fakes.profiles.put(profileOf("c-1"), undefined);
    expect(late).toEqual({ ok: false, reason: "conflict" });
    expect(fresh).toEqual({ ok: false, reason: "conflict" });
    expect(await fakes.profiles.loadWithTombstones(["c-1"])).toEqual({
      profiles: new Map(),
      erased: new Set(["c-1"]),
    });
  });

  it("says so and writes nothing for an id it holds nothing for (a typo), unless blocking is confirmed", async () => {
    const fakes = populated();
    const typo = await eraseCustomer(fakes.deps, "c-l", "cli:ops");
    expect(typo).toEqual({ customerHash: customerHash("c-l"), nothingHeld: true });
    expect(fakes.profiles.tombstones.size).toBe(0);
    expect(fakes.audit.entries).toEqual([]);

    const blocked = receipt(await eraseCustomer(fakes.deps, "c-l", "cli:ops", { block: true }));
    expect(blocked.tombstone).toBe("blocked");
    expect(blocked.deleted).toEqual({ profiles: 0, ledger: 0, timers: 0, quarantine: 0 });
    expect(fakes.audit.entries.map((e) => e.action)).toEqual(["customer.blocked"]);
    // Blocked: a new profile cannot be written under the id.
    expect(await fakes.profiles.put(profileOf("c-l"), undefined)).toEqual({ ok: false, reason: "conflict" });

    expect(await liftTombstone(fakes.deps, "c-l", "cli:ops")).toEqual({
      customerHash: customerHash("c-l"),
      lifted: "blocked",
    });
    expect(await fakes.profiles.put(profileOf("c-l"), undefined)).toMatchObject({ ok: true });
    expect(await liftTombstone(fakes.deps, "c-l", "cli:ops")).toMatchObject({ lifted: "none" });
    expect(fakes.audit.entries.map((e) => e.action)).toEqual(["customer.blocked", "customer.unblocked"]);
  });

  it("erases an id that only has quarantined records or ledger items (something is held)", async () => {
    const fakes = populated();
    fakes.ledger.add("c-9", { kind: "claim", item: { customerId: "c-9", sk: "key#k9", state: "sent" } });
    const outcome = receipt(await eraseCustomer(fakes.deps, "c-9", "cli:ops"));
    expect(outcome.tombstone).toBe("erased");
    expect(outcome.deleted.ledger).toBe(1);
  });

  it("audits the erasure by hash, with the counts, and never the id", async () => {
    const fakes = populated();
    await eraseCustomer(fakes.deps, "c-1", "api:arn:aws:iam::1:user/ops");
    expect(fakes.audit.entries).toEqual([
      expect.objectContaining({
        action: "customer.erased",
        actor: "api:arn:aws:iam::1:user/ops",
        customerHash: customerHash("c-1"),
        at: NOW,
        details: expect.objectContaining({ profiles: 1, ledger: 2, timers: 2, quarantine: 1 }),
      }),
    ]);
    expect(JSON.stringify(fakes.audit.entries)).not.toContain("c-1");
  });

  it("is idempotent: a second erasure finds nothing and reports the first erasure's time", async () => {
    const fakes = populated();
    await eraseCustomer(fakes.deps, "c-1", "cli:ops");
    fakes.clock.at = NOW + 60_000;
    const again = receipt(await eraseCustomer(fakes.deps, "c-1", "cli:ops"));
    expect(again.deleted).toEqual({ profiles: 0, ledger: 0, timers: 0, quarantine: 0 });
    expect(again.erasedAt).toBe(new Date(NOW).toISOString());
    expect(fakes.profiles.tombstones.size).toBe(1);
    expect(fakes.audit.entries.map((e) => e.action)).toEqual(["customer.erased", "customer.erased"]);
  });
});

describe("exportCustomer", () => {
  it("puts profile, ledger, timers, quarantine and consent history in one document, with readable names", async () => {
    // Prepare
    const fakes = populated();
    await fakes.audit.append([
      {
        id: "m-consent-1",
        at: NOW - 3_600_000,
        action: "consent.changed",
        actor: "app:web",
        customerHash: customerHash("c-1"),
        details: { purpose: "marketing_email", granted: true, source: "signup_form" },
      },
    ]);
    // Act
    const document = await exportCustomer(fakes.deps, "c-1", "cli:ops");
    // Assess
    expect(document.format).toBe(EXPORT_FORMAT);
    expect(document.customerId).toBe("c-1");
    expect(document.profile).toMatchObject({
      customerId: "c-1",
      traits: { email: "c-1@example.com", first_name: "Ada" },
      consent: { marketing_email: { g: true, src: "signup_form" } },
      segmentMemberships: { "cart-abandoners": { v: 1 } },
    });
    expect(document.profile).not.toHaveProperty("t");
    expect(document.profileFields.traits).toMatch(/email/);
    expect(document.ledger.claims).toEqual([{ customerId: "c-1", sk: "key#k1", state: "sent" }]);
    expect(document.ledger.log).toEqual([expect.objectContaining({ outcome: "sent", campaignId: "cart" })]);
    expect(document.timers).toEqual([
      { kind: "segment", dueAt: new Date(NOW + 60_000).toISOString() },
      {
        kind: "send",
        dueAt: new Date(NOW + 3_600_000).toISOString(),
        intent: { key: "k2", customerId: "c-1" },
      },
    ]);
    expect(document.quarantine).toEqual([expect.objectContaining({ reason: "invalid timestamp" })]);
    expect(document.consentHistory).toEqual([expect.objectContaining({ id: "m-consent-1" })]);
  });

  it("round-trips through JSON unchanged", async () => {
    const fakes = populated();
    const document = await exportCustomer(fakes.deps, "c-1", "cli:ops");
    expect(JSON.parse(JSON.stringify(document))).toEqual(document);
  });

  it("audits the export with counts, and exports an unknown customer as an empty document", async () => {
    const fakes = populated();
    const document = await exportCustomer(fakes.deps, "nobody", "cli:ops");
    expect(document.profile).toBeNull();
    expect(document.ledger).toEqual({ claims: [], log: [] });
    expect(fakes.audit.entries).toEqual([
      expect.objectContaining({
        action: "customer.exported",
        customerHash: customerHash("nobody"),
        details: { profile: false, ledger: 0, timers: 0, quarantine: 0 },
      }),
    ]);
  });
});

describe("erasure and export reach the watch index", () => {
  it("erases the customer's product watches, counts them, and lists them in the export", async () => {
    const fakes = privacyFakes(NOW);
    const watches = new InMemoryWatchIndex();
    const deps = { ...fakes.deps, watches };
    for (const id of ["c-1", "c-2"]) {
      fakes.profiles.items.set(id, { profile: profileOf(id), itemBytes: 700 });
      await watches.record([
        { productId: "p-1", customerId: id, how: "viewed", at: NOW - 1000 },
        { productId: "p-2", customerId: id, how: "carted", at: NOW - 1000 },
      ]);
    }
    const exported = await exportCustomer(deps, "c-1", "cli:test");
    expect(exported.watches).toEqual([{ productId: "p-1" }, { productId: "p-2" }]);
    const outcome = await eraseCustomer(deps, "c-1", "cli:test");
    if (isNothingHeld(outcome)) throw new Error("c-1 was held");
    expect(outcome.deleted.watches).toBe(2);
    expect(await watches.list("c-1")).toEqual([]);
    expect((await watches.watchers("p-1", { since: 0 })).watchers.map((w) => w.customerId)).toEqual(["c-2"]);
  });
});
