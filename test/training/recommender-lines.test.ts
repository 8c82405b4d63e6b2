import { describe, expect, it } from "vitest";
import { versionLines } from "#cli/models-command.js";
import { recommenderRunLines } from "#cli/train-workflow-report.js";
import type { ModelVersionRecord } from "#shared/domain/models/registry.js";

const record: ModelVersionRecord = {
  model: "recommendations",
  version: "v2",
  trainedAt: "2026-12-07T03:46:58.177Z",
  cutoff: "2026-03-02T00:00:00.000Z",
  source: "simulator",
  format: "item-cooccurrence-json",
  featureVersion: 1,
  featureNames: [],
  evaluation: {
    holdoutRows: 1398,
    holdoutCutoff: "2026-03-02T00:00:00.000Z",
    scoredCustomers: 418,
    precisionAt10: 0.0852,
    recallAt10: 0.4141,
    coverage: 0.94,
    baselines: { popularity: { precisionAt10: 0.0639, recallAt10: 0.3161 } },
  },
  decision: {
    promoted: false,
    reason: "precision@10 0.0700 is worse than 0.0852 of v1 in service by more than 0.005",
  },
};

describe("the recommender in tailor models and tailor train", () => {
  it("lists a version with its precision and recall@10 against popularity, and its decision", () => {
    expect(versionLines(record, "v1")).toEqual([
      "  v2  item-cooccurrence-json, simulator, trained 2026-12-07T03:46:58.177Z, baskets before 2026-03-02T00:00:00.000Z",
      "    hold-out 1398 customers as of 2026-03-02T00:00:00.000Z, 418 bought something new: precision@10 0.085 " +
        "(popularity 0.064), recall@10 0.414 (popularity 0.316), coverage 0.940",
      "    refused: precision@10 0.0700 is worse than 0.0852 of v1 in service by more than 0.005",
    ]);
    expect(versionLines(record, "v2")[0]).toMatch(/^\* v2/);
  });

  it("prints a run's candidate, figures, decision and the version in service", () => {
    const lines = recommenderRunLines({
      model: "recommendations",
      version: "v2",
      candidate: {
        version: "v2",
        artifactKey: "models/recommendations/v2/model.tar.gz",
        items: 200,
        baskets: 1398,
        bytes: 182_000,
      },
      evaluation: {
        promote: false,
        reason: "refused for a reason",
        lists: {
          holdoutCustomers: 1398,
          scoredCustomers: 418,
          precisionAt10: 0.07,
          recallAt10: 0.3,
          coverage: 0.9,
          popularity: { precisionAt10: 0.0639, recallAt10: 0.3161 },
          inService: { version: "v1", precisionAt10: 0.0852, recallAt10: 0.4141 },
        },
      },
      current: "v1",
    });
    expect(lines.join("\n")).toBe(
      [
        "recommendations candidate v2 (item co-occurrence, 200 products with neighbours, 1398 baskets, 178 KB; hold-out 1398 customers, 418 bought something new)",
        "  precision@10 0.070   recall@10 0.300   popularity 0.064 / 0.316   in service v1: 0.085 / 0.414",
        "  REFUSED: refused for a reason",
        "  in service now: v1",
      ].join("\n"),
    );
  });
});
