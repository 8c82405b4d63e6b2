import { describe, expect, it } from "vitest";
import { type IngestRecord, ingestBatch } from "#shared/app/ingest-batch.js";
import { decodeEvent } from "#shared/domain/events/index.js";
import type { EventRecord } from "#shared/ports.js";
import { signLinkToken } from "#shared/render/signed-links.js";
import { harness, NOW, profileWith, q, tamper, token } from "../api/api-harness.js";
import { InMemoryProfileStore, InMemoryQuarantine } from "../fakes/in-memory-stores.js";

const OTHER_SECRET = "another-secret-that-is-also-32-bytes-long!";

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

/** Stream records of what the API put, as the ingest receives them. */
function asStream(records: readonly EventRecord[]): IngestRecord[] {
  return records.map((record, index) => ({
    sequenceNumber: String(index + 1).padStart(12, "0"),
    partitionKey: record.customerId,
    shardId: "shardId-000000000000",
    data: record.data,
    approximateArrivalTimestamp: NOW,
  }));
}

function messageIdOf(record: EventRecord | undefined): string {
  const decoded = decodeEvent(record?.data ?? new Uint8Array(), NOW);
  if (!decoded.ok) throw new Error(decoded.error.message);
  return decoded.event.messageId;
}

/** A valid view of `c-other`, ingested in the same batch as the unsubscribes. */
function otherCustomerView(): IngestRecord {
  const data = new TextEncoder().encode(
    JSON.stringify({
      type: "track",
      event: "Product Viewed",
      messageId: "other-view-1",
      userId: "c-other",
      timestamp: new Date(NOW - 60_000).toISOString(),
      properties: { product_id: "p-1" },
    }),
  );
  return {
    sequenceNumber: "000000000099",
    partitionKey: "c-other",
    shardId: "shardId-000000000000",
    data,
    approximateArrivalTimestamp: NOW,
  };
}

describe("forged unsubscribe tokens", () => {
  const [payload, signature] = token("unsubscribe").split(".");
  const claims = { p: "unsubscribe", c: "c-42", k: "cart-abandonment", e: NOW + 86_400_000 };

  it.each([
    ["signed with another secret", token("unsubscribe", { secret: OTHER_SECRET })],
    ["a payload edited, signature kept", tamper(token("unsubscribe"), 0)],
    ["a signature edited", tamper(token("unsubscribe"), 1)],
    ["another customer's payload under c-42's signature", `${b64({ ...claims, c: "c-7" })}.${signature}`],
    ["a later expiry under the original signature", `${b64({ ...claims, e: NOW + 1e12 })}.${signature}`],
    ["a preferences token", token("preferences")],
    ["an expired token", token("unsubscribe", { expiresAt: NOW - 1 })],
    ["an empty signature", `${payload}.`],
    ['"alg: none"-style JSON', `${b64({ alg: "none" })}.${b64(claims)}`],
    ["a signature of the wrong length", `${payload}.${signature}${signature}`],
  ])("answers 403 to %s and puts nothing on the stream", async (_what, forged) => {
    // Prepare
    const api = harness();
    // Act
    const post = await api.call({ method: "POST", path: "/unsubscribe", query: q(forged) });
    const get = await api.call({ method: "GET", path: "/unsubscribe", query: q(forged) });
    // Assess
    expect(post.statusCode).toBe(403);
    expect(get.statusCode).toBe(403);
    expect(post.body).not.toContain("c-42");
    expect(api.events.records).toHaveLength(0);
  });

  it.each([
    ["no token", ""],
    ["a token without a signature part", "t=abc"],
    ["three parts", `t=${encodeURIComponent(`${payload}.${signature}.x`)}`],
    ["signed JSON that is not claims", `t=${encodeURIComponent(`${b64([1, 2])}.x`)}`],
  ])("answers 400 or 403 to %s, never 2xx or 5xx", async (_what, query) => {
    const api = harness();
    const res = await api.call({ method: "POST", path: "/unsubscribe", query });
    expect([400, 403]).toContain(res.statusCode);
    expect(api.events.records).toHaveLength(0);
  });

  it("refuses a token signed with a short secret at signing time: no weak link can be minted", () => {
    expect(() =>
      signLinkToken({ purpose: "unsubscribe", customerId: "c", campaignId: "k", expiresAt: NOW }, "short"),
    ).toThrow("at least 32 bytes");
  });
});

