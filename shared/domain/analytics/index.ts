/** Analytics over the profile fold: experiment counter increments. Pure. */
export {
  CONVERSION_WINDOW_MS,
  type ExperimentIncrement,
  type ExperimentMetric,
  experimentIncrements,
  HOLDOUT_ARM,
  isExperimentMetric,
} from "./experiment-increments.js";
