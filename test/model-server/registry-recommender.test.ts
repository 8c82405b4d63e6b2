import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type LocalModels, localRegistry, startLocalModels } from "#infra/local/model-server-runner.js";
import { packRecommenderArtifact, recommenderJsonBytes } from "#shared/app/training/recommender-artifact.js";
import type { CooccurrenceModel } from "#shared/domain/models/index.js";
import type { ModelVersionRecord } from "#shared/domain/models/registry.js";

/** The local model server serves the registry's current recommender version under the recommender endpoint. */
const dir = mkdtempSync(join(tmpdir(), "tailor-recs-"));
const running: LocalModels[] = [];
afterAll(async () => {
  for (const models of running) await models.stop();
  rmSync(dir, { recursive: true, force: true });
});

const flat: CooccurrenceModel = { neighbours: { a: [["flat-b", 0.5]] }, popular: ["flat-1", "flat-2"] };
const v1: CooccurrenceModel = { neighbours: { a: [["v1-b", 0.5]] }, popular: ["v1-1", "v1-2"] };
const v2: CooccurrenceModel = {
  neighbours: {
    a: [
      ["v2-b", 0.8],
      ["v2-c", 0.4],
    ],
  },
  popular: ["v2-1", "v2-2", "v2-3"],
  popularByCategory: { shoes: ["v2-shoe"] },
};

const record = (version: string): ModelVersionRecord => ({
  model: "recommendations",
  version,
  trainedAt: "2026-12-01T00:00:00.000Z",
  cutoff: "2026-11-01T00:00:00.000Z",
  source: "stack",
  format: "item-cooccurrence-json",
  featureVersion: 1,
  featureNames: [],
});

async function ask(): Promise<{ product_id: string; score: number }[]> {
  const models = await startLocalModels({
    dir,
    recommenderEndpoints: ["tailor-recommendations"],
    applyEnv: false,
    log: () => {},
  });
  running.push(models);
  const response = await fetch(`${models.server.url}/endpoints/tailor-recommendations/invocations`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({
      customer_id: "c1",
      k: 3,
      seeds: [{ product_id: "a", kind: "view", weight: 1 }],
      category_affinity: [{ category: "shoes", score: 2 }],
    }),
  });
  expect(response.status).toBe(200);
  const body: { recommendations: { product_id: string; score: number }[] } = await response.json();
  return body.recommendations;
}

describe("the local model server and the recommender's registry versions", () => {
  it("serves the flat recommendations.json while no version is in service, then the current version from the next start", async () => {
    writeFileSync(join(dir, "recommendations.json"), recommenderJsonBytes(flat, "2026-10-01T00:00:00Z"));
    expect((await ask()).map((r) => r.product_id)).toEqual(["a", "flat-b", "flat-1"]);

    const registry = localRegistry(dir);
    await registry.putVersion(record("v1"), packRecommenderArtifact(v1, "2026-12-01T00:00:00Z"));
    await registry.putVersion(record("v2"), packRecommenderArtifact(v2, "2026-12-02T00:00:00Z"));
    await registry.setCurrent({
      model: "recommendations",
      version: "v2",
      promotedAt: "2026-12-02T00:00:00Z",
    });
    const answer = await ask();
    // v2's neighbours and its category's best seller, with the scores recommendItems gives (a: 1, v2-b: 0.8, …).
    expect(answer).toEqual(
      [
        { product_id: "a", score: 1 },
        { product_id: "v2-b", score: 0.8 },
        { product_id: "v2-shoe", score: 1 },
      ].sort((x, y) => y.score - x.score || (x.product_id < y.product_id ? -1 : 1)),
    );

    await registry.setCurrent({
      model: "recommendations",
      version: "v1",
      promotedAt: "2026-12-03T00:00:00Z",
    });
    expect((await ask()).map((r) => r.product_id)).toEqual(["a", "v1-b", "v1-1"]);
  });
});
