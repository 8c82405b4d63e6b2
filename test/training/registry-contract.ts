import { expect, it } from "vitest";
import { ObjectModelRegistry } from "#shared/app/training/object-model-registry.js";
import { packXgboostArtifact, unpackXgboostArtifact } from "#shared/app/training/xgboost-artifact.js";
import type { ModelVersionRecord } from "#shared/domain/models/registry.js";
import { xgboostModelSchema } from "#shared/domain/models/xgboost-json.js";
import type { TrainingObjects } from "#shared/ports.js";
import { stumpModel } from "./xgboost-fixtures.js";

const record = (version: string): ModelVersionRecord => ({
  model: "purchase_30d",
  version,
  trainedAt: "2026-12-07T00:00:00.000Z",
  cutoff: "2026-11-01T00:00:00.000Z",
  source: "stack",
  format: "xgboost-json",
  featureVersion: 1,
  featureNames: ["a", "b"],
});

/** The behaviour every {@link TrainingObjects} adapter gives the registry: the same on files and on S3. */
export function registryContract(objects: () => TrainingObjects): void {
  it("keeps versions with their artifact, lists them oldest first, and points at the one in service", async () => {
    const registry = new ObjectModelRegistry(objects());
    const model = xgboostModelSchema.parse(stumpModel);
    expect(await registry.current("purchase_30d")).toBeUndefined();
    await registry.putVersion(record("20261207T010000Z"), packXgboostArtifact(model));
    await registry.putVersion(record("20261201T010000Z"), packXgboostArtifact(model));
    const listed = await registry.listVersions("purchase_30d");
    expect(listed.map((r) => r.version)).toEqual(["20261201T010000Z", "20261207T010000Z"]);
    expect(await registry.listVersions("churn_60d")).toEqual([]);
    const artifact = await registry.getArtifact("purchase_30d", "20261207T010000Z");
    expect(unpackXgboostArtifact(artifact ?? new Uint8Array(), "artifact")).toEqual(model);
    await registry.setCurrent({
      model: "purchase_30d",
      version: "20261207T010000Z",
      promotedAt: "2026-12-07T01:00:00Z",
    });
    expect((await registry.current("purchase_30d"))?.version).toBe("20261207T010000Z");
    await registry.putRecord({
      ...record("20261207T010000Z"),
      decision: { promoted: true, reason: "better" },
    });
    expect((await registry.getRecord("purchase_30d", "20261207T010000Z"))?.decision?.reason).toBe("better");
  });

  it("reads a missing object as undefined, not as an error", async () => {
    const store = objects();
    expect(await store.get("models/purchase_30d/nope/version.json")).toBeUndefined();
    expect(await store.list("models/churn_60d/")).toEqual([]);
  });
}
