import type { LogisticArtifact } from "./artifacts.js";
import { InvalidInvocationError } from "./errors.js";

/** The probability of each feature row (features in the model's `featureNames` order). */
export function scoreLogistic(model: LogisticArtifact, rows: readonly (readonly number[])[]): number[] {
  return rows.map((row) => {
    let z = model.bias;
    model.weights.forEach((weight, i) => {
      const scale = model.scale[i] ?? 1;
      // A constant feature in training has scale 0; it carries no signal, as scikit-learn's StandardScaler treats it.
      z += (weight * ((row[i] ?? 0) - (model.mean[i] ?? 0))) / (scale === 0 ? 1 : scale);
    });
    return sigmoid(z);
  });
}

function sigmoid(z: number): number {
  // Split by sign so that exp never overflows.
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/** The rows of a JSON request `{"instances": [[x1, x2, …], …]}`, each checked against the feature count. */
export function rowsFromJson(value: unknown, featureCount: number): number[][] {
  const instances: unknown =
    typeof value === "object" && value !== null ? Reflect.get(value, "instances") : undefined;
  if (!Array.isArray(instances) || instances.length === 0)
    throw new InvalidInvocationError('expected {"instances": [[feature, …], …]} with at least one row');
  return instances.map((row: unknown, index) => {
    if (!Array.isArray(row))
      throw new InvalidInvocationError(`instance ${index} is not an array of ${featureCount} numbers`);
    return checkRow(
      row.map((cell: unknown) => (typeof cell === "number" ? cell : Number.NaN)),
      featureCount,
      `instance ${index}`,
    );
  });
}

/**
 * The rows of a `text/csv` request: one row of features per line, no header. With `missing`, an empty cell is a
 * missing value (NaN), as XGBoost reads it; otherwise every cell must be a number.
 */
export function rowsFromCsv(
  text: string,
  featureCount: number,
  options: { missing?: boolean } = {},
): number[][] {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== "");
  if (lines.length === 0) throw new InvalidInvocationError("the CSV body has no rows");
  return lines.map((line, index) => {
    const cells = line.split(",");
    const row = cells.map((cell) => (cell.trim() === "" ? Number.NaN : Number(cell)));
    const missing = (i: number) => options.missing === true && (cells[i] ?? "").trim() === "";
    return checkRow(row, featureCount, `CSV row ${index + 1}`, missing);
  });
}

function checkRow(
  row: number[],
  featureCount: number,
  where: string,
  missing: (index: number) => boolean = () => false,
): number[] {
  if (row.length !== featureCount)
    throw new InvalidInvocationError(
      `${where} has ${row.length} features; the model expects ${featureCount}`,
    );
  const bad = row.findIndex((x, i) => !Number.isFinite(x) && !missing(i));
  if (bad !== -1) throw new InvalidInvocationError(`${where}: feature ${bad + 1} is not a finite number`);
  return row;
}
