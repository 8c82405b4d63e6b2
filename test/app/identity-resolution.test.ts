import { describe, expect, it } from "vitest";
import { ingestBatch } from "#shared/app/ingest-batch.js";
import { eraseCustomer, isNothingHeld } from "#shared/app/privacy/erase-customer.js";
import { exportCustomer } from "#shared/app/privacy/export-customer.js";
import { KIND_CODES, type Profile } from "#shared/domain/profile/index.js";
import { InMemoryProfileStore, InMemoryQuarantine } from "../fakes/in-memory-stores.js";
import { privacyFakes } from "../privacy/privacy-fakes.js";
import { eventRecord } from "../support/event-record.js";

const NOW = Date.UTC(2026, 10, 23, 12);

const record = (event: Record<string, unknown>, shardId?: string) =>
  eventRecord(event, { arrivedAt: NOW - 1_000, ...(shardId === undefined ? {} : { shardId }) });

type Ids = { userId?: string; anonymousId?: string };
let messages = 0;
const at = (minutesAgo: number) => new Date(NOW - minutesAgo * 60_000).toISOString();

const track = (ids: Ids, event: string, properties: Record<string, unknown>, minutesAgo = 30) => ({
  type: "track",
  event,
  messageId: `m-${++messages}`,
  timestamp: at(minutesAgo),
  properties,
  ...ids,
});
const page = (ids: Ids, minutesAgo = 30) => ({
  type: "page",
  name: "Home",
  messageId: `m-${++messages}`,
  timestamp: at(minutesAgo),
  ...ids,
});
const identify = (ids: Ids, traits: Record<string, unknown> = {}, minutesAgo = 10) => ({
  type: "identify",
  messageId: `m-${++messages}`,
  timestamp: at(minutesAgo),
  traits,
  ...ids,
});
const alias = (userId: string, previousId: string) => ({
  type: "alias",
  messageId: `m-${++messages}`,
  timestamp: at(5),
  userId,
  previousId,
});
const added = (ids: Ids, productId: string, minutesAgo = 20) =>
  track(
    ids,
    "Product Added",
    { product_id: productId, category: "books", price: 12, currency: "USD" },
    minutesAgo,
  );
const viewed = (ids: Ids, productId: string, minutesAgo = 25) =>
  track(ids, "Product Viewed", { product_id: productId, category: "books" }, minutesAgo);

function setup(profiles: InMemoryProfileStore = new InMemoryProfileStore()) {
  const deps = {
    profiles,
    quarantine: new InMemoryQuarantine(),
    clock: { now: () => NOW },
    identities: profiles,
    tombstones: profiles,
  };
  const ingest = (events: Record<string, unknown>[]) =>
    ingestBatch(
      deps,
      events.map((e) => record(e)),
    );
  const profile = (id: string): Profile | undefined => profiles.items.get(id)?.profile;
  return { profiles, deps, ingest, profile };
}

const count = (profile: Profile | undefined, kind: keyof typeof KIND_CODES) =>
  profile?.k[KIND_CODES[kind]]?.n ?? 0;

