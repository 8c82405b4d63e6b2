import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packXgboostArtifact } from "#shared/app/training/xgboost-artifact.js";
import { predictXgboost, xgboostModelSchema } from "#shared/domain/models/xgboost-json.js";
import { invokeModel, type ModelServer, startModelServer } from "#shared/model-server/index.js";
import { stumpModel } from "../training/xgboost-fixtures.js";

/** The model server scores an XGBoost artifact as SageMaker's built-in XGBoost container does. */
const model = xgboostModelSchema.parse(stumpModel);
const dir = mkdtempSync(join(tmpdir(), "tailor-xgb-"));
let server: ModelServer;

beforeAll(async () => {
  writeFileSync(join(dir, "purchase_30d.tar.gz"), packXgboostArtifact(model));
  writeFileSync(join(dir, "churn_60d.json"), JSON.stringify(stumpModel));
  server = await startModelServer({ port: 0, models: dir });
});
afterAll(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

const invoke = (name: string, body: string, headers: Record<string, string>) =>
  fetch(`${server.url}/endpoints/${name}/invocations`, { method: "POST", body, headers });

describe("XGBoost models on the model server", () => {
  it("loads model.tar.gz and plain XGBoost JSON, and answers text/csv rows with comma-separated scores", async () => {
    expect([...server.models].sort()).toEqual(["churn_60d", "purchase_30d"]);
    const response = await invoke("purchase_30d", "0.2,5\n0.7,1.5\n0.7,\n", { "content-type": "text/csv" });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/csv");
    const expected = [
      [0.2, 5],
      [0.7, 1.5],
      [0.7, Number.NaN],
    ].map((row) => predictXgboost(model, row));
    expect(await response.text()).toBe(expected.join(","));
  });

  it("answers JSON when asked, and reads CSV when no content type is given (the container's default)", async () => {
    const json = await invoke("churn_60d", "0.2,5", {
      "content-type": "text/csv",
      accept: "application/json",
    });
    expect(await json.json()).toEqual({ predictions: [{ score: predictXgboost(model, [0.2, 5]) }] });
    const bare = invokeModel(
      { kind: "xgboost", model },
      { contentType: undefined, accept: undefined, body: "0.7,1.5" },
    );
    expect(bare).toEqual({ contentType: "text/csv", body: String(predictXgboost(model, [0.7, 1.5])) });
  });

  it("refuses a row with the wrong number of features or a cell that is not a number", async () => {
    const short = await invoke("purchase_30d", "0.2\n", { "content-type": "text/csv" });
    expect(short.status).toBe(400);
    expect(await short.text()).toMatch(/CSV row 1 has 1 features; the model expects 2/);
    const text = await invoke("purchase_30d", "0.2,abc\n", { "content-type": "text/csv" });
    expect(await text.text()).toMatch(/feature 2 is not a finite number/);
  });
});
