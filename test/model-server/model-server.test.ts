import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  InvokeEndpointCommand,
  SageMakerRuntimeClient,
  ValidationError,
} from "@aws-sdk/client-sagemaker-runtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SageMakerRecommender } from "#shared/aws/sagemaker-recommender.js";
import { emptyProfile, type Profile } from "#shared/domain/profile/index.js";
import {
  InvalidArtifactError,
  type LogisticArtifact,
  type ModelArtifact,
  type ModelServer,
  type RecommenderArtifact,
  startModelServer,
} from "#shared/model-server/index.js";

const NOW = Date.parse("2026-11-20T12:00:00Z");
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** score = sigmoid(0.5 + 1·(x₁ − 1)/2 − 1·(x₂ − 0)/1) */
const purchase: LogisticArtifact = {
  kind: "logistic",
  name: "purchase_30d",
  featureVersion: 1,
  featureNames: ["orders_90d", "days_since_last_visit"],
  mean: [1, 0],
  scale: [2, 1],
  weights: [1, -1],
  bias: 0.5,
  trainedAt: "2026-11-20T00:00:00Z",
  evaluation: {},
};
const churn: LogisticArtifact = {
  ...purchase,
  name: "churn_60d",
  featureNames: ["days_since_last_visit"],
  mean: [10],
  scale: [0],
  weights: [0.1],
  bias: -1,
};
const recs: RecommenderArtifact = {
  kind: "item-cooccurrence",
  version: 1,
  neighbours: {
    p1: [
      ["p2", 0.9],
      ["p3", 0.5],
      ["p4", 0.2],
    ],
    p2: [
      ["p1", 0.9],
      ["p4", 0.4],
      ["p5", 0.1],
    ],
  },
  popular: ["p2", "p6", "p3", "p7", "p6"],
  trainedAt: "2026-11-20T00:00:00Z",
  evaluation: {},
};

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The scores of a JSON answer `{"predictions": [{"score"}]}`, NaN where a score is missing. */
function scoresOf(text: string): number[] {
  const value: unknown = JSON.parse(text);
  const list: unknown = typeof value === "object" && value !== null ? Reflect.get(value, "predictions") : [];
  if (!Array.isArray(list)) return [];
  return list.map((item: unknown) => {
    const score: unknown = typeof item === "object" && item !== null ? Reflect.get(item, "score") : undefined;
    return typeof score === "number" ? score : Number.NaN;
  });
}

