import { z } from "zod";

/**
 * XGBoost's JSON model format: the document `Booster.save_model("m.json")` writes and `Booster.load_model`
 * reads (dmlc/xgboost `doc/model.schema`, `doc/tutorials/saving_model.rst`), so SageMaker's built-in XGBoost
 * container serves what we train. The schema below is the subset we write and read; every other field is
 * allowed and kept. Scalars of `*_param` objects are strings in the format ("5E-1"), as XGBoost writes them.
 */

/** A number XGBoost writes as a string ("5E-1"); since 3.1 `base_score` is a vector ("[5E-1]"). */
const numericString = z.union([z.string(), z.number()]);

const booleanish = z.union([z.boolean(), z.number().int().min(0).max(1)]);

/** One regression tree (`RegTree::SaveModel`): nodes in parallel arrays, children −1 at leaves. */
export const xgboostTreeSchema = z.looseObject({
  id: z.number().int().optional(),
  tree_param: z.looseObject({ num_nodes: numericString, num_feature: numericString.optional() }),
  left_children: z.array(z.number().int()).min(1),
  right_children: z.array(z.number().int()).min(1),
  split_indices: z.array(z.number().int().nonnegative()).min(1),
  /** At a split, the threshold (`x < c` goes left); at a leaf, the leaf's value (learning rate applied). */
  split_conditions: z.array(z.number()).min(1),
  /** Where a missing value goes: 1 (true) left. */
  default_left: z.array(booleanish).min(1),
  base_weights: z.array(z.number()).optional(),
  parents: z.array(z.number().int()).optional(),
  loss_changes: z.array(z.number()).optional(),
  sum_hessian: z.array(z.number()).optional(),
  split_type: z.array(z.number().int()).optional(),
});

/** The objectives this reader scores. */
export const XGBOOST_OBJECTIVES = [
  "binary:logistic",
  "reg:logistic",
  "binary:logitraw",
  "reg:squarederror",
] as const;

/** A whole model document. */
export const xgboostModelSchema = z
  .looseObject({
    version: z.array(z.number().int()).min(2),
    learner: z.looseObject({
      feature_names: z.array(z.string()).optional(),
      feature_types: z.array(z.string()).optional(),
      attributes: z.record(z.string(), z.string()).optional(),
      learner_model_param: z.looseObject({
        base_score: numericString,
        num_feature: numericString,
        num_class: numericString.optional(),
      }),
      objective: z.looseObject({ name: z.enum(XGBOOST_OBJECTIVES) }),
      gradient_booster: z.looseObject({
        name: z.literal("gbtree"),
        model: z.looseObject({
          gbtree_model_param: z.looseObject({ num_trees: numericString }).optional(),
          trees: z.array(xgboostTreeSchema),
          tree_info: z.array(z.number().int()).optional(),
        }),
      }),
    }),
  })
  .superRefine((model, ctx) => {
    const features = Number(model.learner.learner_model_param.num_feature);
    model.learner.gradient_booster.model.trees.forEach((tree, t) => {
      const n = tree.left_children.length;
      const lengths = [tree.right_children, tree.split_indices, tree.split_conditions, tree.default_left];
      if (lengths.some((array) => array.length !== n)) {
        ctx.addIssue({
          code: "custom",
          message: `tree ${t}: node arrays differ in length`,
          path: ["trees", t],
        });
        return;
      }
      for (let node = 0; node < n; node++) {
        const [l, r] = [tree.left_children[node] ?? -1, tree.right_children[node] ?? -1];
        if (l === -1 && r === -1) continue;
        const children = l > node && l < n && r > node && r < n;
        const feature = (tree.split_indices[node] ?? 0) < features;
        if (!children || !feature)
          ctx.addIssue({
            code: "custom",
            message: `tree ${t} node ${node}: children must be later nodes and the split feature below num_feature ${features}`,
            path: ["trees", t, "left_children", node],
          });
      }
    });
  });

/** An XGBoost JSON model, as read. */
export type XgboostModel = z.infer<typeof xgboostModelSchema>;
/** One tree of an {@link XgboostModel}. */
export type XgboostTree = z.infer<typeof xgboostTreeSchema>;

/** Parses a number XGBoost wrote as a string, with or without brackets ("5E-1", "[5E-1]"). */
export function xgboostNumber(value: string | number): number {
  if (typeof value === "number") return value;
  const inner = value.trim().replace(/^\[/, "").replace(/\]$/, "").split(",")[0] ?? "";
  return Number(inner);
}

/** The number of features the model reads (`learner_model_param.num_feature`). */
export function xgboostFeatureCount(model: XgboostModel): number {
  return xgboostNumber(model.learner.learner_model_param.num_feature);
}

const f32 = Math.fround;

/**
 * The leaf one row reaches in one tree, as XGBoost walks it: a missing value (NaN) follows `default_left`, else
 * `x < split_condition` goes left, compared in single precision as XGBoost stores both.
 */
function leafValue(tree: XgboostTree, row: readonly number[]): number {
  let node = 0;
  for (let steps = 0; steps <= tree.left_children.length; steps++) {
    const left = tree.left_children[node] ?? -1;
    if (left === -1) return tree.split_conditions[node] ?? 0;
    const x = row[tree.split_indices[node] ?? 0];
    const goLeft =
      x === undefined || Number.isNaN(x)
        ? Boolean(tree.default_left[node])
        : f32(x) < f32(tree.split_conditions[node] ?? 0);
    node = goLeft ? left : (tree.right_children[node] ?? -1);
  }
  return 0;
}

/** The margin's starting point: `base_score` turned into margin space (logit for the logistic objectives). */
export function xgboostBaseMargin(model: XgboostModel): number {
  const base = xgboostNumber(model.learner.learner_model_param.base_score);
  switch (model.learner.objective.name) {
    case "binary:logistic":
    case "reg:logistic":
      return f32(Math.log(base / (1 - base)));
    default:
      return f32(base);
  }
}

/** The raw margin of one row: base margin + Σ leaf values, accumulated in single precision as XGBoost does. */
export function predictXgboostMargin(model: XgboostModel, row: readonly number[]): number {
  let margin = xgboostBaseMargin(model);
  for (const tree of model.learner.gradient_booster.model.trees)
    margin = f32(margin + f32(leafValue(tree, row)));
  return margin;
}

/**
 * The model's prediction for one row (features in the model's order, NaN for missing), as `Booster.predict`
 * returns it: the probability 1 / (1 + e^−margin) for the logistic objectives, the margin otherwise.
 */
export function predictXgboost(model: XgboostModel, row: readonly number[]): number {
  const margin = predictXgboostMargin(model, row);
  switch (model.learner.objective.name) {
    case "binary:logistic":
    case "reg:logistic":
      return f32(1 / (1 + Math.exp(-margin)));
    default:
      return margin;
  }
}

/** Formats a number as XGBoost writes parameter values ("5E-1" style is not required: any decimal reads back). */
export function xgboostParam(value: number): string {
  return String(value);
}
