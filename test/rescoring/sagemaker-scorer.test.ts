import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { SageMakerRuntimeClient } from "@aws-sdk/client-sagemaker-runtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  parseScores,
  SageMakerScorer,
  ScorerResponseError,
  ScorerUnavailableError,
} from "#shared/aws/sagemaker-scorer.js";
import { type LogisticArtifact, type ModelServer, startModelServer } from "#shared/model-server/index.js";
import { ManualClock } from "../app/segment-harness.js";

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** score = sigmoid(−0.5 + 2·(x₁ − 1)/2 − 0.5·(x₂ − 10)/5) */
const purchase: LogisticArtifact = {
  kind: "logistic",
  name: "purchase_30d",
  featureVersion: 1,
  featureNames: ["orders", "days_since_seen"],
  mean: [1, 10],
  scale: [2, 5],
  weights: [2, -0.5],
  bias: -0.5,
};
const expected = ([x1, x2]: readonly number[]) =>
  sigmoid(-0.5 + (2 * ((x1 ?? 0) - 1)) / 2 - (0.5 * ((x2 ?? 0) - 10)) / 5);

function clientFor(url: string): SageMakerRuntimeClient {
  return new SageMakerRuntimeClient({
    region: "us-east-1",
    endpoint: url,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
  });
}

/** Counts the `InvokeEndpoint` calls a client makes. */
function countCalls(client: SageMakerRuntimeClient): { calls: number } {
  const counter = { calls: 0 };
  client.middlewareStack.add(
    (next) => async (args) => {
      counter.calls++;
      return next(args);
    },
    { step: "initialize" },
  );
  return counter;
}

/** A plain HTTP server whose behaviour a test sets, counting the requests it gets. */
async function fakeEndpoint(handler: { fn: (req: IncomingMessage, res: ServerResponse) => void }) {
  const state = { requests: 0 };
  const server: Server = createServer((req, res) => {
    state.requests++;
    req.resume();
    req.on("end", () => handler.fn(req, res));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return {
    state,
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const failing = (_req: IncomingMessage, res: ServerResponse) => {
  res.writeHead(500, { "content-type": "application/json", "x-amzn-errortype": "InternalFailure" });
  res.end(JSON.stringify({ message: "model crashed" }));
};

describe("SageMakerScorer against the model server", () => {
  let server: ModelServer;
  beforeAll(async () => {
    server = await startModelServer({ port: 0, models: new Map([["purchase_30d", purchase]]) });
  });
  afterAll(async () => {
    await server.stop();
  });

  it("scores rows with the served logistic model, in row order", async () => {
    const client = clientFor(server.url);
    const scorer = new SageMakerScorer({ client });
    const rows = [
      [0, 30],
      [1, 10],
      [5, 0],
    ];
    const scores = await scorer.score("purchase_30d", rows);
    expect(scores).toHaveLength(3);
    for (const [i, row] of rows.entries()) expect(scores[i]).toBeCloseTo(expected(row), 10);
    expect(scores[2]).toBeGreaterThan(scores[1] ?? 1);
    client.destroy();
  });

  it("splits the rows into calls of at most maxRowsPerCall, keeping the order", async () => {
    const client = clientFor(server.url);
    const counter = countCalls(client);
    const scorer = new SageMakerScorer({ client, maxRowsPerCall: 100 });
    const rows = Array.from({ length: 250 }, (_, i) => [i % 7, i % 31]);
    const scores = await scorer.score("purchase_30d", rows);
    expect(counter.calls).toBe(3);
    expect(scores).toHaveLength(250);
    for (const [i, row] of rows.entries()) expect(scores[i]).toBeCloseTo(expected(row), 10);
    expect(await scorer.score("purchase_30d", [])).toEqual([]);
    expect(counter.calls).toBe(3);
    client.destroy();
  });

  it("reports an unknown model as unavailable (retryable)", async () => {
    const client = clientFor(server.url);
    const scorer = new SageMakerScorer({ client });
    const error = await scorer.score("nope", [[1, 2]]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScorerUnavailableError);
    expect(error).toMatchObject({ retryable: true });
    client.destroy();
  });
});

describe("SageMakerScorer's circuit breaker", () => {
  it("opens after K consecutive failures, fails fast during the cool-down, then lets one call through", async () => {
    const handler = { fn: failing };
    const endpoint = await fakeEndpoint(handler);
    const clock = new ManualClock(1_000_000);
    const client = clientFor(endpoint.url);
    const scorer = new SageMakerScorer({ client, clock, failureThreshold: 3, coolDownMs: 10_000 });
    try {
      for (let i = 0; i < 3; i++) await expect(scorer.score("m", [[1]])).rejects.toThrow(/endpoint m failed/);
      expect(endpoint.state.requests).toBe(3);

      const fast = await scorer.score("m", [[1]]).catch((e: unknown) => e);
      expect(fast).toBeInstanceOf(ScorerUnavailableError);
      expect(fast).toMatchObject({ retryable: true, message: expect.stringMatching(/circuit open/) });
      expect(endpoint.state.requests).toBe(3);

      // Cool-down over: one call goes through, fails, and opens the breaker again at once.
      clock.at += 10_000;
      await expect(scorer.score("m", [[1]])).rejects.toThrow(/endpoint m failed/);
      expect(endpoint.state.requests).toBe(4);
      await expect(scorer.score("m", [[1]])).rejects.toThrow(/circuit open/);
      expect(endpoint.state.requests).toBe(4);

      // The endpoint recovers: the trial call succeeds and closes the breaker.
      handler.fn = (_req, res) => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ predictions: [{ score: 0.7 }] }));
      };
      clock.at += 10_000;
      expect(await scorer.score("m", [[1]])).toEqual([0.7]);
      handler.fn = failing;
      // Closed again: a single failure no longer opens it.
      await expect(scorer.score("m", [[1]])).rejects.toThrow(/endpoint m failed/);
      handler.fn = (_req, res) => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ predictions: [{ score: 0.2 }] }));
      };
      expect(await scorer.score("m", [[1]])).toEqual([0.2]);
      expect(endpoint.state.requests).toBe(7);
    } finally {
      client.destroy();
      await endpoint.stop();
    }
  });

  it("aborts a call that takes longer than the timeout, as unavailable", async () => {
    const endpoint = await fakeEndpoint({ fn: () => undefined });
    const client = clientFor(endpoint.url);
    const scorer = new SageMakerScorer({ client, timeoutMs: 100 });
    try {
      const started = Date.now();
      const error = await scorer.score("m", [[1]]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ScorerUnavailableError);
      expect(error).toMatchObject({ message: expect.stringMatching(/did not answer within 100 ms/) });
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      client.destroy();
      await endpoint.stop();
    }
  });
});

describe("parseScores", () => {
  it("accepts one score in [0, 1] per row and rejects anything else", () => {
    expect(parseScores('{"predictions":[{"score":0.25},{"score":1}]}', 2)).toEqual([0.25, 1]);
    expect(() => parseScores('{"predictions":[{"score":0.25}]}', 2)).toThrow(ScorerResponseError);
    expect(() => parseScores('{"predictions":[{"score":1.5}]}', 1)).toThrow(/not a score/);
    expect(() => parseScores('{"predictions":[{"score":null}]}', 1)).toThrow(/not a score/);
    expect(() => parseScores('{"scores":[]}', 0)).toThrow(/no "predictions"/);
    expect(() => parseScores("<html>", 1)).toThrow(/not JSON/);
  });
});
