import { beforeAll, describe, expect, it } from "vitest";
import { ObjectModelRegistry } from "#shared/app/training/object-model-registry.js";
import {
  RECOMMENDER_SCRIPT_FILE,
  unpackRecommenderArtifact,
} from "#shared/app/training/recommender-artifact.js";
import { RECOMMENDER_INFERENCE_PY } from "#shared/app/training/recommender-inference-script.js";
import {
  evaluateRecommenderCandidate,
  RECOMMENDER_MODEL,
  trainRecommenderCandidate,
} from "#shared/app/training/recommender-steps.js";
import type { RecommenderTrainTable } from "#shared/app/training/recommender-tables.js";
import { runTrainingStep } from "#shared/app/training/run-training-step.js";
import {
  type BuildFeaturesOutput,
  buildFeatures,
  recordDecision,
  type TrainingStepDeps,
} from "#shared/app/training/training-steps.js";
import { seededRandom } from "#shared/domain/experiments/random.js";
import { decidePromotion } from "#shared/domain/models/promotion.js";
import { DAY_MS } from "#shared/domain/profile/index.js";
import { parseModelTarball } from "#shared/model-server/index.js";
import { unpackModelTarball } from "#shared/model-tarball.js";
import { archivedSimRecord, memoryArchive, simulatedHistory } from "#shared/sim/index.js";
import { MemoryTrainingObjects } from "#test/support/memory-training.js";

const DAYS = 90;
const sim = simulatedHistory({ seed: 5, customers: 120, days: DAYS });
const records = [...sim.history].map((record, i) => archivedSimRecord(record, i + 1));
const iso = (day: number) => new Date(sim.start + day * DAY_MS).toISOString();
const text = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes);

