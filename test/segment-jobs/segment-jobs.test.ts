import { describe, expect, it } from "vitest";
import { ingestBatch } from "#shared/app/ingest-batch.js";
import { runJobStep } from "#shared/app/segment-jobs/job-step.js";
import {
  computeRfmThresholds,
  recomputeRfm,
  recountSegments,
  reevaluateStale,
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
} from "../app/segment-harness.js";
import { PagedProfiles } from "../fakes/in-memory-fanout.js";
import { InMemoryJobParts } from "../fakes/in-memory-job-parts.js";
import { driveSegmentJob } from "./segment-job-driver.js";

async function shop(h: ReturnType<typeof harness>) {
  const events = [];
  for (let i = 0; i < 30; i++) {
    events.push(viewProduct(`c-${i}`, T0 - (i % 5) * 7 * HOUR));
    if (i % 3 === 0) events.push(addToCart(`c-${i}`, T0 - HOUR));
    if (i % 2 === 0) events.push(order(`c-${i}`, T0 - (i + 1) * DAY, 10 + 7 * i));
    if (i % 4 === 0) events.push(order(`c-${i}`, T0 - i * HOUR, 25));
  }
  await ingestBatch(h.ingest(), events);
}

function jobDeps(h: ReturnType<typeof harness>) {
  const batch = h.batch();
  return {
    ...batch,
    pages: new PagedProfiles(h.profiles, 0),
    parts: new InMemoryJobParts(),
    store: h.store,
    library: batch.segments.library,
  };
}

describe("segment jobs as the workflow runs them", () => {
  it("recounts the same sizes as the single-pass recount, page by page over parts", async () => {
    // Prepare
    const h = harness();
    await shop(h);
    const single = await recountSegments(h.batch(), { totalSegments: 1 });
    h.store.counters.set("cart-abandoners", 99);

    // Act
    const { report, trace } = await driveSegmentJob(
      jobDeps(h),
      { job: "recount", parts: 3, pageSize: 4 },
      T0,
    );

    // Assess
    expect(report).toEqual({ job: "recount", profiles: 30, sizes: Object.fromEntries(single) });
    expect([...single.values()].some((n) => n > 0)).toBe(true);
    expect(h.store.counters.get("cart-abandoners")).toBe(single.get("cart-abandoners"));
    // 10 profiles a part in pages of 4: three steps per part.
    expect(trace.steps).toHaveLength(9);
  });

  it("never counts a retried step twice: a step run again after its write landed changes nothing", async () => {
    // Prepare
    const h = harness();
    await shop(h);
    const single = await recountSegments(h.batch(), { totalSegments: 2 });
    const deps = jobDeps(h);
    let retries = 0;

    // Act: every step is retried once after it succeeded (its response lost), with the same input.
    const { report } = await driveSegmentJob(
      deps,
      { job: "recount", parts: 2, pageSize: 3 },
      T0,
      async (input, out) => {
        const again = await runJobStep(deps, input, () => false);
        retries++;
        expect(again).toEqual(out);
      },
    );

    // Assess
    expect(retries).toBeGreaterThan(2);
    expect(report).toEqual({ job: "recount", profiles: 30, sizes: Object.fromEntries(single) });
  });

  it("computes the RFM thresholds of the single pass from merged part histograms, and scores every profile", async () => {
    // Prepare
    const h = harness();
    await shop(h);
    const expected = await computeRfmThresholds(
      { scan: h.profiles, store: h.store },
      { totalSegments: 1 },
      T0,
    );
    const other = harness();
    await shop(other);
    const singleRun = await recomputeRfm(other.batch(), { totalSegments: 1 });

    // Act
    const { report } = await driveSegmentJob(jobDeps(h), { job: "rfm", parts: 4, pageSize: 2 }, T0);

    // Assess
    expect(await h.store.rfmThresholds()).toEqual(expected);
    expect(expected.population).toBeGreaterThan(5);
    // Counter writes are made per page, not per slice: every other figure is the single pass's.
    expect(report).toEqual({
      job: "rfm",
      summary: { ...singleRun.summary, counterWrites: expect.any(Number) },
    });
    const scored = [...h.profiles.items.values()].filter((s) => s.profile.rfm !== undefined);
    expect(scored.length).toBe(expected.population);
  });

  it("re-evaluates after a definition changes, emitting what the single pass emits", async () => {
    // Prepare
    const h = harness();
    await shop(h);
    const other = harness();
    await shop(other);
    const narrower = [cartAbandoners, recentViewers(2), recentBuyers, vipList, vipViewers];
    h.redefine(narrower);
    other.redefine(narrower);
    const single = await reevaluateStale(other.batch(), { segment: 0, totalSegments: 1 });

    // Act
    const { report } = await driveSegmentJob(jobDeps(h), { job: "reevaluate", parts: 3, pageSize: 5 }, T0);

    // Assess
    expect(single.transitions).toBeGreaterThan(0);
    expect(report).toEqual({ job: "reevaluate", summary: { ...single, counterWrites: expect.any(Number) } });
    expect(h.store.counters).toEqual(other.store.counters);
    expect(h.queue.distinct().length).toBe(other.queue.distinct().length);
  });

  it("fails the run, naming the part, when Finish finds a part not done", async () => {
    // Prepare
    const h = harness();
    await shop(h);
    const deps = jobDeps(h);
    const { finishSegmentJob } = await import("#shared/app/segment-jobs/job-run.js");

    // Act
    const finishing = finishSegmentJob(deps, { runId: "r", job: "recount", startedAt: T0, parts: 2 });

    // Assess
    await expect(finishing).rejects.toThrow(/count parts not done: 0, 1/);
  });
});
