import { describe, expect, it } from "vitest";
import { decodeEvent } from "#shared/domain/events/index.js";
import { rawTrack } from "../factories/events.js";
import { harness, NOW } from "./api-harness.js";

const JSON_TYPE = { "content-type": "application/json; charset=utf-8" };
const at = new Date(NOW - 60_000).toISOString();
const viewed = (userId: string, messageId: string) =>
  rawTrack("Product Viewed", { product_id: "sku-1", price: 9.5 }, { userId, messageId, timestamp: at });

describe("POST /v1/events", () => {
  it("puts a single event keyed by its customer: 202 { accepted: 1 }", async () => {
    const api = harness();
    const body = JSON.stringify(viewed("u-1", "m-1"));
    const res = await api.call({ method: "POST", path: "/v1/events", headers: JSON_TYPE, body });
    expect(res.statusCode).toBe(202);
    expect(JSON.parse(res.body)).toEqual({ accepted: 1 });
    const [record] = api.events.records;
    expect(record?.customerId).toBe("u-1");
    expect(new TextDecoder().decode(record?.data)).toBe(body);
  });

  it("puts a batch in one write, each keyed by userId ?? anonymousId", async () => {
    const api = harness();
    const anonymous = rawTrack(
      "Product Added",
      { product_id: "sku-2" },
      { anonymousId: "a-9", timestamp: at },
    );
    const body = JSON.stringify({ batch: [viewed("u-1", "m-1"), anonymous, viewed("u-2", "m-2")] });
    const res = await api.call({ method: "POST", path: "/v1/events", headers: JSON_TYPE, body });
    expect(res.statusCode).toBe(202);
    expect(JSON.parse(res.body)).toEqual({ accepted: 3 });
    expect(api.events.puts).toHaveLength(1);
    expect(api.events.records.map((r) => r.customerId)).toEqual(["u-1", "a-9", "u-2"]);
    for (const record of api.events.records) expect(decodeEvent(record.data, NOW).ok).toBe(true);
  });

  it("is all or nothing: one invalid event refuses the request with every error by index", async () => {
    const api = harness();
    const noIds = { type: "track", event: "Product Viewed", messageId: "m-3", timestamp: at, properties: {} };
    const badPrice = rawTrack("Product Viewed", { product_id: "sku-1", price: "cheap" }, { timestamp: at });
    const body = JSON.stringify({ batch: [viewed("u-1", "m-1"), noIds, badPrice] });
    const res = await api.call({ method: "POST", path: "/v1/events", headers: JSON_TYPE, body });
    expect(res.statusCode).toBe(400);
    const { errors } = JSON.parse(res.body);
    expect(errors.map((e: { index: number }) => e.index)).toEqual([1, 2]);
    expect(errors[0].issues).toContainEqual(expect.objectContaining({ path: "userId", rule: "required" }));
    expect(errors[1].issues).toContainEqual(expect.objectContaining({ path: "properties.price" }));
    expect(api.events.records).toHaveLength(0);
  });

  it("refuses what is not a JSON event body: not JSON, an empty or oversized batch, deep nesting", async () => {
    const api = harness();
    const post = (body: string) => api.call({ method: "POST", path: "/v1/events", headers: JSON_TYPE, body });
    const deep = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
    const results = await Promise.all([
      post("{not json"),
      post(JSON.stringify({ batch: [] })),
      post(JSON.stringify({ batch: Array.from({ length: 501 }, (_, i) => viewed("u-1", `m-${i}`)) })),
      post(`{"batch":[${deep}]}`),
      post(deep),
    ]);
    expect(results.map((r) => r.statusCode)).toEqual([400, 400, 400, 400, 400]);
    expect(JSON.parse(results[3]?.body ?? "{}").errors[0]).toMatchObject({
      index: 0,
      issues: [{ rule: "depth" }],
    });
    expect(api.events.records).toHaveLength(0);
  });

  it("answers 415 to a body that is not declared JSON", async () => {
    const api = harness();
    const body = JSON.stringify(viewed("u-1", "m-1"));
    const declared: Record<string, string>[] = [
      { "content-type": "text/plain" },
      {},
      { "content-type": "application/x-www-form-urlencoded" },
    ];
    for (const headers of declared) {
      const res = await api.call({ method: "POST", path: "/v1/events", headers, body });
      expect(res.statusCode).toBe(415);
    }
    const ok = await api.call({
      method: "POST",
      path: "/v1/events",
      headers: { "Content-Type": "application/json" },
      body,
    });
    expect(ok.statusCode).toBe(202);
    expect(api.events.records).toHaveLength(1);
  });

  it("answers 413 to a body over 1 MiB, also when base64-encoded", async () => {
    const api = harness();
    const padded = {
      ...viewed("u-1", "m-1"),
      properties: { product_id: "sku", note: "x".repeat(1_048_576) },
    };
    const body = JSON.stringify(padded);
    const plain = await api.call({ method: "POST", path: "/v1/events", headers: JSON_TYPE, body });
    const encoded = await api.call({
      method: "POST",
      path: "/v1/events",
      headers: JSON_TYPE,
      body: Buffer.from(body).toString("base64"),
      isBase64Encoded: true,
    });
    expect([plain.statusCode, encoded.statusCode]).toEqual([413, 413]);
    expect(api.events.records).toHaveLength(0);
  });

  it("answers 503 with Retry-After when the stream does not take the events", async () => {
    const api = harness();
    api.events.refuse = true;
    const body = JSON.stringify(viewed("u-1", "m-1"));
    const res = await api.call({ method: "POST", path: "/v1/events", headers: JSON_TYPE, body });
    expect(res.statusCode).toBe(503);
    expect(Number(res.headers["retry-after"])).toBeGreaterThan(0);
  });
});
