import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { InvokeEndpointCommand, SageMakerRuntimeClient } from "@aws-sdk/client-sagemaker-runtime";
import { afterAll, describe, expect, it } from "vitest";
import { startLocalStack, UNSERVED_MODELS_URL } from "#infra/local/local-stack.js";
import type { EventTargetHandler } from "#infra/local/scheduled-event.js";
import { tempDir } from "./helpers.js";

const data = tempDir("tailor-models-");
afterAll(() => data.remove());

const anyPort = { dynamodb: 0, kinesis: 0, sqsS3: 0, ses: 0, api: 0 };
const tagged = (name: string) => [{ Key: "tailor:local-name", Value: name }];

/** A scoring function naming its model endpoint, a rendering one naming the recommender's, a rule for the first. */
const template = {
  Resources: {
    ScoreFn: {
      Type: "AWS::Lambda::Function",
      Properties: {
        Tags: tagged("tailor-score"),
        Environment: { Variables: { MODEL_ENDPOINTS: '{"purchase_30d":"ep-purchase"}' } },
      },
    },
    RenderFn: {
      Type: "AWS::Lambda::Function",
      Properties: {
        Tags: tagged("tailor-render"),
        Environment: { Variables: { RECOMMENDER_ENDPOINT: "ep-recs" } },
      },
    },
    Tick: {
      Type: "AWS::Events::Rule",
      Properties: {
        ScheduleExpression: "rate(1 hour)",
        Tags: tagged("tailor-score-tick"),
        Targets: [{ Id: "T", Arn: { "Fn::GetAtt": ["ScoreFn", "Arn"] } }],
      },
    },
  },
};

/** Hand-written artifacts: score = sigmoid(0.5 + 2·x), and a recommender where p1 leads to p2. */
function writeModels(dir: string): void {
  mkdirSync(dir, { recursive: true });
  const purchase = {
    kind: "logistic",
    name: "purchase_30d",
    featureVersion: 1,
    featureNames: ["x"],
    mean: [0],
    scale: [1],
    weights: [2],
    bias: 0.5,
  };
  const recommender = {
    kind: "item-cooccurrence",
    version: 1,
    neighbours: { p1: [["p2", 0.9]] },
    popular: ["p3"],
  };
  writeFileSync(path.join(dir, "purchase_30d.json"), JSON.stringify(purchase));
  writeFileSync(path.join(dir, "recommendations.json"), JSON.stringify(recommender));
}

const decode = (body: Uint8Array | undefined) => new TextDecoder().decode(body);

describe("startLocalStack: models", () => {
  it("serves the endpoints the functions name, in their environment, until stop", async () => {
    const models = path.join(data.dir, "models");
    writeModels(models);
    const seen: (string | undefined)[] = [];
    const tick: EventTargetHandler = async () => {
      seen.push(process.env.AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME);
    };
    const before = process.env.AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME;
    const stack = await startLocalStack({
      dataDir: path.join(data.dir, "on"),
      fresh: true,
      ports: anyPort,
      template,
      pollers: false,
      schedules: true,
      handlers: { "tailor-score": tick },
      models: { dir: models },
      log: () => {},
    });
    const url = stack.modelsUrl;
    try {
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(stack.env.AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME).toBe(url);
      await stack.runSchedulesNow();
      expect(seen).toEqual([url]);

      // An unchanged client (endpoint from the environment) reaches both endpoints by their names.
      const client = new SageMakerRuntimeClient({});
      try {
        const score = await client.send(
          new InvokeEndpointCommand({ EndpointName: "ep-purchase", ContentType: "text/csv", Body: "1\n0" }),
        );
        const scores = decode(score.Body).split("\n").map(Number);
        expect(scores[0]).toBeCloseTo(1 / (1 + Math.exp(-2.5)), 6);
        expect(scores[1]).toBeCloseTo(1 / (1 + Math.exp(-0.5)), 6);
        const recs = await client.send(
          new InvokeEndpointCommand({
            EndpointName: "ep-recs",
            ContentType: "application/json",
            Body: JSON.stringify({ k: 3, recently_viewed: ["p1"] }),
          }),
        );
        const ids = JSON.parse(decode(recs.Body)).recommendations.map(
          (r: { product_id: string }) => r.product_id,
        );
        // The viewed p1 itself (1), its neighbour p2 (0.9), then the best seller p3.
        expect(ids).toEqual(["p1", "p2", "p3"]);
      } finally {
        client.destroy();
      }
    } finally {
      await stack.stop();
    }
    expect(process.env.AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME).toBe(before);
    await expect(fetch(`${url}/ping`)).rejects.toThrow();
  }, 20_000);

  it("when off, says the endpoints are not served and points the functions at a port that refuses", async () => {
    const lines: string[] = [];
    const stack = await startLocalStack({
      dataDir: path.join(data.dir, "off"),
      fresh: true,
      ports: anyPort,
      template,
      pollers: false,
      schedules: false,
      log: (line) => lines.push(line),
    });
    try {
      expect(stack.modelsUrl).toBeUndefined();
      const notServed = lines.filter((line) => line.includes("not served"));
      expect(notServed).toHaveLength(1);
      expect(notServed[0]).toContain("ep-purchase, ep-recs");
      expect(process.env.AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME).toBe(UNSERVED_MODELS_URL);
      const client = new SageMakerRuntimeClient({ maxAttempts: 1 });
      try {
        const started = Date.now();
        await expect(
          client.send(
            new InvokeEndpointCommand({ EndpointName: "ep-purchase", ContentType: "text/csv", Body: "1" }),
          ),
        ).rejects.toMatchObject({ code: "ECONNREFUSED" });
        expect(Date.now() - started).toBeLessThan(2000);
      } finally {
        client.destroy();
      }
    } finally {
      await stack.stop();
    }
  }, 20_000);
});