describe("the model server over the SageMaker runtime API", () => {
  let server: ModelServer;
  let client: SageMakerRuntimeClient;
  const invoke = async (endpoint: string, body: string, contentType: string, accept: string) => {
    const out = await client.send(
      new InvokeEndpointCommand({
        EndpointName: endpoint,
        ContentType: contentType,
        Accept: accept,
        Body: encoder.encode(body),
      }),
    );
    return { contentType: out.ContentType, text: decoder.decode(out.Body) };
  };

  beforeAll(async () => {
    const models = new Map<string, ModelArtifact>([
      ["purchase_30d", purchase],
      ["churn_60d", churn],
      ["recs", recs],
    ]);
    server = await startModelServer({ port: 0, models });
    client = new SageMakerRuntimeClient({
      region: "us-east-1",
      endpoint: server.url,
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
      maxAttempts: 1,
    });
  });
  afterAll(async () => {
    client.destroy();
    await server.stop();
  });

  it("answers /ping with 200 and the models it serves", async () => {
    const response = await fetch(`${server.url}/ping`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ready: true, models: ["purchase_30d", "churn_60d", "recs"] });
  });

  it("scores JSON instances with a logistic model", async () => {
    const out = await invoke(
      "purchase_30d",
      JSON.stringify({
        instances: [
          [1, 0.5],
          [5, 0],
          [0, 3],
        ],
      }),
      "application/json",
      "application/json",
    );
    expect(out.contentType).toBe("application/json");
    const scores = scoresOf(out.text);
    expect(scores).toHaveLength(3);
    // z = 0.5 + (x₁ − 1)/2 − x₂
    expect(scores[0]).toBeCloseTo(0.5, 12);
    expect(scores[1]).toBeCloseTo(sigmoid(2.5), 12);
    expect(scores[2]).toBeCloseTo(sigmoid(-3), 12);
  });

  it("treats a zero scale as one (a feature that was constant in training)", async () => {
    const out = await invoke("churn_60d", '{"instances":[[30]]}', "application/json", "application/json");
    expect(scoresOf(out.text)[0]).toBeCloseTo(sigmoid(-1 + 0.1 * 20), 12);
  });

  it("scores CSV rows, one score per line, as SageMaker's built-in XGBoost does", async () => {
    const out = await invoke("purchase_30d", "1,0.5\r\n5, 0\n\n0,3\n", "text/csv", "text/csv");
    expect(out.contentType).toBe("text/csv");
    const scores = out.text.split("\n").map(Number);
    expect(scores).toHaveLength(3);
    expect(scores[0]).toBeCloseTo(0.5, 12);
    expect(scores[1]).toBeCloseTo(sigmoid(2.5), 12);
    expect(scores[2]).toBeCloseTo(sigmoid(-3), 12);
    const json = await invoke("purchase_30d", "5,0", "text/csv", "application/json");
    expect(scoresOf(json.text)[0]).toBeCloseTo(sigmoid(2.5), 12);
  });

  it("rejects a wrong feature count, in JSON and CSV, with a ValidationError the SDK recognises", async () => {
    const json = invoke(
      "purchase_30d",
      '{"instances":[[1,2],[1,2,3]]}',
      "application/json",
      "application/json",
    );
    await expect(json).rejects.toBeInstanceOf(ValidationError);
    await expect(json).rejects.toThrow("instance 1 has 3 features; the model expects 2");
    const csv = invoke("purchase_30d", "1,2\n3\n", "text/csv", "text/csv");
    await expect(csv).rejects.toBeInstanceOf(ValidationError);
    await expect(csv).rejects.toThrow("CSV row 2 has 1 features; the model expects 2");
    const error = await invoke("purchase_30d", "1,x", "text/csv", "text/csv").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error instanceof ValidationError ? error.$metadata.httpStatusCode : 0).toBe(400);
  });

  it("rejects bad input and unknown endpoints with ValidationErrors, and keeps serving", async () => {
    const cases: [string, string, string, string, string][] = [
      ["nowhere", "{}", "application/json", "application/json", "endpoint nowhere not found"],
      ["purchase_30d", "{not json", "application/json", "application/json", "not valid JSON"],
      ["purchase_30d", '{"rows":[]}', "application/json", "application/json", '"instances"'],
      ["purchase_30d", "<x/>", "application/xml", "application/json", "unsupported Content-Type"],
      ["purchase_30d", "1,2", "text/csv", "image/png", 'cannot answer in "image/png"'],
      ["recs", "p1", "text/csv", "text/csv", "application/json only"],
      ["recs", '{"k":0,"recently_viewed":[]}', "application/json", "application/json", '"k" must be'],
      ["recs", '{"k":3,"recently_viewed":"p1"}', "application/json", "application/json", "recently_viewed"],
    ];
    for (const [endpoint, body, contentType, accept, message] of cases) {
      const error = await invoke(endpoint, body, contentType, accept).catch((e: unknown) => e);
      expect(error, `${endpoint} ${body}`).toBeInstanceOf(ValidationError);
      expect(error instanceof Error ? error.message : "").toContain(message);
    }
    expect((await fetch(`${server.url}/ping`)).status).toBe(200);
  });

  it("recommends each seed and its neighbours weighted by the seed's share, then popular ones", async () => {
    const ask = async (k: number, request: Record<string, unknown>) => {
      const body = { customer_id: "c-1", k, ...request };
      const out = await invoke("recs", JSON.stringify(body), "application/json", "application/json");
      const parsed: { recommendations: { product_id: string; score: number }[] } = JSON.parse(out.text);
      return parsed.recommendations;
    };
    // Seeds p1 (weight 3) and p2 (weight 1): shares 0.75 and 0.25.
    const seeds = [
      { product_id: "p1", kind: "purchase", weight: 3 },
      { product_id: "p2", kind: "view", weight: 1 },
    ];
    const five = await ask(5, { seeds });
    // p1 = 0.75 + 0.25 × 0.9 = 0.975; p2 = 0.25 + 0.75 × 0.9 = 0.925; p3 = 0.75 × 0.5 = 0.375;
    // p4 = 0.75 × 0.2 + 0.25 × 0.4 = 0.25; p5 = 0.25 × 0.1 = 0.025.
    expect(five.map((r) => r.product_id)).toEqual(["p1", "p2", "p3", "p4", "p5"]);
    expect(five.map((r) => r.score)).toEqual([0.975, 0.925, 0.375, 0.25, 0.025]);
    expect((await ask(10, { seeds })).map((r) => r.product_id)).toEqual([
      "p1",
      "p2",
      "p3",
      "p4",
      "p5",
      "p6",
      "p7",
    ]);
    // An older client's request: recently viewed p2 then p1 are views of weight 1 and 0.9 (shares 1/1.9, 0.9/1.9):
    // p2 = 1/1.9 + 0.9/1.9 × 0.9 ≈ 0.953 comes before p1 = 0.9/1.9 + 1/1.9 × 0.9 ≈ 0.947.
    const legacy = await ask(2, { recently_viewed: ["p2", "p1"], categories: ["books"] });
    expect(legacy.map((r) => r.product_id)).toEqual(["p2", "p1"]);
    expect(legacy[0]?.score).toBeCloseTo(1 / 1.9 + (0.9 / 1.9) * 0.9, 6);
    expect((await ask(10, { recently_viewed: [] })).map((r) => r.product_id)).toEqual([
      "p2",
      "p6",
      "p3",
      "p7",
    ]);
    expect(
      (await ask(3, { seeds: [{ product_id: "unknown", kind: "view", weight: 1 }] })).map(
        (r) => r.product_id,
      ),
    ).toEqual(["unknown", "p2", "p6"]);
    const bad = await invoke(
      "recs",
      JSON.stringify({ k: 3, seeds: [{ product_id: "p1", kind: "liked", weight: 1 }] }),
      "application/json",
      "application/json",
    ).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(ValidationError);
    expect(bad instanceof Error ? bad.message : "").toContain('"seeds[0]"');
  });

  it("serves the SageMakerRecommender adapter, whose request carries the customer's signals", async () => {
    const profile: Profile = { ...emptyProfile("c-7", NOW), rv: ["p2", "p1"] };
    const recommender = new SageMakerRecommender({
      client,
      endpointName: "recs",
      timeoutMs: 2_000,
      clock: { now: () => NOW },
    });
    // Views p2 (1) and p1 (0.9): p1 = 0.9/1.9 + 1/1.9 × 0.9 ≈ 0.947, p2 = 1/1.9 + 0.9/1.9 × 0.9 ≈ 0.953.
    expect(await recommender.recommend({ customerId: "c-7", profile, limit: 3 })).toEqual(["p2", "p1", "p4"]);
    const newcomer: Profile = emptyProfile("c-8", NOW);
    expect(await recommender.recommend({ customerId: "c-8", profile: newcomer, limit: 2 })).toEqual([
      "p2",
      "p6",
    ]);
  });
});

