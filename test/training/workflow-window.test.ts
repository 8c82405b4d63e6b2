import { describe, expect, it } from "vitest";
import { trainingStepInputSchema } from "#shared/app/training/run-training-step.js";
import { withTrainingWindow } from "#shared/app/training/workflow-window.js";

const now = Date.parse("2026-12-07T01:00:00.000Z");

describe("the training workflow's default window", () => {
  it("GIVEN a scheduled run's input THEN builds features as of 120 days ago, the hold-out as of 60, from 300 days of archive", () => {
    const input = withTrainingWindow({ action: "buildFeatures", trigger: "schedule" }, now);
    const parsed = trainingStepInputSchema.parse(input);
    expect(parsed).toMatchObject({
      action: "buildFeatures",
      from: "2026-02-10T01:00:00.000Z",
      to: "2026-12-07T01:00:00.000Z",
      cutoff: "2026-08-09T01:00:00.000Z",
      holdoutCutoff: "2026-10-08T01:00:00.000Z",
    });
  });

  it("GIVEN a cut-off from the CLI THEN the hold-out is 60 days after it; fields given are kept; other steps untouched", () => {
    const input = withTrainingWindow({ action: "buildFeatures", cutoff: "2026-09-01T00:00:00.000Z" }, now);
    expect(input).toMatchObject({
      cutoff: "2026-09-01T00:00:00.000Z",
      holdoutCutoff: "2026-10-31T00:00:00.000Z",
    });
    const kept = withTrainingWindow({ action: "buildFeatures", from: "2026-01-01T00:00:00.000Z" }, now);
    expect(kept).toMatchObject({ from: "2026-01-01T00:00:00.000Z" });
    const train = { action: "trainCandidate", model: "purchase_30d", trainKey: "a/", validationKey: "b/" };
    expect(withTrainingWindow(train, now)).toBe(train);
  });
});