describe("identity resolution", () => {
  it("gives the known customer the anonymous history when identify links the ids", async () => {
    const { ingest, profile, profiles } = setup();
    const anon = { anonymousId: "anon-1" };
    await ingest([page(anon), viewed(anon, "p-1"), added(anon, "p-1")]);
    expect(count(profile("anon-1"), "product_viewed")).toBe(1);

    const result = await ingest([
      identify({ userId: "u-1", anonymousId: "anon-1" }, { email: "a@example.com" }),
    ]);
    expect(result.summary.merges).toBe(1);
    const known = profile("u-1");
    expect(count(known, "product_viewed")).toBe(1);
    expect(count(known, "page")).toBe(1);
    expect(known?.ct?.i.map((line) => line.p)).toEqual(["p-1"]);
    expect(known?.t?.email).toBe("a@example.com");
    expect(known?.u).toBe(1);
    expect(known?.im).toEqual([expect.objectContaining({ i: "anon-1", h: "identify", v: 1 })]);
    // The anonymous id is no profile any more: a forward with no snapshot left.
    expect(profile("anon-1")).toBeUndefined();
    expect(profiles.forwards.get("anon-1")?.forward.to).toBe("u-1");
    expect(profiles.forwards.get("anon-1")?.forward.pending).toBeUndefined();

    // Later anonymous events of that id fold into the known customer, and a redelivery counts nothing again.
    const later = viewed(anon, "p-2", 2);
    await ingest([later]);
    await ingest([later]);
    expect(count(profile("u-1"), "product_viewed")).toBe(2);
    expect(profiles.items.has("anon-1")).toBe(false);
  });

  it("merges anonymous events and the identify of one batch into one profile, with one write", async () => {
    const { ingest, profile, profiles } = setup();
    const anon = { anonymousId: "anon-2" };
    const result = await ingest([
      viewed(anon, "p-1"),
      added(anon, "p-1"),
      identify({ userId: "u-2", ...anon }),
    ]);
    expect(result.summary.profilesWritten).toBe(1);
    expect(count(profile("u-2"), "product_added")).toBe(1);
    expect(profile("u-2")?.im?.map((link) => [link.i, link.v])).toEqual([["anon-2", 0]]);
    expect(profiles.forwards.get("anon-2")?.forward.to).toBe("u-2");
  });

  it("links through an alias call, Segment's way", async () => {
    const { ingest, profile } = setup();
    await ingest([viewed({ anonymousId: "visitor-9" }, "p-3")]);
    await ingest([identify({ userId: "u-9" }, { email: "nine@example.com" })]);
    const result = await ingest([alias("u-9", "visitor-9")]);
    expect(result.summary.merges).toBe(1);
    expect(count(profile("u-9"), "product_viewed")).toBe(1);
    expect(profile("u-9")?.im?.[0]).toEqual(expect.objectContaining({ i: "visitor-9", h: "alias" }));
  });

  it("merges several devices into one customer, and costs no extra read once they are linked", async () => {
    const { ingest, profile, profiles } = setup();
    await ingest([viewed({ anonymousId: "phone" }, "p-1"), viewed({ anonymousId: "laptop" }, "p-2")]);
    await ingest([identify({ userId: "u-3", anonymousId: "phone" })]);
    await ingest([identify({ userId: "u-3", anonymousId: "laptop" })]);
    expect(count(profile("u-3"), "product_viewed")).toBe(2);
    expect(profile("u-3")?.im?.map((link) => link.i)).toEqual(["phone", "laptop"]);

    const reads = profiles.reads;
    const steady = await ingest([page({ userId: "u-3", anonymousId: "laptop" }, 1)]);
    expect(steady.summary.identityReads).toBe(0);
    expect(steady.summary.identityWrites).toBe(0);
    expect(profiles.reads - reads).toBe(1);
  });

  it("never merges two known customers, and keeps an anonymous id with the customer it joined first", async () => {
    const { ingest, profile, profiles } = setup();
    await ingest([
      identify({ userId: "alice", anonymousId: "shared-tablet" }, { email: "alice@example.com" }),
    ]);
    await ingest([identify({ userId: "bob" }, { email: "bob@example.com" })]);
    // Bob logs in on Alice's tablet: his events are his, the tablet stays linked to Alice.
    const result = await ingest([page({ userId: "bob", anonymousId: "shared-tablet" }, 1)]);
    expect(result.summary.merges).toBe(0);
    expect(result.summary.identityConflicts).toBe(1);
    expect(count(profile("bob"), "page")).toBe(1);
    expect(profile("bob")?.ix?.[0]).toEqual(
      expect.objectContaining({ r: "taken", i: "shared-tablet", o: "alice" }),
    );
    expect(profiles.forwards.get("shared-tablet")?.forward.to).toBe("alice");

    // An alias naming another known customer is refused too.
    const aliased = await ingest([alias("bob", "alice")]);
    expect(aliased.summary.merges).toBe(0);
    expect(profile("bob")?.ix?.[0]).toEqual(expect.objectContaining({ r: "known", i: "alice" }));
    expect(profile("alice")?.t?.email).toBe("alice@example.com");
    // A redelivery records the refusal once.
    await ingest(
      [alias("bob", "alice")].map((e) => ({ ...e, messageId: String(profile("bob")?.ix?.[0]?.m) })),
    );
    expect(profile("bob")?.ix?.filter((c) => c.r === "known")).toHaveLength(1);
  });

  it("stops at the id limit: a shared device or a bot cannot glue people together", async () => {
    const { ingest, profile } = setup();
    const events = Array.from({ length: 20 }, (_, i) =>
      page({ userId: "kiosk", anonymousId: `visit-${i}` }, 20 - i),
    );
    const result = await ingest(events);
    expect(profile("kiosk")?.im).toHaveLength(16);
    expect(result.summary.identityConflicts).toBeGreaterThan(0);
    expect(profile("kiosk")?.ix?.[0]?.r).toBe("limit");
  });

  it("finishes a merge a crash interrupted between the forward and the customer's write, counting once", async () => {
    const { ingest, profile, profiles, deps } = setup();
    const anon = { anonymousId: "anon-c" };
    await ingest([viewed(anon, "p-1"), added(anon, "p-1")]);
    const linking = [identify({ userId: "u-c", ...anon })];
    let crash = true;
    profiles.beforePut = (written) => {
      if (crash && written.customerId === "u-c") {
        crash = false;
        throw new Error("the function died");
      }
    };
    const crashed = await ingestBatch(
      deps,
      linking.map((e) => record(e)),
    );
    expect(crashed.failed.size).toBe(1);
    expect(profiles.forwards.get("anon-c")?.forward.pending).toBeDefined();
    expect(profile("u-c")).toBeUndefined();

    // Meanwhile an anonymous event of that id arrives on another shard: it follows the forward and finishes it.
    await ingest([viewed(anon, "p-2", 3)]);
    await ingest(linking); // the redelivery of the crashed batch
    expect(count(profile("u-c"), "product_viewed")).toBe(2);
    expect(count(profile("u-c"), "product_added")).toBe(1);
    expect(profile("u-c")?.im).toHaveLength(1);
    expect(profiles.forwards.get("anon-c")?.forward.pending).toBeUndefined();
  });

  it("clears a snapshot left in a forward by a crash after the merge, without merging it again", async () => {
    const { ingest, profile, profiles } = setup();
    const anon = { anonymousId: "anon-s" };
    await ingest([viewed(anon, "p-1")]);
    const snapshot = profiles.items.get("anon-s");
    await ingest([identify({ userId: "u-s", ...anon })]);
    // The function died after the customer's write, before the forward dropped its snapshot.
    const stored = profiles.forwards.get("anon-s");
    if (stored === undefined || snapshot === undefined) throw new Error("no forward");
    profiles.forwards.set("anon-s", { ...stored, forward: { ...stored.forward, pending: snapshot } });

    const result = await ingest([viewed(anon, "p-2", 2)]);
    expect(result.summary.merges).toBe(0);
    expect(count(profile("u-s"), "product_viewed")).toBe(2);
    expect(profiles.forwards.get("anon-s")?.forward.pending).toBeUndefined();
  });

  it("redirects a batch whose anonymous profile was merged away while it was being written", async () => {
    const { ingest, profile, profiles } = setup();
    const anon = { anonymousId: "anon-r" };
    await ingest([viewed(anon, "p-1")]);
    // Batch A (anonymous events) has loaded the profile; batch B (the login, another shard) writes its forward
    // before A writes, and dies before writing the known customer.
    const link = { i: "anon-r", h: "identify" as const, at: NOW - 60_000, m: "login-1", v: 1 };
    profiles.beforePut = (written) => {
      const stored = profiles.items.get("anon-r");
      if (written.customerId === "anon-r" && stored !== undefined) {
        profiles.beforePut = undefined;
        void profiles.retire("anon-r", stored, "u-r", NOW, link);
      }
    };
    const first = await ingest([added(anon, "p-9", 4)]);
    expect(first.failed.size).toBe(0);
    expect(first.summary.conflicts).toBe(1);
    const known = profile("u-r");
    expect(count(known, "product_viewed")).toBe(1);
    expect(count(known, "product_added")).toBe(1);
    expect(known?.ct?.i.map((line) => line.p)).toEqual(["p-9"]);
    expect(known?.im).toEqual([expect.objectContaining({ i: "anon-r", m: "login-1" })]);
    expect(profiles.items.has("anon-r")).toBe(false);

    // The login's redelivery finds the merge done: nothing counts twice.
    await ingest([{ ...identify({ userId: "u-r", ...anon }), messageId: "login-1" }]);
    expect(count(profile("u-r"), "product_viewed")).toBe(1);
    expect(profile("u-r")?.im).toHaveLength(1);
  });

  describe("the email address as an identifier", () => {
    it("joins a newsletter sign-up (email only) to the customer who later logs in with that email", async () => {
      const { ingest, profile, profiles } = setup();
      await ingest([
        identify({ anonymousId: "newsletter-1" }, { email: "Zoe@Example.com" }, 60),
        page({ anonymousId: "newsletter-1" }, 59),
      ]);
      expect(profiles.emails.get("zoe@example.com")).toEqual({ id: "newsletter-1", known: false });

      // Later, on another device: a login with a userId and the same address.
      const result = await ingest([
        identify({ userId: "zoe", anonymousId: "phone-7" }, { email: "zoe@example.com" }, 5),
      ]);
      expect(result.summary.merges).toBe(2);
      const zoe = profile("zoe");
      expect(count(zoe, "page")).toBe(1);
      expect(zoe?.im?.map((link) => [link.i, link.h])).toEqual(
        expect.arrayContaining([
          ["newsletter-1", "email"],
          ["phone-7", "identify"],
        ]),
      );
      expect(zoe?.ec).toBe("zoe@example.com");
      expect(profiles.emails.get("zoe@example.com")).toEqual({ id: "zoe", known: true });
      expect(profiles.forwards.get("newsletter-1")?.forward.to).toBe("zoe");
    });

    it("does not merge an anonymous visitor who types a known customer's address: her login does", async () => {
      const { ingest, profile, profiles } = setup();
      await ingest([identify({ userId: "yan" }, { email: "yan@example.com" }, 60)]);
      await ingest([
        viewed({ anonymousId: "tablet" }, "p-4", 9),
        identify({ anonymousId: "tablet" }, { email: "yan@example.com" }, 8),
      ]);
      expect(count(profile("yan"), "product_viewed")).toBe(0);
      expect(count(profile("tablet"), "product_viewed")).toBe(1);
      expect(profiles.emails.get("yan@example.com")?.id).toBe("yan");
      // When she logs in on that tablet, the tablet's history joins her.
      await ingest([page({ userId: "yan", anonymousId: "tablet" }, 5)]);
      expect(count(profile("yan"), "product_viewed")).toBe(1);
    });

    it("never merges two known customers who give the same address: recorded once on the second", async () => {
      const { ingest, profile, profiles } = setup();
      await ingest([identify({ userId: "kim" }, { email: "family@example.com" }, 60)]);
      await ingest([identify({ userId: "lee" }, { email: "family@example.com" }, 50)]);
      await ingest([identify({ userId: "lee" }, { email: "family@example.com" }, 40)]);
      expect(profile("lee")?.ix).toEqual([expect.objectContaining({ r: "known", i: "kim" })]);
      expect(profile("kim")?.im).toBeUndefined();
      expect(profiles.emails.get("family@example.com")?.id).toBe("kim");
    });
  });

  it("erases and exports a customer by any of its ids: every id, its forward, its email index entry", async () => {
    const fakes = privacyFakes(NOW);
    const { profiles, ingest } = setup(fakes.profiles);
    await ingest([
      viewed({ anonymousId: "web-1" }, "p-1"),
      identify({ anonymousId: "lead-1" }, { email: "ana@example.com" }, 50),
    ]);
    await ingest([identify({ userId: "ana", anonymousId: "web-1" }, { email: "ana@example.com" })]);
    fakes.ledger.add("web-1", { kind: "claim", item: { customerId: "web-1", sk: "key#k", state: "sent" } });
    const privacy = { ...fakes.deps, identities: profiles };

    const exported = await exportCustomer(privacy, "lead-1", "cli:ops");
    expect(exported.customerId).toBe("ana");
    expect(exported.profile?.identities).toEqual([
      expect.objectContaining({ i: "web-1", h: "identify" }),
      expect.objectContaining({ i: "lead-1", h: "email" }),
    ]);
    expect(exported.ledger.claims).toHaveLength(1); // found under the anonymous id it was made for

    const erased = await eraseCustomer(privacy, "web-1", "cli:ops");
    expect(isNothingHeld(erased)).toBe(false);
    for (const id of ["ana", "web-1", "lead-1"]) expect(profiles.tombstones.get(id)?.kind).toBe("erased");
    expect(profiles.forwards.size).toBe(0);
    expect(profiles.emails.size).toBe(0);
    expect(await fakes.ledger.list("web-1")).toEqual([]);

    // A late anonymous event of a merged id is dropped, not folded into a new profile.
    const late = await ingest([viewed({ anonymousId: "web-1" }, "p-2", 1)]);
    expect(late.summary.erasedDropped).toBe(1);
    expect(profiles.items.size).toBe(0);
  });
});
