import { describe, expect, it } from "vitest";
import { importStaticSegment } from "#shared/app/import-static-segment.js";
import { ingestBatch } from "#shared/app/ingest-batch.js";
import { SegmentUsageError } from "#shared/app/segment-errors.js";
import {
  allSlices,
  countMembers,
  recomputeRfm,
  recountSegments,
  reevaluateStale,
  sumCounts,
  sumSummaries,
} from "#shared/app/segments-batch.js";
import {
  addToCart,
  cartAbandoners,
  DAY,
  HOUR,
  harness,
  order,
  recentBuyers,
  recentViewers,
  T0,
  viewProduct,
  vipList,
  vipViewers,
} from "./segment-harness.js";

async function shop(h: ReturnType<typeof harness>) {
  await ingestBatch(h.ingest(), [
    addToCart("c-1", T0 - HOUR),
    addToCart("c-2", T0 - 2 * HOUR),
    viewProduct("c-2", T0 - 3 * HOUR),
    viewProduct("c-3", T0 - 30 * HOUR),
    order("c-4", T0 - 40 * DAY, 10),
    order("c-5", T0 - 2 * DAY, 200),
    order("c-6", T0 - 5 * DAY, 50),
    order("c-6", T0 - DAY, 70),
    viewProduct("c-7", T0 - HOUR),
  ]);
}

