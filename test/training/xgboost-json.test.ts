import { describe, expect, it } from "vitest";
import {
  packXgboostArtifact,
  unpackXgboostArtifact,
  xgboostJsonBytes,
} from "#shared/app/training/xgboost-artifact.js";
import {
  predictXgboost,
  predictXgboostMargin,
  xgboostModelSchema,
} from "#shared/domain/models/xgboost-json.js";
import { stumpModel } from "./xgboost-fixtures.js";

const model = xgboostModelSchema.parse(stumpModel);
const f32 = Math.fround;
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

describe("XGBoost JSON models", () => {
  it("walks each tree as XGBoost does: x < split goes left, a missing value follows default_left", () => {
    // tree 0 then tree 1 (0.05), margin from base_score 0.5 = 0
    expect(predictXgboostMargin(model, [0.2, 5])).toBeCloseTo(0.1 + 0.05, 6);
    expect(predictXgboostMargin(model, [Number.NaN, 5])).toBeCloseTo(0.1 + 0.05, 6);
    expect(predictXgboostMargin(model, [0.7, 1.5])).toBeCloseTo(-0.2 + 0.05, 6);
    expect(predictXgboostMargin(model, [0.7, Number.NaN])).toBeCloseTo(0.3 + 0.05, 6);
    // equal to the threshold is not below it
    expect(predictXgboostMargin(model, [0.5, 2])).toBeCloseTo(0.3 + 0.05, 6);
    expect(predictXgboost(model, [0.7, 1.5])).toBeCloseTo(sigmoid(-0.15), 6);
  });

  it("compares in single precision, as XGBoost stores thresholds and features", () => {
    const threshold = 0.1;
    const at = structuredClone(stumpModel);
    const tree = at.learner.gradient_booster.model.trees[0];
    if (tree === undefined) throw new Error("fixture");
    tree.split_conditions[0] = f32(threshold);
    const m = xgboostModelSchema.parse(at);
    // In double precision 0.1 < fround(0.1) (0.10000000149…) would go left; in float32 they are equal: right.
    expect(0.1 < f32(0.1)).toBe(true);
    expect(predictXgboostMargin(m, [0.1, 1])).toBeCloseTo(-0.2 + 0.05, 6);
  });

  it("reads base_score in probability space, plain or as XGBoost 3.1's vector", () => {
    const vector = structuredClone(stumpModel);
    vector.learner.learner_model_param.base_score = "[2E-1]";
    const m = xgboostModelSchema.parse(vector);
    expect(predictXgboostMargin(m, [0.2, 5])).toBeCloseTo(Math.log(0.2 / 0.8) + 0.15, 5);
  });

  it("round-trips through model.tar.gz (xgboost-model, JSON starting with {) with the same predictions", () => {
    const bytes = xgboostJsonBytes(model);
    expect(bytes[0]).toBe("{".charCodeAt(0));
    const back = unpackXgboostArtifact(packXgboostArtifact(model), "model.tar.gz");
    for (const row of [
      [0.2, 5],
      [0.9, Number.NaN],
      [Number.NaN, Number.NaN],
    ])
      expect(predictXgboost(back, row)).toBe(predictXgboost(model, row));
  });

  it("refuses a tree whose children point backwards or past its nodes, naming the tree and node", () => {
    const broken = structuredClone(stumpModel);
    const tree = broken.learner.gradient_booster.model.trees[0];
    if (tree === undefined) throw new Error("fixture");
    tree.left_children[2] = 9;
    const parsed = xgboostModelSchema.safeParse(broken);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.message).toMatch(/tree 0 node 2/);
  });
});
