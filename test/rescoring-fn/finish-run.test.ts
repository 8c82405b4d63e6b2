import { describe, expect, it } from "vitest";
import { ingestBatch } from "#shared/app/ingest-batch.js";
import {
  finishRescoreRun,
  type RescoreRun,
  type RescoreRunStore,
  type RescoreSliceSummaries,
  type SliceResult,
  sliceResultSchema,
} from "#shared/app/rescoring/finish-run.js";
import {
  DRIFT_THRESHOLD,
  histogramStability,
  type RescoreSummary,
  rescoreSlice,
} from "#shared/app/rescoring/index.js";
import {
  DEFAULT_TOTAL_SEGMENTS,
  MAX_TOTAL_SEGMENTS,
  PROFILES_PER_SLICE,
  planRescoreRun,
} from "#shared/app/rescoring/plan-run.js";
import { cachedEvaluationContext } from "#shared/app/segment-deps.js";
import { computeRfmThresholds } from "#shared/app/segments-batch.js";
import { FEATURE_NAMES } from "#shared/domain/features/index.js";
import { rfmScores } from "#shared/domain/segments/index.js";
import type { Scorer } from "#shared/ports.js";
import { DAY, HOUR, harness, order, record, T0, viewProduct } from "../app/segment-harness.js";

/** The segments table's `pk = rescore`, `sk = last` item, in memory. */
class InMemoryRuns implements RescoreRunStore {
  last: RescoreRun | undefined;
  async lastRun(): Promise<RescoreRun | undefined> {
    return this.last;
  }
  async putLastRun(run: RescoreRun): Promise<void> {
    this.last = run;
  }
}

/** Each slice's kept summary by run and segment, in memory; `reads` lists the runs read. */
class InMemorySliceSummaries implements RescoreSliceSummaries {
  readonly items = new Map<string, RescoreSummary>();
  readonly reads: number[] = [];
  async put(run: number, segment: number, kept: RescoreSummary): Promise<void> {
    this.items.set(`${run}/${segment}`, structuredClone(kept));
  }
  async all(run: number): Promise<ReadonlyMap<number, RescoreSummary>> {
    this.reads.push(run);
    const found = new Map<number, RescoreSummary>();
    for (const [key, kept] of this.items) {
      const [at, segment] = key.split("/").map(Number);
      if (at === run && segment !== undefined) found.set(segment, structuredClone(kept));
    }
    return found;
  }
}

function summary(overrides: Partial<RescoreSummary>): RescoreSummary {
  return {
    profiles: 0,
    skippedNoConsent: 0,
    scored: 0,
    unscored: 0,
    clustered: 0,
    clusters: [],
    profilesWritten: 0,
    transitions: 0,
    transitionsPublished: 0,
    timerWrites: 0,
    counterWrites: 0,
    conflicts: 0,
    histograms: {},
    features: {},
    tiers: {},
    calibration: {},
    errors: [],
    ...overrides,
  };
}

const FLAT = [10, 10, 10, 10, 10, 10, 10, 10, 10, 10];

describe("planRescoreRun", () => {
  it("starts at now and lists every slice once", () => {
    const plan = planRescoreRun(T0, { totalSegments: 3 });
    expect(plan).toEqual({
      startedAt: T0,
      totalSegments: 3,
      slices: [
        { segment: 0, totalSegments: 3 },
        { segment: 1, totalSegments: 3 },
        { segment: 2, totalSegments: 3 },
      ],
    });
    expect(planRescoreRun(T0).slices).toHaveLength(DEFAULT_TOTAL_SEGMENTS);
    expect(planRescoreRun(T0, { totalSegments: 0 }).slices).toEqual([{ segment: 0, totalSegments: 1 }]);
  });

  it("sizes the slices from the table's item count when the input does not name them", () => {
    // A small table keeps the default; a large one gets a slice per PROFILES_PER_SLICE, up to the most.
    expect(planRescoreRun(T0, { tableItems: 600 })).toMatchObject({
      totalSegments: DEFAULT_TOTAL_SEGMENTS,
      tableItems: 600,
    });
    expect(planRescoreRun(T0, { tableItems: 10 * PROFILES_PER_SLICE }).totalSegments).toBe(10);
    expect(planRescoreRun(T0, { tableItems: 10_000_001 }).totalSegments).toBe(101);
    expect(planRescoreRun(T0, { tableItems: 1_000_000_000 }).totalSegments).toBe(MAX_TOTAL_SEGMENTS);
    expect(planRescoreRun(T0, { tableItems: 1_000_000_000 }).slices).toHaveLength(MAX_TOTAL_SEGMENTS);
    // Named slices win over the count.
    expect(planRescoreRun(T0, { totalSegments: 3, tableItems: 10_000_000 })).toMatchObject({
      totalSegments: 3,
    });
    expect(planRescoreRun(T0, { totalSegments: 3, tableItems: 10_000_000 })).not.toHaveProperty("tableItems");
  });
});

