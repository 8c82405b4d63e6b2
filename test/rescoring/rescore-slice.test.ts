import { describe, expect, it } from "vitest";
import { ingestBatch } from "#shared/app/ingest-batch.js";
import {
  type RescoreDeps,
  type RescoreSummary,
  rescoreSlice,
  sumRescoreSummaries,
} from "#shared/app/rescoring/index.js";
import { allSlices } from "#shared/app/segments-batch.js";
import { ScorerResponseError, ScorerUnavailableError } from "#shared/aws/sagemaker-scorer.js";
import { FEATURE_NAMES } from "#shared/domain/features/index.js";
import type { SegmentDefinition } from "#shared/domain/segments/definition.js";
import type { Scorer } from "#shared/ports.js";
import { DAY, HOUR, harness, order, T0, viewProduct } from "../app/segment-harness.js";

const MODELS = ["purchase_30d", "churn_60d"];
const HAS_ORDERED = FEATURE_NAMES.indexOf("has_ordered");

/** In the high tier of purchase_30d (as `templates/segments/likely-to-convert-high.yaml`). */
const likelyBuyers: SegmentDefinition = {
  id: "likely-buyers",
  name: "likely-buyers",
  version: 1,
  static: false,
  rule: { kind: "tier", model: "purchase_30d", in: ["high"] },
};

/** A scorer in memory: buyers score `buyer`, others `other`; `failFrom` makes calls from that index on fail. */
class FakeScorer implements Scorer {
  readonly calls: { model: string; rows: number }[] = [];
  buyer = 0.8;
  other = 0.1;
  failFrom: number | undefined;
  failWith: (() => Error) | undefined;

  async score(model: string, rows: readonly number[][]): Promise<number[]> {
    const index = this.calls.length;
    this.calls.push({ model, rows: rows.length });
    if (this.failFrom !== undefined && index >= this.failFrom)
      throw (
        this.failWith?.() ?? new ScorerUnavailableError(`endpoint ${model} did not answer within 5000 ms`)
      );
    for (const row of rows) expect(row).toHaveLength(FEATURE_NAMES.length);
    if (model === "churn_60d") return rows.map(() => 0.45);
    return rows.map((row) => (row[HAS_ORDERED] === 1 ? this.buyer : this.other));
  }
}

/** c-1, c-2 bought; c-3 only viewed; c-4 bought but objected to profiling, with an old score. */
async function setup() {
  const h = harness([likelyBuyers]);
  await ingestBatch(h.ingest(), [
    order("c-1", T0 - 3 * DAY, 40),
    order("c-2", T0 - 10 * DAY, 90),
    viewProduct("c-3", T0 - HOUR),
    order("c-4", T0 - 2 * DAY, 30),
  ]);
  const c4 = h.profiles.items.get("c-4")?.profile;
  if (c4 === undefined) throw new Error("c-4 was not ingested");
  c4.c = { ...c4.c, profiling: { g: false, at: T0 - DAY, src: "preferences" } };
  c4.sc = { purchase_30d: { p: 0.2, t: "low", at: T0 - 30 * DAY } };
  const scorer = new FakeScorer();
  const deps: RescoreDeps = { ...h.batch(), scorer };
  const rescoreAll = async (batchSize = 2): Promise<RescoreSummary> =>
    sumRescoreSummaries(
      await Promise.all(
        allSlices(1).map((slice) => rescoreSlice(deps, slice, { models: MODELS, batchSize })),
      ),
    );
  return { h, scorer, deps, rescoreAll };
}

const scoresOf = (h: ReturnType<typeof harness>, id: string) => h.profiles.items.get(id)?.profile.sc;