describe("the recommender's promotion decision (precision@10 against popularity and the one in service)", () => {
  const figures = (value: number, baseline = 0.05) => ({ metric: "precisionAt10" as const, value, baseline });

  it("promotes a better candidate and refuses a worse one, naming the version in service", () => {
    const served = { version: "v1", ...figures(0.12) };
    expect(decidePromotion(figures(0.14), served)).toMatchObject({ promoted: true, against: "v1" });
    const worse = decidePromotion(figures(0.09), served, { metricTolerance: 0.005 });
    expect(worse).toMatchObject({ promoted: false, against: "v1" });
    expect(worse.reason).toMatch(/precision@10 0.0900 is worse than 0.1200 of v1/);
    const noBetterThanPopular = decidePromotion(figures(0.05), undefined);
    expect(noBetterThanPopular.promoted).toBe(false);
    expect(noBetterThanPopular.reason).toMatch(/does not beat the baseline's 0.0500/);
  });
});

describe("the recommender in the training workflow", () => {
  const objects = new MemoryTrainingObjects();
  const registry = new ObjectModelRegistry(objects);
  let now = sim.start + DAYS * DAY_MS;
  const deps: TrainingStepDeps = {
    archive: memoryArchive(records),
    objects,
    registry,
    clock: { now: () => now },
    source: "archive",
  };
  let built: BuildFeaturesOutput;
  let trainTable: RecommenderTrainTable;
  beforeAll(async () => {
    built = await buildFeatures(deps, {
      from: iso(0),
      to: iso(DAYS),
      cutoff: iso(30),
      holdoutCutoff: iso(60),
    });
    trainTable = JSON.parse(text(await objects.get(`${built.trainKey}recommendations.json`)));
  }, 60_000);

  /** A training table of its own run (same cut-offs), from baskets changed by `change`. */
  async function customTable(name: string, change: (table: RecommenderTrainTable) => RecommenderTrainTable) {
    const run = `training/${name}/`;
    await objects.put(
      `${run}table.json`,
      (await objects.get(`${built.trainKey.replace(/train\/$/, "")}table.json`)) ?? new Uint8Array(),
    );
    await objects.put(
      `${run}train/recommendations.json`,
      new TextEncoder().encode(JSON.stringify(change(trainTable))),
    );
    return `${run}train/`;
  }

  it("packs a version as model.tar.gz with recommender.json and code/inference.py, read back as trained", async () => {
    const candidate = await trainRecommenderCandidate(deps, { trainKey: built.trainKey });
    expect(candidate.baskets).toBe(trainTable.seen.length);
    expect(candidate.items).toBeGreaterThan(20);
    const bytes = await registry.getArtifact(RECOMMENDER_MODEL, candidate.version);
    if (bytes === undefined) throw new Error("no artifact");
    const files = unpackModelTarball(bytes);
    expect([...files.keys()].sort()).toEqual([RECOMMENDER_SCRIPT_FILE, "recommender.json"]);
    expect(text(files.get(RECOMMENDER_SCRIPT_FILE))).toBe(RECOMMENDER_INFERENCE_PY);
    const model = unpackRecommenderArtifact(bytes, "x");
    // The registry's model.json, the archive's table and what the model server reads are the same model.
    const json = JSON.parse(
      text(await objects.get(`models/recommendations/${candidate.version}/model.json`)),
    );
    expect(model.neighbours).toEqual(json.neighbours);
    expect(model.popular).toEqual(json.popular);
    const served = parseModelTarball(bytes, "recommendations");
    expect(served.kind).toBe("item-cooccurrence");
    expect(served.kind === "item-cooccurrence" ? served.popular : []).toEqual(model.popular);
    expect(await registry.getRecord(RECOMMENDER_MODEL, candidate.version)).toMatchObject({
      format: "item-cooccurrence-json",
      cutoff: new Date(iso(60)).toISOString(),
      trainRows: trainTable.seen.length,
    });
  });

  it("evaluates on the later hold-out against popularity, keeps the figures and promotes the first that beats it", async () => {
    now += 1000;
    const candidate = await trainRecommenderCandidate(deps, { trainKey: built.trainKey });
    const evaluated = await evaluateRecommenderCandidate(deps, {
      version: candidate.version,
      holdoutKey: built.holdoutKey,
    });
    expect(evaluated.lists.scoredCustomers).toBeGreaterThan(20);
    expect(evaluated.lists.precisionAt10).toBeGreaterThan(evaluated.lists.popularity.precisionAt10 ?? 1);
    expect(evaluated.promote).toBe(true);
    await recordDecision(deps, { model: RECOMMENDER_MODEL, version: candidate.version, promote: true });
    expect((await registry.current(RECOMMENDER_MODEL))?.version).toBe(candidate.version);
    const record = await registry.getRecord(RECOMMENDER_MODEL, candidate.version);
    expect(record?.evaluation).toMatchObject({
      precisionAt10: evaluated.lists.precisionAt10,
      recallAt10: evaluated.lists.recallAt10,
      scoredCustomers: evaluated.lists.scoredCustomers,
      baselines: { popularity: { precisionAt10: evaluated.lists.popularity.precisionAt10 } },
    });
    expect(record?.decision?.promoted).toBe(true);
  });

  it("refuses a worse candidate (baskets of shuffled products): the one in service stays and is named", async () => {
    const before = await registry.current(RECOMMENDER_MODEL);
    const random = seededRandom(7);
    const products = [...new Set(trainTable.seen.flat())];
    const shuffled = [...products].sort(() => random() - 0.5);
    const swap = new Map(products.map((id, i) => [id, shuffled[i] ?? id]));
    const scramble = (lists: string[][]) => lists.map((list) => list.map((id) => swap.get(id) ?? id));
    const trainKey = await customTable("shuffled", (t) => ({
      ...t,
      seen: scramble(t.seen),
      bought: scramble(t.bought),
    }));
    now += 1000;
    const step = await runTrainingStep(deps, {
      action: "trainCandidate",
      model: RECOMMENDER_MODEL,
      trainKey,
      validationKey: trainKey,
    });
    const version = "version" in step.output ? String(step.output.version) : "";
    const evaluated = await evaluateRecommenderCandidate(deps, { version, holdoutKey: built.holdoutKey });
    expect(evaluated.promote).toBe(false);
    expect(evaluated.lists.inService?.version).toBe(before?.version);
    await recordDecision(deps, { model: RECOMMENDER_MODEL, version, promote: evaluated.promote });
    expect((await registry.current(RECOMMENDER_MODEL))?.version).toBe(before?.version);
    expect((await registry.getRecord(RECOMMENDER_MODEL, version))?.decision).toMatchObject({
      promoted: false,
      against: before?.version,
    });
  });

  it("promotes a better candidate over a weaker one in service (trained on 12 customers' baskets)", async () => {
    const weakKey = await customTable("weak", (t) => ({
      ...t,
      seen: t.seen.slice(0, 12),
      bought: t.bought.slice(0, 12),
    }));
    now += 1000;
    const weak = await trainRecommenderCandidate(deps, { trainKey: weakKey });
    await registry.setCurrent({ model: RECOMMENDER_MODEL, version: weak.version, promotedAt: iso(DAYS) });
    now += 1000;
    const better = await trainRecommenderCandidate(deps, { trainKey: built.trainKey });
    const evaluated = await evaluateRecommenderCandidate(deps, {
      version: better.version,
      holdoutKey: built.holdoutKey,
    });
    expect(evaluated.lists.inService?.version).toBe(weak.version);
    expect(evaluated.lists.precisionAt10).toBeGreaterThan(evaluated.lists.inService?.precisionAt10 ?? 1);
    expect(evaluated.promote).toBe(true);
  });

  it("bounds the table: at most the given number of products get a row of neighbours", async () => {
    const { trainCooccurrence } = await import("#shared/domain/models/index.js");
    const all = trainCooccurrence(trainTable.seen);
    const bounded = trainCooccurrence(trainTable.seen, { items: 10 });
    expect(Object.keys(all.neighbours).length).toBeGreaterThan(10);
    expect(Object.keys(bounded.neighbours)).toHaveLength(10);
    const counts = new Map<string, number>();
    for (const basket of trainTable.seen)
      for (const id of new Set(basket)) counts.set(id, (counts.get(id) ?? 0) + 1);
    const least = Math.min(...Object.keys(bounded.neighbours).map((id) => counts.get(id) ?? 0));
    const dropped = Object.keys(all.neighbours).filter((id) => !(id in bounded.neighbours));
    expect(dropped.every((id) => (counts.get(id) ?? 0) <= least)).toBe(true);
    expect(bounded.neighbours[Object.keys(bounded.neighbours)[0] ?? ""]).toEqual(
      all.neighbours[Object.keys(bounded.neighbours)[0] ?? ""],
    );
  });
});
