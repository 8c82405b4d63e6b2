import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { SageMakerRuntimeClient } from "@aws-sdk/client-sagemaker-runtime";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { InMemoryCatalog } from "#shared/app/in-memory-catalog.js";
import { boughtProducts, recommendProducts } from "#shared/app/recommendations.js";
import {
  parseRecommendations,
  RecommenderResponseError,
  RecommenderUnavailableError,
  SageMakerRecommender,
} from "#shared/aws/sagemaker-recommender.js";
import { emptyProfile, type Profile } from "#shared/domain/profile/index.js";
import type { CatalogProduct, Recommender } from "#shared/ports.js";
import { simulatorCatalogProducts } from "#shared/sim/index.js";
import { catalogProduct } from "../factories/catalog.js";

const NOW = Date.parse("2026-11-20T12:00:00Z");

function product(id: string, category: string, popularity: number, inStock = true): CatalogProduct {
  return catalogProduct(id, category, popularity, { inStock });
}

const catalog = new InMemoryCatalog([
  product("b1", "books", 0.9),
  product("b2", "books", 0.8),
  product("b3", "books", 0.7, false),
  product("b4", "books", 0.6),
  product("h1", "home", 1),
  product("h2", "home", 0.5),
  product("g1", "garden", 0.95),
]);

/** A reader of books who bought b2 an hour ago. */
const reader: Profile = {
  ...emptyProfile("c-1", NOW),
  a: { t: NOW, s: { books: 8, home: 1 } },
  pc: [
    { i: "b2", k: "books", oc: "1" },
    { i: "h2", k: "home", pv: "3" },
  ],
  rv: ["h2", "b1"],
};

const fixed = (ids: readonly string[]): Recommender => ({ recommend: async () => ids });
const failing: Recommender = {
  recommend: async () => {
    throw new RecommenderUnavailableError("endpoint m did not answer within 100 ms");
  },
};

describe("recommendProducts", () => {
  it("keeps the model's order, dropping out-of-stock, bought, excluded and unknown products", async () => {
    const result = await recommendProducts(
      { catalog, recommender: fixed(["b3", "h2", "b2", "zz", "g1", "h1", "h2"]) },
      reader,
      { limit: 3, now: NOW, exclude: ["h1"] },
    );
    expect(result.products.map((p) => p.productId)).toEqual(["h2", "g1", "b1"]);
    expect(result.sources).toEqual({ model: 2, category: 1, overall: 0 });
    expect(boughtProducts(reader)).toEqual(new Set(["b2"]));
  });

  it("falls back to the favourite category's best sellers, then overall, when the model fails", async () => {
    const result = await recommendProducts({ catalog, recommender: failing }, reader, { limit: 4, now: NOW });
    expect(result.products.map((p) => p.productId)).toEqual(["b1", "b4", "h1", "g1"]);
    expect(result.sources).toEqual({ model: 0, category: 2, overall: 2 });
    expect(result.modelError).toBe("RecommenderUnavailableError: endpoint m did not answer within 100 ms");
  });

  it("serves best sellers overall to a customer with no history and no model", async () => {
    const result = await recommendProducts({ catalog }, emptyProfile("new", NOW), { limit: 2, now: NOW });
    expect(result.products.map((p) => p.productId)).toEqual(["h1", "g1"]);
    expect(result.sources).toEqual({ model: 0, category: 0, overall: 2 });
  });

  it("builds the simulator's catalog, best sellers in stock only", async () => {
    const shop = new InMemoryCatalog(simulatorCatalogProducts(42));
    const best = await shop.bestSellers({ limit: 5, category: "books" });
    expect(best).toHaveLength(5);
    expect(best.every((p) => p.inStock && p.category === "books")).toBe(true);
    expect(best.map((p) => p.popularity)).toEqual([...best.map((p) => p.popularity)].sort((a, b) => b - a));
  });
});

interface Call {
  readonly path: string;
  readonly contentType: string | undefined;
  readonly body: unknown;
}

/** A tiny SageMaker runtime: `POST /endpoints/<name>/invocations`, answering as `behaviour` says. */
function modelServer() {
  const calls: Call[] = [];
  const state: { behaviour: "ok" | "slow" | "5xx" | "model-error" | "garbage"; ids: string[] } = {
    behaviour: "ok",
    ids: ["h1", "b1"],
  };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      calls.push({
        path: `${req.method} ${req.url}`,
        contentType: req.headers["content-type"],
        body: JSON.parse(Buffer.concat(chunks).toString("utf8")),
      });
      const send = (status: number, body: string, headers: Record<string, string> = {}) => {
        res.writeHead(status, { "content-type": "application/json", ...headers });
        res.end(body);
      };
      switch (state.behaviour) {
        case "ok":
          return send(
            200,
            JSON.stringify({
              recommendations: state.ids.map((id, i) => ({ product_id: id, score: 1 - i / 10 })),
            }),
          );
        case "slow":
          return void setTimeout(() => send(200, JSON.stringify({ recommendations: [] })), 1_000);
        case "5xx":
          return send(500, JSON.stringify({ message: "boom" }), { "x-amzn-errortype": "InternalFailure" });
        case "model-error":
          return send(424, JSON.stringify({ message: "model crashed" }), {
            "x-amzn-errortype": "ModelError",
          });
        case "garbage":
          return send(200, "<html>not json</html>");
      }
    });
  });
  return { server, calls, state };
}

