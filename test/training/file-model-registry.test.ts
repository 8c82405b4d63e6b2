import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FileTrainingObjects, TrainingObjectKeyError } from "#infra/local/file-training-objects.js";
import { registryContract } from "./registry-contract.js";

const root = mkdtempSync(join(tmpdir(), "tailor-registry-"));
let n = 0;
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("the model registry on files (.tailor/models)", () => {
  registryContract(() => new FileTrainingObjects(join(root, `models-${++n}`), "models/"));

  it("refuses a key that would leave its folder", async () => {
    const objects = new FileTrainingObjects(join(root, "guarded"), "models/");
    await expect(objects.put("models/../escape", new Uint8Array([1]), "text/plain")).rejects.toThrow(
      TrainingObjectKeyError,
    );
    await expect(objects.get("training/x.csv")).rejects.toThrow(TrainingObjectKeyError);
  });
});
