/** Analytics over the profile fold: experiment counter increments. Pure. */
export {
  CONVERSION_WINDOW_MS,
  type ExperimentIncrement,
  type ExperimentMetric,
  experimentIncrements,
  HOLDOUT_ARM,
} from "./experiment-increments.js";