describe("rescoreSlice", () => {
  it("writes every model's score and tier, page by page, and reports the distribution", async () => {
    const { h, scorer, rescoreAll } = await setup();

    const summary = await rescoreAll(2);

    expect(scoresOf(h, "c-1")).toEqual({
      purchase_30d: { p: 0.8, t: "high", at: T0 },
      churn_60d: { p: 0.45, t: "medium", at: T0 },
    });
    expect(scoresOf(h, "c-3")).toEqual({
      purchase_30d: { p: 0.1, t: "low", at: T0 },
      churn_60d: { p: 0.45, t: "medium", at: T0 },
    });
    // 3 eligible customers in pages of 2: two requests per model.
    expect(scorer.calls).toEqual([
      { model: "purchase_30d", rows: 2 },
      { model: "churn_60d", rows: 2 },
      { model: "purchase_30d", rows: 1 },
      { model: "churn_60d", rows: 1 },
    ]);
    expect(summary).toMatchObject({
      profiles: 4,
      skippedNoConsent: 1,
      scored: 3,
      unscored: 0,
      profilesWritten: 3,
      errors: [],
      tiers: { purchase_30d: { high: 2, medium: 0, low: 1 }, churn_60d: { high: 0, medium: 3, low: 0 } },
    });
    expect(summary.histograms.purchase_30d).toEqual([0, 1, 0, 0, 0, 0, 0, 0, 2, 0]);
    expect(summary.histograms.churn_60d).toEqual([0, 0, 0, 0, 3, 0, 0, 0, 0, 0]);
  });

  it("emits segment transitions for a model-score segment, and moves its size", async () => {
    const { h, scorer, rescoreAll } = await setup();

    const first = await rescoreAll();
    const entered = h.queue.messages.filter((t) => t.segmentId === "likely-buyers");
    expect(entered.map((t) => [t.customerId, t.kind]).sort()).toEqual([
      ["c-1", "entered"],
      ["c-2", "entered"],
    ]);
    expect(first.transitions).toBe(2);
    expect(first.transitionsPublished).toBe(2);
    expect(h.store.counters.get("likely-buyers")).toBe(2);
    expect(h.profiles.items.get("c-1")?.profile.sg?.["likely-buyers"]).toBeDefined();

    // Buyers' propensity falls to medium: they leave the segment.
    h.clock.at = T0 + DAY;
    scorer.buyer = 0.5;
    const second = await rescoreAll();
    const exited = h.queue.messages.filter((t) => t.segmentId === "likely-buyers" && t.kind === "exited");
    expect(exited.map((t) => t.customerId).sort()).toEqual(["c-1", "c-2"]);
    expect(exited.every((t) => t.at === T0 + DAY)).toBe(true);
    expect(second.transitions).toBe(2);
    expect(h.store.counters.get("likely-buyers")).toBe(0);
    expect(scoresOf(h, "c-2")?.purchase_30d).toEqual({ p: 0.5, t: "medium", at: T0 + DAY });
  });

  it("leaves customers who objected to profiling untouched", async () => {
    const { h, scorer, rescoreAll } = await setup();
    const before = structuredClone(h.profiles.items.get("c-4"));
    scorer.buyer = 0.99;

    await rescoreAll(10);

    expect(h.profiles.items.get("c-4")).toEqual(before);
    expect(h.queue.messages.some((t) => t.customerId === "c-4")).toBe(false);
    expect(scorer.calls.every((call) => call.rows === 3)).toBe(true);
  });

  it("keeps the old scores and reports the customers unscored when the endpoint is down", async () => {
    const { h, scorer, rescoreAll } = await setup();
    await rescoreAll(2);
    const before = new Map([...h.profiles.items].map(([id, stored]) => [id, structuredClone(stored)]));
    const puts = h.profiles.puts;
    const published = h.queue.messages.length;

    h.clock.at = T0 + DAY;
    scorer.buyer = 0.05;
    scorer.failFrom = scorer.calls.length;
    const summary = await rescoreAll(2);

    expect(summary).toMatchObject({
      profiles: 4,
      skippedNoConsent: 1,
      scored: 0,
      unscored: 3,
      profilesWritten: 0,
    });
    expect(summary.errors).toEqual(["purchase_30d: endpoint purchase_30d did not answer within 5000 ms"]);
    expect(summary.histograms.purchase_30d).toEqual(new Array(10).fill(0));
    expect(h.profiles.puts).toBe(puts);
    expect(h.queue.messages).toHaveLength(published);
    for (const [id, stored] of before) expect(h.profiles.items.get(id)).toEqual(stored);
    expect(scoresOf(h, "c-1")?.purchase_30d).toEqual({ p: 0.8, t: "high", at: T0 });
  });

  it("writes the pages scored before the endpoint failed, and nothing of the failed page", async () => {
    const { h, scorer, rescoreAll } = await setup();
    // Page 1 (c-1, c-2) is scored by both models; page 2 (c-3) fails on its second model.
    scorer.failFrom = 3;

    const summary = await rescoreAll(2);

    expect(summary).toMatchObject({ scored: 2, unscored: 1, profilesWritten: 2 });
    expect(summary.errors).toEqual(["churn_60d: endpoint churn_60d did not answer within 5000 ms"]);
    expect(scoresOf(h, "c-1")?.purchase_30d?.p).toBe(0.8);
    expect(scoresOf(h, "c-3")).toBeUndefined();
  });

  it("stops on a scorer error that retrying cannot fix", async () => {
    const { scorer, rescoreAll } = await setup();
    scorer.failFrom = 0;
    scorer.failWith = () => new ScorerResponseError("prediction 0 is not a score in [0, 1]");

    await expect(rescoreAll()).rejects.toThrow(ScorerResponseError);
  });

  it("scores every customer once over several slices", async () => {
    const { h, deps } = await setup();
    const parts = await Promise.all(
      allSlices(3).map((slice) => rescoreSlice(deps, slice, { models: MODELS, batchSize: 1 })),
    );
    const total = sumRescoreSummaries(parts);
    expect(total).toMatchObject({ profiles: 4, skippedNoConsent: 1, scored: 3 });
    expect(total.histograms.purchase_30d?.reduce((a, b) => a + b, 0)).toBe(3);
    expect(scoresOf(h, "c-2")?.purchase_30d?.t).toBe("high");
  });

  it("writes a page's profiles a few at a time, and throws a failed write only after the others are counted", async () => {
    const h = harness([likelyBuyers]);
    const ids = Array.from({ length: 12 }, (_, i) => `p-${i}`);
    await ingestBatch(
      h.ingest(),
      ids.map((id, i) => order(id, T0 - (i + 1) * DAY, 20 + i)),
    );
    const deps: RescoreDeps = { ...h.batch(), scorer: new FakeScorer() };
    const put = h.profiles.put.bind(h.profiles);
    let inFlight = 0;
    let peak = 0;
    h.profiles.put = async (profile, previous) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      try {
        await new Promise((resolve) => setTimeout(resolve, 5));
        if (profile.customerId === "p-5") throw new Error("throttled: p-5");
        return await put(profile, previous);
      } finally {
        inFlight--;
      }
    };
    const [slice] = allSlices(1);
    if (slice === undefined) throw new Error("no slice");

    await expect(
      rescoreSlice(deps, slice, { models: MODELS, batchSize: 12, writeConcurrency: 4 }),
    ).rejects.toThrow("throttled: p-5");

    // Four at a time, never more; every other customer of the page written before the failure was thrown,
    // and their entries into likely-buyers counted.
    expect(peak).toBe(4);
    expect(h.store.counters.get("likely-buyers")).toBe(11);
    for (const id of ids) {
      if (id === "p-5") expect(scoresOf(h, id)).toBeUndefined();
      else expect(scoresOf(h, id)?.purchase_30d).toEqual({ p: 0.8, t: "high", at: T0 });
    }

    // One at a time when asked: the same scores, written in turn.
    h.profiles.put = async (profile, previous) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      try {
        await new Promise((resolve) => setTimeout(resolve, 1));
        return await put(profile, previous);
      } finally {
        inFlight--;
      }
    };
    peak = 0;
    const summary = await rescoreSlice(deps, slice, { models: MODELS, batchSize: 12, writeConcurrency: 1 });
    expect(peak).toBe(1);
    expect(summary).toMatchObject({ profiles: 12, scored: 12, profilesWritten: 12 });
  });
});
