const DAY_MS = 24 * 60 * 60 * 1000;

/** Days of labels after each cut-off: the longest label window (churn, 60 days). */
export const LABEL_DAYS = 60;

/** Days of history before the training cut-off the features are computed from. */
export const HISTORY_DAYS = 180;

/**
 * The training workflow's `buildFeatures` input with its time window filled in when the run's input does not
 * give it (the schedule and the drift alarm start runs with `{ trigger }` only): the hold-out cut-off 60 days
 * before `now` (its labels: the 60 days since), the training cut-off 60 days before that, the history from 180
 * days before the training cut-off, to `now`. A given `cutoff` (`tailor train --aws --cutoff`) places the hold-out
 * cut-off 60 days after it. Fields the input gives are kept; any other input is returned as is.
 */
export function withTrainingWindow(input: unknown, now: number): unknown {
  if (!isRecord(input) || input.action !== "buildFeatures") return input;
  const given = typeof input.cutoff === "string" ? Date.parse(input.cutoff) : Number.NaN;
  const holdoutCutoff = Number.isNaN(given) ? now - LABEL_DAYS * DAY_MS : given + LABEL_DAYS * DAY_MS;
  const cutoff = Number.isNaN(given) ? holdoutCutoff - LABEL_DAYS * DAY_MS : given;
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    from: iso(cutoff - HISTORY_DAYS * DAY_MS),
    to: iso(now),
    cutoff: iso(cutoff),
    holdoutCutoff: iso(holdoutCutoff),
    ...input,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
