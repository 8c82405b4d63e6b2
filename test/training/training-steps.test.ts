import { beforeAll, describe, expect, it } from "vitest";
import { ObjectModelRegistry } from "#shared/app/training/object-model-registry.js";
import { runTrainingStep } from "#shared/app/training/run-training-step.js";
import {
  type BuildFeaturesOutput,
  buildFeatures,
  evaluateCandidate,
  recordDecision,
  type TrainingStepDeps,
  trainCandidate,
} from "#shared/app/training/training-steps.js";
import { unpackXgboostArtifact } from "#shared/app/training/xgboost-artifact.js";
import { seededRandom } from "#shared/domain/experiments/random.js";
import { FEATURE_NAMES } from "#shared/domain/features/index.js";
import { DAY_MS } from "#shared/domain/profile/index.js";
import { archivedSimRecord, memoryArchive, simulatedHistory } from "#shared/sim/index.js";
import { MemoryTrainingObjects } from "#test/support/memory-training.js";

const DAYS = 90;
const sim = simulatedHistory({ seed: 3, customers: 160, days: DAYS });
const records = [...sim.history].map((record, i) => archivedSimRecord(record, i + 1));
const iso = (day: number) => new Date(sim.start + day * DAY_MS).toISOString();

function deps(now = sim.start + DAYS * DAY_MS): TrainingStepDeps & { objects: MemoryTrainingObjects } {
  const objects = new MemoryTrainingObjects();
  return {
    archive: memoryArchive(records),
    objects,
    registry: new ObjectModelRegistry(objects),
    clock: { now: () => now },
    source: "archive",
  };
}

describe("the training steps", () => {
  const d = deps();
  let built: BuildFeaturesOutput;
  beforeAll(async () => {
    built = await buildFeatures(d, { from: iso(0), to: iso(DAYS), cutoff: iso(30), holdoutCutoff: iso(60) });
  }, 60_000);

  it("builds SageMaker CSV tables (label first, no header) small enough to pass by key", async () => {
    expect(built.rows.train).toBeGreaterThan(50);
    expect(built.rows.holdout).toBeGreaterThan(built.rows.train);
    expect(built.windows).toEqual({ purchaseDays: 30, churnDays: 30 });
    const csv = new TextDecoder().decode(await d.objects.get(`${built.trainKey}purchase_30d.csv`));
    const first = csv.split("\n")[0]?.split(",") ?? [];
    expect(["0", "1"]).toContain(first[0]);
    expect(first.length).toBe(1 + FEATURE_NAMES.length);
    expect(JSON.stringify(built).length).toBeLessThan(2000);
  });

  it("trains a candidate, evaluates it on the later hold-out and promotes it when none is in service", async () => {
    const candidate = await trainCandidate(d, {
      model: "purchase_30d",
      trainKey: built.trainKey,
      validationKey: built.validationKey,
    });
    const artifact = await d.objects.get(candidate.artifactKey);
    expect(artifact).toBeDefined();
    expect(
      unpackXgboostArtifact(artifact ?? new Uint8Array(), "x").learner.gradient_booster.model.trees.length,
    ).toBe(candidate.trees);
    const evaluated = await evaluateCandidate(d, {
      model: "purchase_30d",
      version: candidate.version,
      holdoutKey: built.holdoutKey,
    });
    expect(evaluated.metrics.rocAuc).toBeGreaterThan(evaluated.metrics.recencyRocAuc ?? 1);
    expect(evaluated.promote).toBe(true);
    expect(
      await recordDecision(d, { model: "purchase_30d", version: candidate.version, promote: true }),
    ).toEqual({
      current: candidate.version,
    });
    const record = await d.registry.getRecord("purchase_30d", candidate.version);
    expect(record?.decision?.promoted).toBe(true);
    expect(record?.evaluation?.holdoutRows).toBe(built.rows.holdout);
  }, 60_000);

  it("refuses a candidate trained on shuffled labels: it does not beat the model in service", async () => {
    const key = `${built.trainKey}purchase_30d.csv`;
    const lines = new TextDecoder()
      .decode(await d.objects.get(key))
      .trim()
      .split("\n");
    const random = seededRandom(5);
    const labels = lines.map((line) => line.slice(0, 1));
    for (let i = labels.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [labels[i], labels[j]] = [labels[j] ?? "0", labels[i] ?? "0"];
    }
    const shuffled = lines.map((line, i) => `${labels[i]}${line.slice(1)}`).join("\n");
    await d.objects.put(key, new TextEncoder().encode(`${shuffled}\n`));
    const before = await d.registry.current("purchase_30d");
    const worse = await trainCandidate(d, {
      model: "purchase_30d",
      trainKey: built.trainKey,
      validationKey: built.validationKey,
    });
    const evaluated = await evaluateCandidate(d, {
      model: "purchase_30d",
      version: worse.version,
      holdoutKey: built.holdoutKey,
    });
    expect(evaluated.promote).toBe(false);
    expect(evaluated.metrics.inService?.version).toBe(before?.version);
    expect(evaluated.reason).toMatch(/baseline|worse/);
    const after = await recordDecision(d, { model: "purchase_30d", version: worse.version, promote: false });
    expect(after.current).toBe(before?.version);
    expect((await d.registry.getRecord("purchase_30d", worse.version))?.decision?.promoted).toBe(false);
  }, 60_000);

  it("refuses an input without its action or with a bad field, naming it", async () => {
    await expect(runTrainingStep(d, { model: "purchase_30d" })).rejects.toThrow(/action/);
    await expect(
      runTrainingStep(d, { action: "recordDecision", model: "nope", version: "v", promote: true }),
    ).rejects.toThrow(/model/);
  });
});
