/**
 * A hand-built XGBoost JSON model in the layout `Booster.save_model("m.json")` writes (XGBoost 2.x): two trees
 * over two features, `base_score` 0.5 (margin 0). Tree 0 splits on f0 < 0.5 (missing left), then on f1 < 2
 * (missing right); tree 1 is a single leaf.
 */
export const stumpModel = {
  version: [2, 1, 3],
  learner: {
    attributes: {},
    feature_names: [],
    feature_types: [],
    gradient_booster: {
      name: "gbtree",
      model: {
        gbtree_model_param: { num_parallel_tree: "1", num_trees: "2" },
        iteration_indptr: [0, 1, 2],
        tree_info: [0, 0],
        trees: [
          {
            id: 0,
            tree_param: { num_deleted: "0", num_feature: "2", num_nodes: "5", size_leaf_vector: "1" },
            base_weights: [0, 0.1, 0, -0.2, 0.3],
            categories: [],
            categories_nodes: [],
            categories_segments: [],
            categories_sizes: [],
            default_left: [1, 0, 0, 0, 0],
            left_children: [1, -1, 3, -1, -1],
            loss_changes: [1, 0, 0.5, 0, 0],
            parents: [2147483647, 0, 0, 2, 2],
            right_children: [2, -1, 4, -1, -1],
            split_conditions: [0.5, 0.1, 2, -0.2, 0.3],
            split_indices: [0, 0, 1, 0, 0],
            split_type: [0, 0, 0, 0, 0],
            sum_hessian: [10, 4, 6, 3, 3],
          },
          {
            id: 1,
            tree_param: { num_deleted: "0", num_feature: "2", num_nodes: "1", size_leaf_vector: "1" },
            base_weights: [0.05],
            default_left: [0],
            left_children: [-1],
            right_children: [-1],
            split_conditions: [0.05],
            split_indices: [0],
            parents: [2147483647],
          },
        ],
      },
    },
    learner_model_param: {
      base_score: "5E-1",
      boost_from_average: "1",
      num_class: "0",
      num_feature: "2",
      num_target: "1",
    },
    objective: { name: "binary:logistic", reg_loss_param: { scale_pos_weight: "1" } },
  },
};
