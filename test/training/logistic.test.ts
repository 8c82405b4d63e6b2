import { describe, expect, it } from "vitest";
import {
  predictLogistic,
  rocAuc,
  sigmoid,
  TrainingInputError,
  trainLogistic,
} from "#shared/domain/models/index.js";
import { mulberry32 } from "#shared/sim/index.js";

/** Rows whose label follows a known logistic law: P(y=1) = sigmoid(2·x0 − 1·x1 + 0·x2 − 0.5). */
function synthetic(n: number, seed: number): { rows: number[][]; labels: number[] } {
  const random = mulberry32(seed);
  const rows: number[][] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = [random() * 4 - 2, random() * 4 - 2, 100 + random() * 10];
    rows.push(x);
    labels.push(random() < sigmoid(2 * (x[0] ?? 0) - (x[1] ?? 0) - 0.5) ? 1 : 0);
  }
  return { rows, labels };
}

describe("trainLogistic", () => {
  it("recovers the direction and size of known coefficients", () => {
    const { rows, labels } = synthetic(4000, 11);
    const model = trainLogistic(rows, labels, { l2: 0.1 });
    // Weights are on standardised features: divide by the scale to get back to raw units.
    const raw = model.weights.map((w, i) => w / (model.scale[i] ?? 1));
    expect(raw[0]).toBeGreaterThan(1.7);
    expect(raw[0]).toBeLessThan(2.3);
    expect(raw[1]).toBeLessThan(-0.8);
    expect(raw[1]).toBeGreaterThan(-1.2);
    expect(Math.abs(raw[2] ?? 1)).toBeLessThan(0.1);
    const test = synthetic(2000, 12);
    const auc = rocAuc(
      test.rows.map((x) => predictLogistic(model, x)),
      test.labels,
    );
    expect(auc).toBeGreaterThan(0.8);
  });

  it("scores with sigmoid(bias + Σ w (x − mean) / scale)", () => {
    const model = { mean: [1, 2], scale: [2, 4], weights: [0.5, -1], bias: 0.25 };
    expect(predictLogistic(model, [3, 6])).toBeCloseTo(sigmoid(0.25 + 0.5 * 1 - 1 * 1), 12);
  });

  it("keeps constant features harmless and rejects bad input", () => {
    const model = trainLogistic(
      [
        [1, 5],
        [2, 5],
        [3, 5],
        [4, 5],
      ],
      [0, 0, 1, 1],
    );
    expect(model.scale[1]).toBe(1);
    expect(model.weights.every(Number.isFinite)).toBe(true);
    expect(() => trainLogistic([], [])).toThrow(TrainingInputError);
    expect(() => trainLogistic([[1], [2, 3]], [0, 1])).toThrow(TrainingInputError);
    expect(() => trainLogistic([[1]], [2])).toThrow(TrainingInputError);
  });

  it("sigmoid does not overflow", () => {
    expect(sigmoid(1000)).toBe(1);
    expect(sigmoid(-1000)).toBe(0);
    expect(sigmoid(0)).toBe(0.5);
  });
});