describe("recountSegments", () => {
  it("writes exact sizes over all slices, correcting drifted counters", async () => {
    const h = harness();
    await shop(h);
    h.store.counters.set("cart-abandoners", 17);

    const sizes = await recountSegments(h.batch(), { totalSegments: 3 });

    expect(sizes.get("cart-abandoners")).toBe(2);
    expect(sizes.get("recent-viewers")).toBe(2);
    expect(sizes.get("vip-list")).toBe(0);
    expect(h.store.counters.get("cart-abandoners")).toBe(2);
    expect(h.store.countedAt.get("cart-abandoners")).toBe(T0);
  });

  it("counts the same over any number of slices", async () => {
    const h = harness();
    await shop(h);
    const deps = { scan: h.profiles, library: h.batch().segments.library };

    const one = await countMembers(deps, { segment: 0, totalSegments: 1 });
    const four = sumCounts(await Promise.all(allSlices(4).map((slice) => countMembers(deps, slice))));

    expect(four).toEqual(one);
    expect([...one.values()].reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });
});

describe("reevaluateStale", () => {
  it("re-evaluates after a definition changes, writing and emitting only for profiles that changed", async () => {
    const h = harness();
    await shop(h);
    const puts = h.profiles.puts;
    const published = h.queue.messages.length;
    // recent-viewers v2 narrows the window from 24 h to 2 h: c-2 (3 h ago) leaves, c-7 (1 h ago) stays.
    h.redefine([cartAbandoners, recentViewers(2), recentBuyers, vipList, vipViewers]);

    const summary = sumSummaries(
      await Promise.all(allSlices(2).map((slice) => reevaluateStale(h.batch(), slice))),
    );

    const fresh = h.queue.messages.slice(published);
    expect(fresh.map((t) => [t.customerId, t.segmentId, t.kind, t.version])).toEqual([
      ["c-2", "recent-viewers", "exited", 2],
    ]);
    // c-7 moves to version 2 (a write, no transition); everyone else is untouched.
    expect(summary.profilesWritten).toBe(2);
    expect(h.profiles.puts).toBe(puts + 2);
    expect(h.profiles.items.get("c-7")?.profile.sg?.["recent-viewers"]?.v).toBe(2);
    expect(summary.profiles).toBe(7);
    expect(h.store.counters.get("recent-viewers")).toBe(1);
  });

  it("counts the transitions of the profiles it wrote before a write failed, then throws", async () => {
    const h = harness();
    await shop(h);
    expect(h.store.counters.get("recent-viewers")).toBe(2);
    h.redefine([cartAbandoners, recentViewers(2), recentBuyers, vipList, vipViewers]);
    const put = h.profiles.put.bind(h.profiles);
    h.profiles.put = async (profile, previous) => {
      if (profile.customerId === "c-7") throw new Error("throttled: c-7");
      return put(profile, previous);
    };
    const [slice] = allSlices(1);
    if (slice === undefined) throw new Error("no slice");

    await expect(reevaluateStale(h.batch(), slice)).rejects.toThrow("throttled: c-7");

    // c-2 (scanned before c-7) was written out of recent-viewers: its exit is counted though the slice failed,
    // as its retry finds c-2 already out and counts nothing.
    expect(h.profiles.items.get("c-2")?.profile.sg?.["recent-viewers"]).toBeUndefined();
    expect(h.store.counters.get("recent-viewers")).toBe(1);
  });

  it("writes nothing when nothing changed", async () => {
    const h = harness();
    await shop(h);
    const puts = h.profiles.puts;

    const summary = await reevaluateStale(h.batch(), { segment: 0, totalSegments: 1 });

    expect(summary).toMatchObject({ profiles: 7, profilesWritten: 0, transitions: 0 });
    expect(h.profiles.puts).toBe(puts);
  });
});

describe("recomputeRfm", () => {
  it("stores the thresholds, scores every buyer, and emits the entries the scores cause", async () => {
    const h = harness();
    await shop(h);

    const { thresholds, summary } = await recomputeRfm(h.batch(), { totalSegments: 2 });

    expect(thresholds.population).toBe(3);
    expect(h.store.thresholds).toEqual(thresholds);
    const scores = ["c-4", "c-5", "c-6"].map((id) => h.profiles.items.get(id)?.profile.rfm);
    expect(scores.every((s) => s !== undefined && s.r >= 1 && s.r <= 5)).toBe(true);
    expect(h.profiles.items.get("c-1")?.profile.rfm).toBeUndefined();
    // The most recent buyer scores highest on recency; the 40-day-old one lowest.
    const [old, recent, twice] = scores;
    expect(recent?.r).toBeGreaterThan(old?.r ?? 5);
    expect(twice?.f).toBeGreaterThan(old?.f ?? 5);
    const entered = h.queue.messages
      .filter((t) => t.segmentId === "recent-buyers-rfm")
      .map((t) => t.customerId);
    const expected = ["c-4", "c-5", "c-6"].filter(
      (id) => (h.profiles.items.get(id)?.profile.rfm?.r ?? 0) >= 4,
    );
    expect(entered.sort()).toEqual(expected.sort());
    expect(expected.length).toBeGreaterThan(0);
    expect(summary.profilesWritten).toBe(3);
  });

  it("writes nothing the second time when the scores have not changed", async () => {
    const h = harness();
    await shop(h);
    await recomputeRfm(h.batch(), { totalSegments: 1 });
    const puts = h.profiles.puts;

    const { summary } = await recomputeRfm(h.batch(), { totalSegments: 1 });

    expect(summary.profilesWritten).toBe(0);
    expect(h.profiles.puts).toBe(puts);
  });
});

describe("importStaticSegment", () => {
  it("lists known customers, enters them and the segments built on the list, and reports unknown ones", async () => {
    const h = harness();
    await shop(h);

    const summary = await importStaticSegment(h.batch(), "vip-list", ["c-2", "c-5", "nobody", "c-2"]);

    expect(summary).toMatchObject({ added: 2, alreadyListed: 0, unknown: ["nobody"] });
    expect(h.profiles.items.get("c-2")?.profile.ss).toEqual(["vip-list"]);
    expect(h.profiles.items.has("nobody")).toBe(false);
    const entries = h.queue.messages
      .filter((t) => t.segmentId.startsWith("vip"))
      .map((t) => `${t.customerId}:${t.segmentId}`)
      .sort();
    // c-2 viewed recently, so it also enters vip-viewers; c-5 only ordered.
    expect(entries).toEqual(["c-2:vip-list", "c-2:vip-viewers", "c-5:vip-list"]);
    expect(h.store.counters.get("vip-list")).toBe(2);
  });

  it("counts the customers it listed before a write failed, then throws", async () => {
    const h = harness();
    await shop(h);
    const put = h.profiles.put.bind(h.profiles);
    h.profiles.put = async (profile, previous) => {
      if (profile.customerId === "c-5") throw new Error("throttled: c-5");
      return put(profile, previous);
    };

    await expect(importStaticSegment(h.batch(), "vip-list", ["c-2", "c-5", "c-6"])).rejects.toThrow(
      "throttled: c-5",
    );

    // c-2 and c-6 were listed (the others' writes settle before the failure is thrown): both counted.
    expect(h.profiles.items.get("c-2")?.profile.ss).toContain("vip-list");
    expect(h.profiles.items.get("c-6")?.profile.ss).toContain("vip-list");
    expect(h.store.counters.get("vip-list")).toBe(2);
  });

  it("changes nothing when the same list is imported again", async () => {
    const h = harness();
    await shop(h);
    await importStaticSegment(h.batch(), "vip-list", ["c-2", "c-5"]);
    const puts = h.profiles.puts;
    const published = h.queue.messages.length;

    const summary = await importStaticSegment(h.batch(), "vip-list", ["c-2", "c-5"]);

    expect(summary).toMatchObject({ added: 0, alreadyListed: 2, transitions: 0 });
    expect(h.profiles.puts).toBe(puts);
    expect(h.queue.messages).toHaveLength(published);
  });

  it("refuses a rule segment and an unknown segment", async () => {
    const h = harness();

    await expect(importStaticSegment(h.batch(), "cart-abandoners", ["c-1"])).rejects.toThrow(
      SegmentUsageError,
    );
    await expect(importStaticSegment(h.batch(), "nope", ["c-1"])).rejects.toThrow(/no segment "nope"/);
  });
});
