import { seededRandom } from "../experiments/random.js";
import { checkTrainingInput } from "./logistic.js";
import { type XgboostModel, xgboostModelSchema, xgboostParam } from "./xgboost-json.js";

/** Options of {@link trainGbtree}; the names follow XGBoost's parameters. */
export interface GbtreeOptions {
  /** Boosting rounds at most (`num_round`). @default 300 */
  readonly rounds?: number;
  /** Shrinkage of each tree's leaves (`eta`). @default 0.1 */
  readonly learningRate?: number;
  /** Deepest split level (`max_depth`), at most 4. @default 3 */
  readonly maxDepth?: number;
  /** L2 penalty on leaf weights (`lambda`). @default 1 */
  readonly lambda?: number;
  /** Smallest hessian sum of a child (`min_child_weight`). @default 1 */
  readonly minChildWeight?: number;
  /** Smallest loss reduction of a split (`gamma`). @default 0 */
  readonly gamma?: number;
  /** Histogram bins per feature (`max_bin`), cut at quantiles of the training values. @default 32 */
  readonly bins?: number;
  /** Stop when the validation log loss has not improved for this many rounds. @default 20 */
  readonly earlyStoppingRounds?: number;
  /** Share of training rows drawn (seeded) for each tree (`subsample`). @default 1 */
  readonly subsample?: number;
  /** Seed of the row sampling. @default 1 */
  readonly seed?: number;
  /** Stored in `learner.feature_names`. */
  readonly featureNames?: readonly string[];
}

/** What {@link trainGbtree} learned and how it stopped. */
export interface GbtreeResult {
  readonly model: XgboostModel;
  /** Trees kept (the best validation round + 1). */
  readonly trees: number;
  /** Validation log loss per round. */
  readonly validationLoss: readonly number[];
}

/** The deepest tree {@link trainGbtree} grows. */
export const GBTREE_MAX_DEPTH = 4;

const f32 = Math.fround;
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

interface Tree {
  left: number[];
  right: number[];
  feature: number[];
  condition: number[];
  defaultLeft: number[];
  weight: number[];
  gain: number[];
  hessian: number[];
  parent: number[];
}

interface Split {
  readonly gain: number;
  readonly feature: number;
  /** Rows with bin ≤ this go left. */
  readonly bin: number;
  readonly missingLeft: boolean;
}

/**
 * Gradient-boosted trees on log loss (`binary:logistic`), the way XGBoost's `hist` method grows them: second-order
 * gradients, features cut into quantile bins (a split is `x < cut`), each level's best split by the gain
 * G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ) − γ, missing values (NaN) sent the better way, leaves −G/(H+λ) × eta,
 * the start `base_score` the training mean. After each round the validation log loss is measured; training stops
 * `earlyStoppingRounds` after the best and keeps the trees up to it. Deterministic for a seed. The result is an
 * XGBoost JSON model `Booster.load_model` reads.
 */
export function trainGbtree(
  rows: readonly (readonly number[])[],
  labels: readonly number[],
  validation: { readonly rows: readonly (readonly number[])[]; readonly labels: readonly number[] },
  options: GbtreeOptions = {},
): GbtreeResult {
  const d = checkTrainingInput(rows, labels);
  const o = {
    rounds: options.rounds ?? 300,
    eta: options.learningRate ?? 0.1,
    maxDepth: Math.min(GBTREE_MAX_DEPTH, options.maxDepth ?? 3),
    lambda: options.lambda ?? 1,
    minChildWeight: options.minChildWeight ?? 1,
    gamma: options.gamma ?? 0,
    bins: Math.max(2, options.bins ?? 32),
    patience: options.earlyStoppingRounds ?? 20,
    subsample: options.subsample ?? 1,
  };
  const n = rows.length;
  const mean = labels.reduce((a, b) => a + b, 0) / n;
  const baseScore = f32(Math.min(1 - 1e-6, Math.max(1e-6, mean)));
  const baseMargin = f32(Math.log(baseScore / (1 - baseScore)));
  const cuts = quantileCuts(rows, d, o.bins);
  const binned = rows.map((row) => row.map((x, j) => binOf(x, cuts[j] ?? [])));
  const margin = new Float64Array(n).fill(baseMargin);
  const validMargin = new Float64Array(validation.rows.length).fill(baseMargin);
  const random = seededRandom(options.seed ?? 1);
  const trees: Tree[] = [];
  const losses: number[] = [];
  let best = { loss: Number.POSITIVE_INFINITY, round: -1 };
  for (let round = 0; round < o.rounds; round++) {
    const g = new Float64Array(n);
    const h = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const p = sigmoid(margin[i] ?? 0);
      g[i] = p - (labels[i] ?? 0);
      h[i] = Math.max(p * (1 - p), 1e-16);
    }
    const sample: number[] = [];
    for (let i = 0; i < n; i++) if (o.subsample >= 1 || random() < o.subsample) sample.push(i);
    const tree = growTree(sample, binned, g, h, cuts, o);
    trees.push(tree);
    for (let i = 0; i < n; i++) margin[i] = f32((margin[i] ?? 0) + walk(tree, rows[i] ?? []));
    validation.rows.forEach((row, i) => {
      validMargin[i] = f32((validMargin[i] ?? 0) + walk(tree, row));
    });
    const loss = logLoss(validMargin, validation.labels);
    losses.push(loss);
    if (loss < best.loss - 1e-12) best = { loss, round };
    else if (round - best.round >= o.patience) break;
  }
  const kept = validation.rows.length === 0 ? trees : trees.slice(0, best.round + 1);
  return {
    model: xgboostDocument(kept, { baseScore, features: d, featureNames: options.featureNames, eta: o.eta }),
    trees: kept.length,
    validationLoss: losses,
  };
}