describe("finishRescoreRun", () => {
  const slices = (): SliceResult[] => [
    summary({
      profiles: 40,
      scored: 30,
      unscored: 5,
      skippedNoConsent: 5,
      transitions: 3,
      histograms: { purchase_30d: [0, 0, 0, 0, 0, 0, 0, 0, 10, 20] },
      tiers: { purchase_30d: { high: 30, medium: 0, low: 0 } },
      errors: ["purchase_30d: endpoint did not answer"],
    }),
    { failed: true, segment: 1 },
    summary({
      profiles: 20,
      scored: 20,
      transitions: 2,
      histograms: { purchase_30d: [0, 0, 0, 0, 0, 0, 0, 0, 5, 15] },
      tiers: { purchase_30d: { high: 20, medium: 0, low: 0 } },
    }),
  ];

  it("reads the slices' kept summaries for their references, and counts a reference without one as failed", async () => {
    const h = harness();
    const [first, , third] = slices();
    if (first === undefined || third === undefined || "failed" in first || "stored" in first)
      throw new Error("fixture");
    if ("failed" in third || "stored" in third) throw new Error("fixture");
    const kept = new InMemorySliceSummaries();
    await kept.put(T0, 0, first);
    await kept.put(T0, 2, third);
    // Another run's summaries under another start are not read.
    await kept.put(T0 - DAY, 3, summary({ profiles: 999, scored: 999 }));
    const runs = new InMemoryRuns();
    const inline = await finishRescoreRun({ runs, clock: h.clock }, { startedAt: T0, summaries: slices() });
    const references: SliceResult[] = [
      { stored: true, segment: 0, profiles: 40, scored: 30 },
      { failed: true, segment: 1 },
      { stored: true, segment: 2, profiles: 20, scored: 20 },
    ];

    const report = await finishRescoreRun(
      { runs: new InMemoryRuns(), slices: kept, clock: h.clock },
      { startedAt: T0, summaries: references.map((result) => sliceResultSchema.parse(result)) },
    );

    expect(report).toEqual(inline);
    expect(kept.reads).toEqual([T0]);

    // Slice 3's reference has no kept summary (another run's is not it): a failed slice, never zero scores.
    const lost = await finishRescoreRun(
      { runs: new InMemoryRuns(), slices: kept, clock: h.clock },
      { startedAt: T0, summaries: [...references, { stored: true, segment: 3, profiles: 5, scored: 5 }] },
    );
    expect(lost.failedSlices).toEqual([1, 3]);
    expect(lost.profiles).toBe(60);
    expect(lost.errors).toContain("slices 3: their summaries were not found, counted as failed");
  });

  it("sums the slices, reports the failed ones, measures drift against the stored run and replaces it", async () => {
    const h = harness();
    const runs = new InMemoryRuns();
    runs.last = { startedAt: T0 - DAY, finishedAt: T0 - DAY + HOUR, histograms: { purchase_30d: FLAT } };
    const deps = { runs, clock: h.clock };

    const report = await finishRescoreRun(deps, { startedAt: T0, summaries: slices() });

    expect(report.profiles).toBe(60);
    expect(report.scored).toBe(50);
    expect(report.unscored).toBe(5);
    expect(report.transitions).toBe(5);
    expect(report.failedSlices).toEqual([1]);
    const current = [0, 0, 0, 0, 0, 0, 0, 0, 15, 35];
    expect(report.histograms.purchase_30d).toEqual(current);
    expect(report.tiers.purchase_30d).toEqual({ high: 50, medium: 0, low: 0 });
    expect(report.errors).toContain("purchase_30d: endpoint did not answer");
    const psi = report.psi.purchase_30d;
    expect(psi?.psi).toBeCloseTo(histogramStability(FLAT, current).psi, 10);
    expect(psi?.psi).toBeGreaterThan(DRIFT_THRESHOLD);
    expect(psi?.drift).toBe(true);
    // The RFM thresholds are the segment jobs' rfm run's, after this one: finishing scans nothing.
    expect(h.store.thresholds).toBeUndefined();
    expect(runs.last).toEqual({ startedAt: T0, finishedAt: T0, histograms: { purchase_30d: current } });
  });

  it("reports no drift when the distribution did not move, and no PSI without a previous run", async () => {
    const h = harness();
    const runs = new InMemoryRuns();
    const deps = { runs, clock: h.clock };
    const same = summary({ profiles: 100, scored: 100, histograms: { churn_60d: FLAT } });

    const first = await finishRescoreRun(deps, { startedAt: T0, summaries: [same] });
    expect(first.psi).toEqual({});
    expect(first.failedSlices).toEqual([]);

    const second = await finishRescoreRun(deps, { startedAt: T0 + DAY, summaries: [same] });
    expect(second.psi.churn_60d).toEqual({ psi: 0, drift: false });
  });

  it("keeps a model's previous baseline when no slice scored it (every slice failed)", async () => {
    const h = harness();
    const runs = new InMemoryRuns();
    runs.last = { startedAt: T0 - DAY, finishedAt: T0 - DAY, histograms: { purchase_30d: FLAT } };
    const deps = { runs, clock: h.clock };

    const report = await finishRescoreRun(deps, {
      startedAt: T0,
      summaries: [
        { failed: true, segment: 0 },
        { failed: true, segment: 1 },
      ],
    });

    expect(report.failedSlices).toEqual([0, 1]);
    expect(report.scored).toBe(0);
    expect(report.psi).toEqual({});
    expect(runs.last?.histograms.purchase_30d).toEqual(FLAT);
  });

  it("parses the state machine's JSON: summaries and failed slices", () => {
    const parsed = sliceResultSchema.array().parse(JSON.parse(JSON.stringify(slices())));
    expect(parsed[1]).toEqual({ failed: true, segment: 1 });
    expect(() => sliceResultSchema.parse({ failed: false, segment: 1 })).toThrow();
  });
});

