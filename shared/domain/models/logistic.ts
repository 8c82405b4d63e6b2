import { TailorError } from "#shared/errors.js";

/** Training data that cannot fit a model (no rows, ragged rows, labels not 0/1). Never retryable. */
export class TrainingInputError extends TailorError {
  constructor(message: string) {
    super(message, { retryable: false });
  }
}

/**
 * Checks a training set: at least one row, one 0/1 label per row, every row as long as the first. Returns the
 * number of features.
 */
export function checkTrainingInput(rows: readonly (readonly number[])[], labels: readonly number[]): number {
  const first = rows[0];
  if (first === undefined) throw new TrainingInputError("no training rows");
  if (labels.length !== rows.length) throw new TrainingInputError("one label per row is needed");
  if (labels.some((y) => y !== 0 && y !== 1)) throw new TrainingInputError("labels must be 0 or 1");
  const d = first.length;
  if (rows.some((row) => row.length !== d)) throw new TrainingInputError(`every row must have ${d} features`);
  return d;
}

/** A fitted logistic regression: score = sigmoid(bias + Σ wᵢ (xᵢ − meanᵢ) / scaleᵢ). */
export interface LogisticModel {
  readonly mean: readonly number[];
  readonly scale: readonly number[];
  readonly weights: readonly number[];
  readonly bias: number;
}

/** Options of {@link trainLogistic}. */
export interface LogisticOptions {
  /** L2 penalty on the standardised weights (not on the bias). @default 1 */
  readonly l2?: number;
  /** Newton (IRLS) steps at most. @default 25 */
  readonly maxIterations?: number;
  /** Stop when no weight moves more than this. @default 1e-6 */
  readonly tolerance?: number;
}

/** The logistic function, without overflow for large |z|. */
export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/** The model's probability for one feature vector (in the model's feature order). */
export function predictLogistic(model: LogisticModel, x: readonly number[]): number {
  let z = model.bias;
  model.weights.forEach((w, i) => {
    z += (w * ((x[i] ?? 0) - (model.mean[i] ?? 0))) / (model.scale[i] ?? 1);
  });
  return sigmoid(z);
}

/**
 * Fits a logistic regression with an L2 penalty by iteratively reweighted least squares (Newton's method) on
 * standardised features: each column is centred on its mean and divided by its standard deviation (1 when
 * constant), so the penalty treats features alike and the Newton system stays well conditioned.
 */
export function trainLogistic(
  rows: readonly (readonly number[])[],
  labels: readonly number[],
  options: LogisticOptions = {},
): LogisticModel {
  const { l2 = 1, maxIterations = 25, tolerance = 1e-6 } = options;
  const d = checkTrainingInput(rows, labels);
  const n = rows.length;
  const mean = new Array<number>(d).fill(0);
  const scale = new Array<number>(d).fill(0);
  for (const row of rows) {
    for (let j = 0; j < d; j++) mean[j] = (mean[j] ?? 0) + (row[j] ?? 0) / n;
  }
  for (const row of rows) {
    for (let j = 0; j < d; j++) scale[j] = (scale[j] ?? 0) + ((row[j] ?? 0) - (mean[j] ?? 0)) ** 2 / n;
  }
  for (let j = 0; j < d; j++) {
    const sd = Math.sqrt(scale[j] ?? 0);
    scale[j] = sd > 1e-12 ? sd : 1;
  }
  // Column 0 is the intercept; columns 1..d the standardised features.
  const z = rows.map((row) => [1, ...row.map((v, j) => (v - (mean[j] ?? 0)) / (scale[j] ?? 1))]);
  const p = d + 1;
  let beta = new Array<number>(p).fill(0);
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    const gradient = new Array<number>(p).fill(0);
    const hessian = Array.from({ length: p }, () => new Array<number>(p).fill(0));
    z.forEach((zi, i) => {
      const mu = sigmoid(dot(beta, zi));
      const residual = (labels[i] ?? 0) - mu;
      const weight = Math.max(mu * (1 - mu), 1e-10);
      for (let a = 0; a < p; a++) {
        const za = zi[a] ?? 0;
        gradient[a] = (gradient[a] ?? 0) + residual * za;
        const hrow = hessian[a];
        if (hrow === undefined) continue;
        for (let b = a; b < p; b++) hrow[b] = (hrow[b] ?? 0) + weight * za * (zi[b] ?? 0);
      }
    });
    for (let a = 0; a < p; a++) {
      const hrow = hessian[a];
      if (hrow === undefined) continue;
      for (let b = 0; b < a; b++) hrow[b] = hessian[b]?.[a] ?? 0;
      if (a > 0) {
        gradient[a] = (gradient[a] ?? 0) - l2 * (beta[a] ?? 0);
        hrow[a] = (hrow[a] ?? 0) + l2;
      }
    }
    const step = solve(hessian, gradient);
    beta = beta.map((b, a) => b + (step[a] ?? 0));
    if (Math.max(...step.map(Math.abs)) < tolerance) break;
  }
  return { mean, scale, weights: beta.slice(1), bias: beta[0] ?? 0 };
}

function dot(a: readonly number[], b: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] ?? 0) * (b[i] ?? 0);
  return sum;
}

/** Solves A x = b by Gaussian elimination with partial pivoting (A is small, symmetric, positive definite). */
function solve(matrix: readonly (readonly number[])[], rhs: readonly number[]): number[] {
  const n = rhs.length;
  const a = matrix.map((row, i) => [...row, rhs[i] ?? 0]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) {
      if (Math.abs(a[r]?.[col] ?? 0) > Math.abs(a[pivot]?.[col] ?? 0)) pivot = r;
    }
    const top = a[pivot];
    const current = a[col];
    if (top === undefined || current === undefined) continue;
    a[pivot] = current;
    a[col] = top;
    const lead = top[col] ?? 0;
    if (Math.abs(lead) < 1e-12) continue;
    for (let r = col + 1; r < n; r++) {
      const row = a[r];
      if (row === undefined) continue;
      const factor = (row[col] ?? 0) / lead;
      if (factor === 0) continue;
      for (let c = col; c <= n; c++) row[c] = (row[c] ?? 0) - factor * (top[c] ?? 0);
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    const row = a[r];
    if (row === undefined) continue;
    let sum = row[n] ?? 0;
    for (let c = r + 1; c < n; c++) sum -= (row[c] ?? 0) * (x[c] ?? 0);
    const lead = row[r] ?? 0;
    x[r] = Math.abs(lead) < 1e-12 ? 0 : sum / lead;
  }
  return x;
}
