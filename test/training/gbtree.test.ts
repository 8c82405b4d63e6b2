import { describe, expect, it } from "vitest";
import { seededRandom } from "#shared/domain/experiments/random.js";
import { trainGbtree } from "#shared/domain/models/gbtree.js";
import { predictLogistic, rocAuc, TrainingInputError, trainLogistic } from "#shared/domain/models/index.js";
import { predictXgboost, xgboostModelSchema } from "#shared/domain/models/xgboost-json.js";

/** Points in the unit square labelled by an XOR of two halves (with 10 % noise): no line separates them. */
function xorData(n: number, seed: number): { rows: number[][]; labels: number[] } {
  const random = seededRandom(seed);
  const rows: number[][] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const row = [random(), random(), random()];
    const xor = (row[0] ?? 0) < 0.5 !== (row[1] ?? 0) < 0.5 ? 1 : 0;
    rows.push(row);
    labels.push(random() < 0.1 ? 1 - xor : xor);
  }
  return { rows, labels };
}

describe("the gradient-boosted tree trainer", () => {
  const train = xorData(800, 1);
  const validation = xorData(300, 2);
  const test = xorData(400, 3);

  it("learns an interaction a logistic model cannot, and writes a model XGBoost's schema reads", () => {
    const { model, trees } = trainGbtree(train.rows, train.labels, validation, { seed: 1 });
    expect(xgboostModelSchema.safeParse(JSON.parse(JSON.stringify(model))).success).toBe(true);
    expect(trees).toBeGreaterThan(0);
    const auc = rocAuc(
      test.rows.map((row) => predictXgboost(model, row)),
      test.labels,
    );
    const logistic = trainLogistic(train.rows, train.labels);
    const linear = rocAuc(
      test.rows.map((row) => predictLogistic(logistic, row)),
      test.labels,
    );
    expect(auc).toBeGreaterThan(0.85);
    expect(auc).toBeGreaterThan(linear + 0.2);
  });

  it("is deterministic for a seed, and stops early on the validation loss", () => {
    const a = trainGbtree(train.rows, train.labels, validation, { seed: 7, subsample: 0.8, rounds: 400 });
    const b = trainGbtree(train.rows, train.labels, validation, { seed: 7, subsample: 0.8, rounds: 400 });
    expect(JSON.stringify(a.model)).toBe(JSON.stringify(b.model));
    expect(a.validationLoss.length).toBeLessThan(400);
    const best = Math.min(...a.validationLoss);
    expect(a.validationLoss[a.trees - 1]).toBe(best);
    expect(
      a.model.learner.gradient_booster.model.trees.every((tree) => tree.left_children.length <= 31),
    ).toBe(true);
  });

  it("refuses labels other than 0 and 1, and ragged rows", () => {
    expect(() => trainGbtree([[1], [2]], [0, 2], { rows: [], labels: [] })).toThrow(TrainingInputError);
    expect(() => trainGbtree([[1], [2, 3]], [0, 1], { rows: [], labels: [] })).toThrow(/features/);
  });
});