const HAS_ORDERED = FEATURE_NAMES.indexOf("has_ordered");

/** Buyers score `buyer`, others 0.05. */
class FakeScorer implements Scorer {
  readonly buyer: number;
  constructor(buyer: number) {
    this.buyer = buyer;
  }
  async score(_model: string, rows: readonly number[][]): Promise<number[]> {
    return rows.map((row) => (row[HAS_ORDERED] === 1 ? this.buyer : 0.05));
  }
}

describe("slice → finish", () => {
  it("rescores every slice through the real use cases and finishes the run from their JSON", async () => {
    const h = harness();
    await ingestBatch(h.ingest(), [
      order("c-1", T0 - 3 * DAY, 40),
      order("c-2", T0 - 10 * DAY, 90),
      viewProduct("c-3", T0 - HOUR),
      viewProduct("c-4", T0 - 2 * HOUR),
    ]);
    const runs = new InMemoryRuns();
    const finishDeps = { runs, clock: h.clock };
    const night = async (buyer: number) => {
      const plan = planRescoreRun(h.clock.now(), { totalSegments: 2 });
      const deps = { ...h.batch(), scorer: new FakeScorer(buyer) };
      const summaries = await Promise.all(
        plan.slices.map(async (slice) =>
          // What Step Functions hands the finish step: each slice's result as JSON.
          sliceResultSchema.parse(
            JSON.parse(JSON.stringify(await rescoreSlice(deps, slice, { models: ["purchase_30d"] }))),
          ),
        ),
      );
      return finishRescoreRun(finishDeps, { startedAt: plan.startedAt, summaries });
    };

    const first = await night(0.9);
    expect(first.profiles).toBe(4);
    expect(first.scored).toBe(4);
    expect(first.failedSlices).toEqual([]);
    expect(first.tiers.purchase_30d).toEqual({ high: 2, medium: 0, low: 2 });
    expect(h.profiles.items.get("c-1")?.profile.sc?.purchase_30d?.p).toBe(0.9);

    h.clock.at += DAY;
    const second = await night(0.35);
    expect(second.tiers.purchase_30d).toEqual({ high: 0, medium: 2, low: 2 });
    expect(second.psi.purchase_30d?.drift).toBe(true);
    expect(runs.last?.startedAt).toBe(T0 + DAY);
  });
});

describe("RFM thresholds: the monetary basis", () => {
  /** An order whose total includes shipping and tax that its revenue leaves out. */
  const paid = (customerId: string, total: number, revenue: number) =>
    record({
      type: "track",
      event: "Order Completed",
      messageId: `${customerId}-order`,
      userId: customerId,
      timestamp: new Date(T0 - DAY).toISOString(),
      properties: { order_id: `o-${customerId}`, total, revenue, currency: "USD" },
    });

  it("computes the monetary cut points over total by default and over revenue when set, and scores live on them", async () => {
    const h = harness();
    // c-1 paid the most but brought the least revenue (shipping and tax); c-2 the reverse
    await ingestBatch(h.ingest(), [
      paid("c-1", 60, 20),
      paid("c-2", 30, 28),
      paid("c-3", 40, 25),
      paid("c-4", 50, 24),
      paid("c-5", 20, 19),
    ]);
    const deps = { scan: h.profiles, store: h.store };
    const monetary = async () => {
      const context = await cachedEvaluationContext(h.store, h.clock, 0)();
      const thresholds = context.rfm;
      if (thresholds === undefined) throw new Error("no thresholds stored");
      const m = (id: string) => {
        const profile = h.profiles.items.get(id)?.profile;
        return profile === undefined ? undefined : rfmScores(profile, thresholds, h.clock.now())?.m;
      };
      return { basis: thresholds.monetaryBasis, c1: m("c-1"), c2: m("c-2") };
    };

    await computeRfmThresholds(deps, { totalSegments: 2 }, T0);
    expect(await monetary()).toEqual({ basis: "total", c1: 5, c2: 2 });

    await computeRfmThresholds(deps, { totalSegments: 2, monetaryBasis: "revenue" }, T0);
    expect(await monetary()).toEqual({ basis: "revenue", c1: 2, c2: 5 });
  });
});
