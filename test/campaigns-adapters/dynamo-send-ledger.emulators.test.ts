import { type DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoSendLedger, SEND_CLAIM_LEASE_MS } from "#shared/aws/dynamo-send-ledger.js";
import type { LedgerEntry, SendIntent } from "#shared/domain/campaigns/contracts.js";
import { sendRefOf } from "#shared/domain/email-feedback/ses-tags.js";
import { DependencyUnavailableError } from "#shared/errors.js";
import { createTable, startDynalite } from "../support/dynamo-table.js";

const T0 = Date.UTC(2026, 10, 23, 12);
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

let stop: () => Promise<void>;
let dynamodb: DynamoDBClient;
let tables = 0;

beforeAll(async () => {
  ({ client: dynamodb, stop } = await startDynalite());
});

afterAll(async () => {
  await stop?.();
});

/** A fresh ledger table (partition `customerId`, sort `sk`), as the CDK will create it. */
async function ledger(options: { leaseMs?: number } = {}): Promise<DynamoSendLedger> {
  const name = `ledger-${++tables}`;
  await createTable(dynamodb, name, "customerId", "sk");
  return new DynamoSendLedger({ client: dynamodb, tableName: name, ...options });
}

function intent(overrides: Partial<SendIntent> = {}): SendIntent {
  const campaignId = overrides.campaignId ?? "cart-abandonment";
  const customerId = overrides.customerId ?? "c-1";
  const occurrence = overrides.occurrence ?? String(T0);
  const step = overrides.step ?? 0;
  return {
    key: `${campaignId}#${customerId}#${occurrence}#${step}`,
    campaignId,
    customerId,
    occurrence,
    step,
    template: "cart",
    dueAt: T0,
    startedAt: T0 - 4 * 60 * MINUTE,
    ...overrides,
  };
}

function entry(of: SendIntent, overrides: Partial<LedgerEntry> = {}): LedgerEntry {
  return {
    key: of.key,
    customerId: of.customerId,
    campaignId: of.campaignId,
    purpose: "marketing",
    priority: 5,
    at: T0,
    outcome: "sent",
    variant: "a",
    messageId: "m-1",
    ...overrides,
  };
}

describe("DynamoSendLedger.claim", () => {
  it("lets exactly one of many concurrent claims of the same key through; the others see it pending", async () => {
    // Prepare
    const store = await ledger();
    const send = intent();

    // Act
    const results = await Promise.all(Array.from({ length: 8 }, () => store.claim(send, T0)));

    // Assess
    expect(results.filter((r) => r === "claimed")).toHaveLength(1);
    expect(results.filter((r) => r === "pending")).toHaveLength(7);
  });

  it("answers already once the claim is settled, for every settling outcome, but not after a deferral", async () => {
    // Prepare
    const store = await ledger();
    const outcomes = ["sent", "holdout", "skipped", "failed", "deferred"] as const;
    const sends = outcomes.map((outcome) => intent({ occurrence: outcome }));
    for (const [i, send] of sends.entries()) {
      expect(await store.claim(send, T0)).toBe("claimed");
      await store.record(entry(send, { outcome: outcomes[i] ?? "sent", at: T0 + 1 }));
    }

    // Act
    const again = await Promise.all(sends.map((send) => store.claim(send, T0 + MINUTE)));

    // Assess: a deferred intent's claim is still its holder's to release.
    expect(again).toEqual(["already", "already", "already", "already", "pending"]);
  });

  it("settles a send recorded without a prior claim (a skip decided before claiming), so replays skip too", async () => {
    // Prepare
    const store = await ledger();
    const send = intent();
    await store.record(entry(send, { outcome: "skipped", reason: "no consent", messageId: undefined }));

    // Act
    const result = await store.claim(send, T0 + MINUTE);

    // Assess
    expect(result).toBe("already");
  });

  it("keeps different keys of the same customer apart", async () => {
    // Prepare
    const store = await ledger();
    await store.claim(intent({ step: 0 }), T0);

    // Act
    const reminder = await store.claim(intent({ step: 1 }), T0);
    const otherCustomer = await store.claim(intent({ customerId: "c-2" }), T0);

    // Assess
    expect([reminder, otherCustomer]).toEqual(["claimed", "claimed"]);
  });

  it("takes over a pending claim only after the lease, never a settled one", async () => {
    // Prepare
    const store = await ledger({ leaseMs: 10 * MINUTE });
    const crashed = intent({ occurrence: "crashed" });
    const sent = intent({ occurrence: "sent" });
    await store.claim(crashed, T0);
    await store.claim(sent, T0);
    await store.record(entry(sent, { at: T0 + 1 }));

    // Act
    const withinLease = await store.claim(crashed, T0 + 10 * MINUTE);
    const afterLease = await store.claim(crashed, T0 + 10 * MINUTE + 1);
    const settledAfterLease = await store.claim(sent, T0 + DAY);

    // Assess
    expect(withinLease).toBe("pending");
    expect(afterLease).toBe("reclaimed");
    expect(settledAfterLease).toBe("already");
  });

  it("by default retakes a crashed claim within minutes (the lease is 4 minutes), not after 15", async () => {
    // Prepare: an attempt claimed, then died.
    const store = await ledger();
    const crashed = intent({ occurrence: "crashed-default" });
    await store.claim(crashed, T0);

    // Act
    const withinLease = await store.claim(crashed, T0 + SEND_CLAIM_LEASE_MS);
    const sixMinutesLater = await store.claim(crashed, T0 + 6 * MINUTE);

    // Assess
    expect(SEND_CLAIM_LEASE_MS).toBe(4 * MINUTE);
    expect(withinLease).toBe("pending");
    expect(sixMinutesLater).toBe("reclaimed");
  });
});