/** Up to `bins − 1` cut points per feature at quantiles of its distinct training values (NaN left out). */
function quantileCuts(rows: readonly (readonly number[])[], d: number, bins: number): number[][] {
  const cuts: number[][] = [];
  for (let j = 0; j < d; j++) {
    const values = rows
      .map((row) => row[j] ?? Number.NaN)
      .filter((x) => !Number.isNaN(x))
      .map(f32)
      .sort((a, b) => a - b);
    const distinct = [...new Set(values)];
    const column: number[] = [];
    if (distinct.length > 1) {
      for (let b = 1; b < bins; b++) {
        // A cut sits on a value: the values below it go left (`x < cut`), as XGBoost's `hist` cuts.
        const at = values[Math.floor((b * values.length) / bins)];
        if (at !== undefined && at > (distinct[0] ?? at) && at !== column[column.length - 1]) column.push(at);
      }
    }
    cuts.push(column);
  }
  return cuts;
}

/** The bin of a value: how many cuts are ≤ it (so bin ≤ b ⇔ x < cuts[b]); −1 for missing. */
function binOf(x: number, cuts: readonly number[]): number {
  if (Number.isNaN(x)) return -1;
  const v = f32(x);
  let lo = 0;
  let hi = cuts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((cuts[mid] ?? 0) <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

interface TreeOptions {
  readonly maxDepth: number;
  readonly lambda: number;
  readonly minChildWeight: number;
  readonly gamma: number;
  readonly eta: number;
}

function growTree(
  sample: readonly number[],
  binned: readonly (readonly number[])[],
  g: Float64Array,
  h: Float64Array,
  cuts: readonly (readonly number[])[],
  o: TreeOptions,
): Tree {
  const tree: Tree = {
    left: [],
    right: [],
    feature: [],
    condition: [],
    defaultLeft: [],
    weight: [],
    gain: [],
    hessian: [],
    parent: [],
  };
  const addNode = (parent: number): number => {
    tree.left.push(-1);
    tree.right.push(-1);
    tree.feature.push(0);
    tree.condition.push(0);
    tree.defaultLeft.push(0);
    tree.weight.push(0);
    tree.gain.push(0);
    tree.hessian.push(0);
    tree.parent.push(parent);
    return tree.left.length - 1;
  };
  const grow = (node: number, members: readonly number[], depth: number): void => {
    let G = 0;
    let H = 0;
    for (const i of members) {
      G += g[i] ?? 0;
      H += h[i] ?? 0;
    }
    const weight = -G / (H + o.lambda);
    tree.weight[node] = f32(weight);
    tree.hessian[node] = f32(H);
    const split = depth < o.maxDepth ? bestSplit(members, binned, g, h, cuts, G, H, o) : undefined;
    if (split === undefined) {
      tree.condition[node] = f32(weight * o.eta);
      return;
    }
    const goesLeft = (i: number): boolean => {
      const bin = binned[i]?.[split.feature] ?? -1;
      return bin === -1 ? split.missingLeft : bin <= split.bin;
    };
    const left = addNode(node);
    const right = addNode(node);
    tree.left[node] = left;
    tree.right[node] = right;
    tree.feature[node] = split.feature;
    tree.condition[node] = f32(cuts[split.feature]?.[split.bin] ?? 0);
    tree.defaultLeft[node] = split.missingLeft ? 1 : 0;
    tree.gain[node] = f32(split.gain);
    grow(
      left,
      members.filter((i) => goesLeft(i)),
      depth + 1,
    );
    grow(
      right,
      members.filter((i) => !goesLeft(i)),
      depth + 1,
    );
  };
  grow(addNode(2147483647), sample, 0);
  return tree;
}

function bestSplit(
  members: readonly number[],
  binned: readonly (readonly number[])[],
  g: Float64Array,
  h: Float64Array,
  cuts: readonly (readonly number[])[],
  G: number,
  H: number,
  o: TreeOptions,
): Split | undefined {
  const score = (gs: number, hs: number) => (gs * gs) / (hs + o.lambda);
  const parent = score(G, H);
  let best: Split | undefined;
  cuts.forEach((featureCuts, feature) => {
    const m = featureCuts.length;
    if (m === 0) return;
    const gh = new Float64Array(m + 1);
    const hh = new Float64Array(m + 1);
    let gMissing = 0;
    let hMissing = 0;
    for (const i of members) {
      const bin = binned[i]?.[feature] ?? -1;
      if (bin === -1) {
        gMissing += g[i] ?? 0;
        hMissing += h[i] ?? 0;
      } else {
        gh[bin] = (gh[bin] ?? 0) + (g[i] ?? 0);
        hh[bin] = (hh[bin] ?? 0) + (h[i] ?? 0);
      }
    }
    let gl = 0;
    let hl = 0;
    for (let bin = 0; bin < m; bin++) {
      gl += gh[bin] ?? 0;
      hl += hh[bin] ?? 0;
      for (const missingLeft of [false, true]) {
        const gL = gl + (missingLeft ? gMissing : 0);
        const hL = hl + (missingLeft ? hMissing : 0);
        const gR = G - gL;
        const hR = H - hL;
        if (hL < o.minChildWeight || hR < o.minChildWeight) continue;
        const gain = score(gL, hL) + score(gR, hR) - parent - o.gamma;
        if (gain > 1e-9 && (best === undefined || gain > best.gain))
          best = { gain, feature, bin, missingLeft };
      }
    }
  });
  return best;
}

function walk(tree: Tree, row: readonly number[]): number {
  let node = 0;
  for (;;) {
    const left = tree.left[node] ?? -1;
    if (left === -1) return tree.condition[node] ?? 0;
    const x = row[tree.feature[node] ?? 0] ?? Number.NaN;
    const goLeft = Number.isNaN(x) ? tree.defaultLeft[node] === 1 : f32(x) < (tree.condition[node] ?? 0);
    node = goLeft ? left : (tree.right[node] ?? -1);
  }
}

function logLoss(margins: Float64Array, labels: readonly number[]): number {
  if (labels.length === 0) return 0;
  let sum = 0;
  labels.forEach((y, i) => {
    const p = Math.min(1 - 1e-15, Math.max(1e-15, sigmoid(margins[i] ?? 0)));
    sum -= y * Math.log(p) + (1 - y) * Math.log(1 - p);
  });
  return sum / labels.length;
}

function xgboostDocument(
  trees: readonly Tree[],
  meta: { baseScore: number; features: number; featureNames: readonly string[] | undefined; eta: number },
): XgboostModel {
  const numFeature = xgboostParam(meta.features);
  const document = {
    version: [2, 1, 0],
    learner: {
      attributes: {},
      feature_names: [...(meta.featureNames ?? [])],
      feature_types: (meta.featureNames ?? []).map(() => "float"),
      gradient_booster: {
        name: "gbtree",
        model: {
          gbtree_model_param: { num_parallel_tree: "1", num_trees: xgboostParam(trees.length) },
          iteration_indptr: trees.map((_, i) => i).concat(trees.length),
          tree_info: trees.map(() => 0),
          trees: trees.map((tree, id) => ({
            id,
            tree_param: {
              num_deleted: "0",
              num_feature: numFeature,
              num_nodes: xgboostParam(tree.left.length),
              size_leaf_vector: "1",
            },
            base_weights: tree.weight,
            categories: [],
            categories_nodes: [],
            categories_segments: [],
            categories_sizes: [],
            default_left: tree.defaultLeft,
            left_children: tree.left,
            loss_changes: tree.gain,
            parents: tree.parent,
            right_children: tree.right,
            split_conditions: tree.condition,
            split_indices: tree.feature,
            split_type: tree.left.map(() => 0),
            sum_hessian: tree.hessian,
          })),
        },
      },
      learner_model_param: {
        base_score: xgboostParam(meta.baseScore),
        boost_from_average: "1",
        num_class: "0",
        num_feature: numFeature,
        num_target: "1",
      },
      objective: { name: "binary:logistic", reg_loss_param: { scale_pos_weight: "1" } },
    },
  };
  return xgboostModelSchema.parse(document);
}