describe("replayed unsubscribe tokens", () => {
  it("puts two records with the same messageId for two one-click POSTs, and the fold counts one", async () => {
    // Prepare
    const api = harness();
    api.profiles.set("c-42", profileWith("c-42", { t: { email: "jane@example.com" } }));
    const t = token("unsubscribe");
    const oneClick = {
      method: "POST",
      path: "/unsubscribe",
      query: q(t),
      body: "List-Unsubscribe=One-Click",
    };
    // Act: the mail client posts, then an attacker (or a retrying client) replays it later
    const first = await api.call(oneClick);
    api.now = NOW + 3_600_000;
    const replay = await api.call(oneClick);
    const profiles = new InMemoryProfileStore();
    const deps = { profiles, quarantine: new InMemoryQuarantine(), clock: { now: () => NOW + 3_600_000 } };
    const { summary, failed } = await ingestBatch(deps, [
      ...asStream(api.events.records),
      otherCustomerView(),
    ]);
    // Assess
    expect([first.statusCode, replay.statusCode]).toEqual([200, 200]);
    expect(api.events.records).toHaveLength(2);
    expect(messageIdOf(api.events.records[0])).toBe(messageIdOf(api.events.records[1]));
    expect(failed.size).toBe(0);
    expect(summary).toMatchObject({ events: 3, duplicates: 1, quarantined: 0 });
    const profile = profiles.items.get("c-42")?.profile;
    expect(profile?.k.un?.n).toBe(1);
    expect(profile?.c?.marketing_email).toMatchObject({ g: false, src: "unsubscribe" });
    expect(profiles.items.get("c-other")?.profile.k.pv?.n).toBe(1);
  });

  it("counts a replay in a later batch as a duplicate and leaves the profile unchanged", async () => {
    const api = harness();
    const t = token("unsubscribe");
    await api.call({ method: "POST", path: "/unsubscribe", query: q(t) });
    await api.call({ method: "POST", path: "/unsubscribe", query: q(t) });
    const [once, again] = asStream(api.events.records);
    if (once === undefined || again === undefined) throw new Error("expected two records");
    const profiles = new InMemoryProfileStore();
    const deps = { profiles, quarantine: new InMemoryQuarantine(), clock: { now: () => NOW } };

    await ingestBatch(deps, [once]);
    const before = structuredClone(profiles.items.get("c-42"));
    const second = await ingestBatch(deps, [again]);

    expect(second.summary).toMatchObject({ duplicates: 1, profilesWritten: 0, profilesUnchanged: 1 });
    expect(profiles.items.get("c-42")).toEqual(before);
  });

  // Node's base64url decoder is lenient (it skips characters outside the alphabet, ignores `=` and the unused low
  // bits of the last character), and the event's messageId is a digest of the token's text: a re-spelt replay
  // would be folded as a second unsubscribe. Only the canonical spelling verifies.
  it("refuses a re-spelt signature, so every accepted replay has the same messageId", async () => {
    const api = harness();
    const t = token("unsubscribe");
    const [payload, signature = ""] = t.split(".");
    const accepted = await api.call({ method: "POST", path: "/unsubscribe", query: q(t) });
    for (const spelling of [
      `${payload}.${signature}=`,
      `${payload}.${signature.slice(0, 4)}!${signature.slice(4)}`,
    ]) {
      const res = await api.call({ method: "POST", path: "/unsubscribe", query: q(spelling) });
      expect(res.statusCode).toBe(400);
    }
    const replay = await api.call({ method: "POST", path: "/unsubscribe", query: q(t) });

    expect([accepted.statusCode, replay.statusCode]).toEqual([200, 200]);
    expect(api.events.records).toHaveLength(2);
    expect(new Set(api.events.records.map(messageIdOf)).size).toBe(1);
  });
});