describe("DynamoSendLedger acceptances (SES's Send events)", () => {
  it("finds an acceptance recorded by the send key's tag reference, and nothing for another key", async () => {
    // Prepare
    const store = await ledger();
    const send = intent({ occurrence: "accepted" });
    const acceptance = { sendRef: sendRefOf(send.key), messageId: "ses-1", acceptedAt: T0 + 5, variant: "b" };

    // Act
    await store.recordAccepted(acceptance);

    // Assess
    expect(await store.accepted(send)).toEqual(acceptance);
    expect(await store.accepted(intent({ occurrence: "other" }))).toBeUndefined();
  });

  it("keeps no customer id in the acceptance, which lives outside the customer's partition", async () => {
    // Prepare
    const tableName = `ledger-${++tables}`;
    await createTable(dynamodb, tableName, "customerId", "sk");
    const store = new DynamoSendLedger({ client: dynamodb, tableName });
    const send = intent({ customerId: "ada-lovelace-42", occurrence: "private" });

    // Act
    await store.recordAccepted({ sendRef: sendRefOf(send.key), messageId: "ses-p", acceptedAt: T0 });

    // Assess
    const items = (await dynamodb.send(new ScanCommand({ TableName: tableName }))).Items ?? [];
    expect(items).toHaveLength(1);
    expect(JSON.stringify(items)).not.toContain("ada");
    expect((await store.accepted(send))?.messageId).toBe("ses-p");
  });

  it("is idempotent: a second record of the same reference leaves the first as it was", async () => {
    // Prepare
    const store = await ledger();
    const send = intent({ occurrence: "twice" });
    await store.recordAccepted({ sendRef: sendRefOf(send.key), messageId: "ses-first", acceptedAt: T0 });

    // Act
    await store.recordAccepted({ sendRef: sendRefOf(send.key), messageId: "ses-again", acceptedAt: T0 + 9 });

    // Assess
    expect(await store.accepted(send)).toEqual({
      sendRef: sendRefOf(send.key),
      messageId: "ses-first",
      acceptedAt: T0,
    });
  });

  it("works for a key too long for a tag (hashed), and stays out of the customer's claims and log", async () => {
    // Prepare
    const store = await ledger();
    const long = intent({ customerId: "ü".repeat(200), occurrence: "long" });
    const ref = sendRefOf(long.key);
    await store.claim(long, T0);

    // Act
    await store.recordAccepted({ sendRef: ref, messageId: "ses-long", acceptedAt: T0 + 1 });

    // Assess
    expect(ref).toMatch(/^sha256-[0-9a-f]{64}$/);
    expect((await store.accepted(long))?.messageId).toBe("ses-long");
    expect(await store.claim(long, T0 + 2)).toBe("pending");
    expect(await store.recent(long.customerId, 0)).toEqual([]);
  });
});

