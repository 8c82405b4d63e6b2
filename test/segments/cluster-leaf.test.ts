import { describe, expect, it } from "vitest";
import { readableProfile } from "#shared/app/privacy/readable-profile.js";
import { DAY_MS, type Profile } from "#shared/domain/profile/index.js";
import { describeCondition, explainText, parseSegmentDefinition } from "#shared/domain/segments/index.js";
import { rawEvents } from "../factories/events.js";
import { at, definition, evaluateRule, profileOf } from "./helpers.js";

const NOW = Date.UTC(2026, 10, 20, 10, 20);
const visitor = (): Profile => profileOf(NOW, rawEvents.page({}, at(NOW - 60_000)));
const clustered = (c: number): Profile => ({ ...visitor(), cl: { c, at: NOW - DAY_MS } });

function issuesOf(rule: unknown) {
  const result = parseSegmentDefinition({ id: "s", name: "S", version: 1, rule });
  return result.ok ? [] : result.issues;
}

describe("the cluster leaf in definitions", () => {
  it("reads cluster numbers into a condition", () => {
    const parsed = definition({ rule: { cluster: { in: [0, 3] } } });
    expect(parsed).toMatchObject({ static: false, rule: { kind: "cluster", in: [0, 3] } });
  });

  it("refuses no number, numbers outside 0–19, fractions and other keys", () => {
    for (const rule of [
      { cluster: { in: [] } },
      { cluster: { in: [20] } },
      { cluster: { in: [-1] } },
      { cluster: { in: [1.5] } },
      { cluster: { in: ["3"] } },
      { cluster: { in: [1], model: "k" } },
      { cluster: 3 },
    ]) {
      expect(issuesOf(rule).length, JSON.stringify(rule)).toBeGreaterThan(0);
    }
    expect(issuesOf({ cluster: { in: [20] } })[0]).toMatchObject({
      path: "rule.cluster.in[0]",
      message: expect.stringContaining("cluster numbers are whole numbers from 0 to 19"),
    });
    expect(issuesOf({ cluster: { in: [19] } })).toEqual([]);
  });

  it("is described in words", () => {
    expect(describeCondition({ kind: "cluster", in: [0, 3] })).toBe("customer cluster 0 or 3");
  });
});

describe("evaluating the cluster leaf", () => {
  const rule = { cluster: { in: [3, 4] } };

  it("holds for a customer in one of the clusters, and says which and since when", () => {
    const evaluation = evaluateRule(rule, clustered(3), NOW);
    expect(evaluation.member).toBe(true);
    expect(evaluation.nextChangeAt).toBeUndefined();
    expect(evaluation.reason).toMatchObject({
      node: "cluster",
      text: "customer cluster 3 or 4",
      seen: "cluster 3, assigned 2026-11-19T10:20Z",
    });
    expect(explainText(evaluation)).toContain("✓ customer cluster 3 or 4 — seen: cluster 3, assigned");
  });

  it("fails for a customer in another cluster", () => {
    const evaluation = evaluateRule(rule, clustered(2), NOW);
    expect(evaluation.member).toBe(false);
    expect(evaluation.reason.seen).toBe("cluster 2, assigned 2026-11-19T10:20Z");
  });

  it("fails for a customer not clustered yet", () => {
    const evaluation = evaluateRule(rule, visitor(), NOW);
    expect(evaluation.member).toBe(false);
    expect(evaluation.reason.seen).toBe("no cluster yet");
    expect(evaluateRule({ not: rule }, visitor(), NOW).member).toBe(true);
  });

  it("does not read the cluster of a customer who withdrew profiling consent", () => {
    const withdrawn: Profile = {
      ...profileOf(
        NOW,
        rawEvents.page({}, at(NOW - 60_000)),
        rawEvents.consentUpdated({ purpose: "profiling", granted: false }, at(NOW - 30_000)),
      ),
      cl: { c: 3, at: NOW - DAY_MS },
    };
    const evaluation = evaluateRule(rule, withdrawn, NOW);
    expect(evaluation.member).toBe(false);
    expect(evaluation.reason.seen).toBe("profiling consent withdrawn");
  });
});

describe("the cluster in a customer's data export", () => {
  it("is shown under a readable name", () => {
    const exported = readableProfile(clustered(4));
    expect(exported.customerCluster).toEqual({ c: 4, at: NOW - DAY_MS });
    expect(exported.cl).toBeUndefined();
  });
});
