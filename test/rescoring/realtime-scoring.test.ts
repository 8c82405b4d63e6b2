import { describe, expect, it } from "vitest";
import { ingestBatch } from "#shared/app/ingest-batch.js";
import type { Scorer } from "#shared/ports.js";
import { addToCart, HOUR, harness, order, T0, viewProduct } from "../app/segment-harness.js";

class CountingScorer implements Scorer {
  calls = 0;
  rows: number[] = [];
  fail = false;
  constructor(readonly p: number) {}
  async score(_model: string, rows: readonly number[][]): Promise<number[]> {
    this.calls++;
    this.rows.push(rows.length);
    if (this.fail) throw new Error("endpoint down");
    return rows.map(() => this.p);
  }
}

describe("real-time scoring in ingest", () => {
  it("rescores after an order in the same single write, at most once per interval, and not for a view", async () => {
    const h = harness();
    const scorer = new CountingScorer(0.72);
    const deps = { ...h.ingest(), scoring: { scorer, models: ["purchase_30d"], minIntervalMs: 15 * 60_000 } };

    await ingestBatch(deps, [viewProduct("c-1", T0 - HOUR)]);
    const afterView = scorer.calls;
    h.clock.at = T0;
    const first = await ingestBatch(deps, [order("c-1", T0 - 60_000)]);
    h.clock.at = T0 + 5 * 60_000;
    await ingestBatch(deps, [addToCart("c-1", T0 + 4 * 60_000)]);

    expect(afterView).toBe(0);
    expect(scorer.calls).toBe(1);
    expect(first.summary).toMatchObject({ scored: 1, profilesWritten: 1 });
    expect(h.profiles.items.get("c-1")?.profile.sc?.purchase_30d).toEqual({ p: 0.72, t: "high", at: T0 });
  });

  it("keeps the last scores when the endpoint is down, and says so", async () => {
    const h = harness();
    const scorer = new CountingScorer(0.2);
    const deps = { ...h.ingest(), scoring: { scorer, models: ["purchase_30d"], minIntervalMs: 60_000 } };
    h.clock.at = T0;
    await ingestBatch(deps, [order("c-1", T0 - 60_000)]);
    scorer.fail = true;
    h.clock.at = T0 + HOUR;

    const { summary, failed } = await ingestBatch(deps, [addToCart("c-1", T0 + HOUR - 60_000)]);

    expect(failed.size).toBe(0);
    expect(summary.scoringUnavailable).toBe(1);
    expect(h.profiles.items.get("c-1")?.profile.sc?.purchase_30d).toEqual({ p: 0.2, t: "low", at: T0 });
  });

  it("calls the endpoint once when a concurrent writer forces the write to be retried, and keeps its scores", async () => {
    const h = harness();
    const scorer = new CountingScorer(0.45);
    const deps = { ...h.ingest(), scoring: { scorer, models: ["purchase_30d"], minIntervalMs: 60_000 } };
    h.clock.at = T0;
    await ingestBatch(deps, [viewProduct("c-1", T0 - HOUR)]);
    let slipped = false;
    h.profiles.beforePut = () => {
      if (slipped) return;
      slipped = true;
      // Another writer (dispatch, the nightly slice) updates the item between ingest's read and its write.
      const current = h.profiles.items.get("c-1");
      if (current !== undefined) {
        const version = (current.profile.version ?? 0) + 1;
        h.profiles.items.set("c-1", { ...current, profile: { ...current.profile, version } });
      }
    };

    const { summary, failed } = await ingestBatch(deps, [order("c-1", T0 - 60_000)]);

    expect(failed.size).toBe(0);
    expect(summary).toMatchObject({ conflicts: 1, scored: 1, profilesWritten: 1 });
    expect(scorer.calls).toBe(1);
    expect(h.profiles.items.get("c-1")?.profile.sc?.purchase_30d).toEqual({ p: 0.45, t: "medium", at: T0 });
  });

  it("scores every due customer of a batch in one call per model, and only the due ones", async () => {
    const h = harness();
    const scorer = new CountingScorer(0.65);
    const deps = {
      ...h.ingest(),
      scoring: { scorer, models: ["purchase_30d", "churn_60d"], minIntervalMs: 60_000 },
    };
    h.clock.at = T0;
    const buyers = ["c-1", "c-2", "c-3", "c-4"];

    const { summary } = await ingestBatch(deps, [
      ...buyers.map((id) => order(id, T0 - 60_000)),
      viewProduct("c-5", T0 - 60_000),
    ]);

    expect(scorer.calls).toBe(2);
    expect(scorer.rows).toEqual([4, 4]);
    expect(summary.scored).toBe(4);
    for (const id of buyers) {
      expect(h.profiles.items.get(id)?.profile.sc).toEqual({
        purchase_30d: { p: 0.65, t: "high", at: T0 },
        churn_60d: { p: 0.65, t: "high", at: T0 },
      });
    }
    expect(h.profiles.items.get("c-5")?.profile.sc).toBeUndefined();
  });
});