describe("DynamoSendLedger.release", () => {
  it("frees a pending claim after a retryable failure, so the retry claims again and a duplicate did not drop it", async () => {
    // Prepare: attempt A holds the claim while a duplicate B arrives.
    const store = await ledger();
    const send = intent();
    expect(await store.claim(send, T0)).toBe("claimed");
    const duplicateWhileInFlight = await store.claim(send, T0 + 1);

    // Act: A's send fails before the provider accepted it; A releases; the retry comes.
    await store.release(send);
    const retry = await store.claim(send, T0 + 2);

    // Assess: B was told to retry later (not to drop), and the retry owns the send.
    expect(duplicateWhileInFlight).toBe("pending");
    expect(retry).toBe("claimed");
  });

  it("never frees a settled claim: a late release after a recorded send changes nothing", async () => {
    // Prepare
    const store = await ledger();
    const send = intent();
    await store.claim(send, T0);
    await store.record(entry(send, { at: T0 + 1 }));

    // Act
    await store.release(send);
    const replay = await store.claim(send, T0 + 2);

    // Assess
    expect(replay).toBe("already");
  });

  it("is a no-op for a key never claimed", async () => {
    // Prepare
    const store = await ledger();

    // Act, Assess
    await expect(store.release(intent({ occurrence: "never" }))).resolves.toBeUndefined();
  });
});

describe("DynamoSendLedger customer lock", () => {
  it("lets one of many concurrent sends to a customer hold it, until it unlocks; other customers are free", async () => {
    // Prepare
    const store = await ledger();

    // Act
    const held = await Promise.all(
      ["k-1", "k-2", "k-3", "k-4"].map((key) => store.lockCustomer("c-1", key, T0)),
    );

    // Assess
    expect(held.filter(Boolean)).toHaveLength(1);
    const holder = `k-${held.indexOf(true) + 1}`;
    expect(await store.lockCustomer("c-1", holder, T0 + 1)).toBe(true);
    expect(await store.lockCustomer("c-2", "k-9", T0)).toBe(true);
    // Only the holder's unlock drops it.
    const other = holder === "k-1" ? "k-2" : "k-1";
    await store.unlockCustomer("c-1", other);
    expect(await store.lockCustomer("c-1", other, T0 + 2)).toBe(false);
    await store.unlockCustomer("c-1", holder);
    expect(await store.lockCustomer("c-1", other, T0 + 3)).toBe(true);
  });

  it("is taken over after the lease (its holder died), never before", async () => {
    const store = await ledger();
    expect(await store.lockCustomer("c-1", "k-1", T0)).toBe(true);
    expect(await store.lockCustomer("c-1", "k-2", T0 + SEND_CLAIM_LEASE_MS)).toBe(false);
    expect(await store.lockCustomer("c-1", "k-2", T0 + SEND_CLAIM_LEASE_MS + 1)).toBe(true);
    // The old holder's late unlock leaves the new holder's lock alone.
    await store.unlockCustomer("c-1", "k-1");
    expect(await store.lockCustomer("c-1", "k-3", T0 + SEND_CLAIM_LEASE_MS + 2)).toBe(false);
  });

  it("stays out of the customer's outcomes", async () => {
    const store = await ledger();
    const send = intent();
    await store.record(entry(send));
    await store.lockCustomer("c-1", "k-1", T0);
    expect((await store.recent("c-1", 0)).map((e) => e.key)).toEqual([send.key]);
  });
});