describe("the model server's container contract", () => {
  it("needs ?model= or the target-model header when several models are loaded", async () => {
    const server = await startModelServer({
      port: 0,
      models: new Map<string, ModelArtifact>([
        ["purchase_30d", purchase],
        ["churn_60d", churn],
      ]),
    });
    try {
      const post = (path: string, headers: Record<string, string> = {}, body = "30") =>
        fetch(`${server.url}${path}`, {
          method: "POST",
          headers: { "content-type": "text/csv", accept: "text/csv", ...headers },
          body,
        });
      const ambiguous = await post("/invocations");
      expect(ambiguous.status).toBe(400);
      expect(await ambiguous.text()).toMatch(/\?model=<name> or the X-Amzn-SageMaker-Target-Model/);
      const byQuery = await post("/invocations?model=churn_60d");
      expect(byQuery.status).toBe(200);
      expect(Number(await byQuery.text())).toBeCloseTo(sigmoid(1), 12);
      const byHeader = await post("/invocations", { "X-Amzn-SageMaker-Target-Model": "churn_60d" });
      expect(Number(await byHeader.text())).toBeCloseTo(sigmoid(1), 12);
      const wrong = await post("/invocations?model=purchase_30d");
      expect(wrong.status).toBe(400);
      const huge = await post("/invocations?model=churn_60d", {}, "1\n".repeat(3_500_000));
      expect(huge.status).toBe(413);
      expect((await fetch(`${server.url}/invocations`)).status).toBe(405);
      expect((await fetch(`${server.url}/elsewhere`)).status).toBe(404);
    } finally {
      await server.stop();
    }
  });

  it("loads a directory of artifacts, serves its only model without naming it, and pings 503 when empty", async () => {
    const directory = await mkdtemp(join(tmpdir(), "tailor-models-"));
    try {
      await writeFile(join(directory, "churn_60d.json"), JSON.stringify(churn));
      await writeFile(join(directory, "notes.txt"), "not a model");
      const server = await startModelServer({ port: 0, models: directory });
      try {
        expect(server.models).toEqual(["churn_60d"]);
        const response = await fetch(`${server.url}/invocations`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: '{"instances":[[10],[30]]}',
        });
        expect(response.headers.get("content-type")).toBe("application/json");
        const scores = scoresOf(await response.text());
        expect(scores).toHaveLength(2);
        expect(scores[0]).toBeCloseTo(sigmoid(-1), 12);
        expect(scores[1]).toBeCloseTo(sigmoid(1), 12);
      } finally {
        await server.stop();
      }
      const empty = await startModelServer({ port: 0, models: new Map() });
      try {
        expect((await fetch(`${empty.url}/ping`)).status).toBe(503);
      } finally {
        await empty.stop();
      }
      await writeFile(join(directory, "broken.json"), JSON.stringify({ ...purchase, weights: [1] }));
      await expect(startModelServer({ port: 0, models: directory })).rejects.toThrow(InvalidArtifactError);
      await expect(startModelServer({ port: 0, models: directory })).rejects.toThrow(
        /broken\.json.*same length/s,
      );
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