describe("SageMakerRecommender against a local runtime endpoint", () => {
  const model = modelServer();
  let client: SageMakerRuntimeClient;
  let clock = NOW;
  const make = (timeoutMs = 2_000) =>
    new SageMakerRecommender({
      client,
      endpointName: "recs",
      timeoutMs,
      cacheTtlMs: 60_000,
      clock: { now: () => clock },
    });

  beforeAll(async () => {
    await new Promise<void>((resolve) => model.server.listen(0, "127.0.0.1", resolve));
    const address = model.server.address();
    const port = typeof address === "object" && address !== null ? address.port : 0;
    client = new SageMakerRuntimeClient({
      region: "us-east-1",
      endpoint: `http://127.0.0.1:${port}`,
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
      maxAttempts: 1,
    });
  });
  afterAll(async () => {
    client.destroy();
    model.server.closeAllConnections();
    await new Promise((resolve) => model.server.close(resolve));
  });
  beforeEach(() => {
    model.calls.length = 0;
    model.state.behaviour = "ok";
    clock = NOW;
  });

  it("invokes the endpoint with the customer's features as JSON and returns the product ids in order", async () => {
    const ids = await make().recommend({ customerId: "c-1", profile: reader, limit: 8 });
    expect(ids).toEqual(["h1", "b1"]);
    expect(model.calls).toEqual([
      {
        path: "POST /endpoints/recs/invocations",
        contentType: "application/json",
        body: {
          customer_id: "c-1",
          k: 8,
          recently_viewed: ["h2", "b1"],
          categories: ["books", "home"],
          // Bought (b2, time unknown: counts as now), then views, newest first, each 0.9 of the one before.
          seeds: [
            { product_id: "b2", kind: "purchase", weight: 5 },
            { product_id: "h2", kind: "view", weight: 1 },
            { product_id: "b1", kind: "view", weight: 0.9 },
          ],
          category_affinity: [
            { category: "books", score: 8 },
            { category: "home", score: 1 },
          ],
        },
      },
    ]);
  });

  it("caches a customer's answer until the TTL has passed", async () => {
    const recommender = make();
    await recommender.recommend({ customerId: "c-1", profile: reader, limit: 8 });
    model.state.ids = ["g1"];
    expect(await recommender.recommend({ customerId: "c-1", profile: reader, limit: 8 })).toEqual([
      "h1",
      "b1",
    ]);
    expect(model.calls).toHaveLength(1);
    clock = NOW + 60_001;
    expect(await recommender.recommend({ customerId: "c-1", profile: reader, limit: 8 })).toEqual(["g1"]);
    expect(model.calls).toHaveLength(2);
    model.state.ids = ["h1", "b1"];
  });

  it("gives up after the timeout, and the recommendations fall back to best sellers", async () => {
    model.state.behaviour = "slow";
    const recommender = make(100);
    const started = Date.now();
    await expect(recommender.recommend({ customerId: "c-2", profile: reader, limit: 4 })).rejects.toThrow(
      RecommenderUnavailableError,
    );
    expect(Date.now() - started).toBeLessThan(800);
    const result = await recommendProducts({ catalog, recommender }, reader, { limit: 2, now: NOW });
    // One book at most in a list of two (⌈2/2⌉), so the best seller overall comes next.
    expect(result.products.map((p) => p.productId)).toEqual(["b1", "h1"]);
    expect(result.modelError).toContain("did not answer within 100 ms");
  });

  it("turns 5xx and model errors into fallbacks, and a non-JSON answer into a response error", async () => {
    for (const behaviour of ["5xx", "model-error"] as const) {
      model.state.behaviour = behaviour;
      const result = await recommendProducts({ catalog, recommender: make() }, reader, {
        limit: 1,
        now: NOW,
      });
      expect(result.sources).toEqual({ model: 0, category: 1, overall: 0 });
      expect(result.modelError).toMatch(
        /^RecommenderUnavailableError: endpoint recs failed: (InternalFailure|ModelError)/,
      );
    }
    model.state.behaviour = "garbage";
    await expect(make().recommend({ customerId: "c-3", profile: reader, limit: 1 })).rejects.toThrow(
      RecommenderResponseError,
    );
    expect(() =>
      parseRecommendations('{"recommendations":[{"product_id":"a"},{"score":1},{"product_id":""}]}'),
    ).not.toThrow();
    expect(parseRecommendations('{"recommendations":[{"product_id":"a"},{"score":1}]}')).toEqual(["a"]);
  });
});
