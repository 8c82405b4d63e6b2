import { describe, expect, it } from "vitest";
import { canonicalJson } from "#shared/app/api/segment-calls.js";
import { recordWaves } from "#shared/app/api/segment-records.js";

const utf8 = new TextDecoder();
const call = (partitionKey: string, n: number, pad = 0) => ({
  partitionKey,
  json: JSON.stringify({ userId: partitionKey, n, pad: "p".repeat(pad) }),
});
const ns = (data: Uint8Array): number[] => {
  const value: unknown = JSON.parse(utf8.decode(data));
  return (Array.isArray(value) ? value : [value]).map((item) => Number(Reflect.get(Object(item), "n")));
};

describe("recordWaves", () => {
  it("puts each customer's calls in one array record in request order, a lone call as itself", () => {
    const waves = recordWaves([call("a", 1), call("b", 2), call("a", 3), call("a", 4)]);
    expect(waves).toHaveLength(1);
    const [wave] = waves;
    expect(wave?.map((r) => r.customerId)).toEqual(["a", "b"]);
    expect(ns(wave?.[0]?.data ?? new Uint8Array())).toEqual([1, 3, 4]);
    expect(utf8.decode(wave?.[1]?.data ?? new Uint8Array()).startsWith("{")).toBe(true);
  });

  it("splits a customer over records within the byte limit, one per wave, so order survives", () => {
    // GIVEN calls of ~100 bytes and a 250-byte record limit
    const calls = [1, 2, 3, 4, 5].map((n) => call("a", n, 60)).concat([call("b", 9)]);
    const waves = recordWaves(calls, 250);
    // THEN every record is within the limit and valid JSON, and reading the waves in turn gives the order sent
    for (const wave of waves)
      for (const record of wave) expect(record.data.byteLength).toBeLessThanOrEqual(250);
    expect(waves.map((wave) => wave.filter((r) => r.customerId === "a").length)).toEqual(waves.map(() => 1));
    expect(
      waves.flatMap((wave) => wave.filter((r) => r.customerId === "a").flatMap((r) => ns(r.data))),
    ).toEqual([1, 2, 3, 4, 5]);
    expect(waves[0]?.some((r) => r.customerId === "b")).toBe(true);
    expect(waves.length).toBeGreaterThan(1);
  });
});

describe("canonicalJson", () => {
  it("sorts keys at every level and leaves arrays in order", () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}',
    );
  });
});