describe("DynamoSendLedger.recent", () => {
  it("returns the customer's outcomes since a time, newest first, with their reasons, and nobody else's", async () => {
    // Prepare
    const store = await ledger();
    const old = intent({ occurrence: "old" });
    const sent = intent({ occurrence: "sent" });
    const capped = intent({ campaignId: "win-back", occurrence: "capped" });
    const deferred = intent({ campaignId: "newsletter", occurrence: "deferred" });
    const other = intent({ customerId: "c-2" });
    await store.record(entry(old, { at: T0 - 8 * DAY }));
    await store.record(entry(sent, { at: T0 - 2 * DAY, messageId: "m-sent" }));
    await store.record(
      entry(capped, {
        at: T0 - DAY,
        outcome: "skipped",
        reason: "capped: 3 marketing emails in 7 days",
        variant: undefined,
        messageId: undefined,
      }),
    );
    await store.record(
      entry(deferred, {
        at: T0,
        outcome: "deferred",
        reason: "quiet hours until 08:00 Europe/Paris",
        purpose: "transactional",
        priority: 1,
        messageId: undefined,
      }),
    );
    await store.record(entry(other, { at: T0 }));

    // Act
    const recent = await store.recent("c-1", T0 - 7 * DAY);

    // Assess
    expect(recent).toEqual([
      {
        key: deferred.key,
        customerId: "c-1",
        campaignId: "newsletter",
        purpose: "transactional",
        priority: 1,
        at: T0,
        outcome: "deferred",
        variant: "a",
        reason: "quiet hours until 08:00 Europe/Paris",
      },
      {
        key: capped.key,
        customerId: "c-1",
        campaignId: "win-back",
        purpose: "marketing",
        priority: 5,
        at: T0 - DAY,
        outcome: "skipped",
        reason: "capped: 3 marketing emails in 7 days",
      },
      {
        key: sent.key,
        customerId: "c-1",
        campaignId: "cart-abandonment",
        purpose: "marketing",
        priority: 5,
        at: T0 - 2 * DAY,
        outcome: "sent",
        variant: "a",
        messageId: "m-sent",
      },
    ]);
  });

  it("keeps every deferral of one intent as history, and stops at the limit with the newest", async () => {
    // Prepare
    const store = await ledger();
    const send = intent();
    for (let i = 0; i < 5; i++) {
      await store.record(entry(send, { at: T0 + i * MINUTE, outcome: "deferred", reason: `try ${i}` }));
    }

    // Act
    const all = await store.recent("c-1", 0);
    const two = await store.recent("c-1", 0, 2);

    // Assess
    expect(all.map((e) => e.reason)).toEqual(["try 4", "try 3", "try 2", "try 1", "try 0"]);
    expect(two.map((e) => e.at)).toEqual([T0 + 4 * MINUTE, T0 + 3 * MINUTE]);
  });

  it("finds the sends a cap counts behind more deferrals than its limit, when asked for one outcome", async () => {
    // Prepare: one send, then 120 deferrals of a journey waiting for consent (newer than the send).
    const store = await ledger();
    await store.record(entry(intent({ occurrence: "sent-one" }), { at: T0, outcome: "sent" }));
    for (let i = 1; i <= 120; i++) {
      await store.record(
        entry(intent({ occurrence: `waiting-${i}` }), { at: T0 + i * MINUTE, outcome: "deferred" }),
      );
    }

    // Act
    const newest = await store.recent("c-1", 0);
    const sent = await store.recent("c-1", 0, 100, "sent");

    // Assess
    expect(newest.some((e) => e.outcome === "sent")).toBe(false);
    expect(sent.map((e) => e.key)).toEqual([intent({ occurrence: "sent-one" }).key]);
  });

  it("keeps what a send showed, its content ids and its offer, for the next one's rotation", async () => {
    const store = await ledger();
    const shown = entry(intent(), { contentIds: ["garden-bees", "garden-tools"], offerId: "VIP15" });
    await store.record(shown);
    const [back] = await store.recent("c-1", 0, 10, "sent");
    expect(back).toMatchObject({ contentIds: ["garden-bees", "garden-tools"], offerId: "VIP15" });
  });

  it("is empty for an unknown customer", async () => {
    // Prepare
    const store = await ledger();

    // Act, Assess
    expect(await store.recent("nobody", 0)).toEqual([]);
  });
});

describe("DynamoSendLedger errors", () => {
  it("reports a missing table as a retryable dependency error", async () => {
    // Prepare
    const store = new DynamoSendLedger({ client: dynamodb, tableName: "no-such-table" });

    // Act
    const failure = store.claim(intent(), T0);

    // Assess
    await expect(failure).rejects.toBeInstanceOf(DependencyUnavailableError);
    await expect(failure).rejects.toMatchObject({ retryable: true });
  });
});
