import { describe, expect, it } from "vitest";
import { MALFORMED_KINDS, malformed, malformedRecords } from "#shared/sim/index.js";

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

function parse(data: Uint8Array): Record<string, unknown> {
  const value: unknown = JSON.parse(strictUtf8.decode(data));
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error("not an object");
  return Object.fromEntries(Object.entries(value));
}

function properties(event: Record<string, unknown>): Record<string, unknown> {
  const p = event.properties;
  return typeof p === "object" && p !== null ? Object.fromEntries(Object.entries(p)) : {};
}

describe("malformed", () => {
  const records = malformedRecords(42, 2 * MALFORMED_KINDS.length);

  it("returns n payloads as bytes, cycling through every kind", () => {
    expect(malformed(42, 5)).toHaveLength(5);
    expect(malformed(42, 5).every((d) => d instanceof Uint8Array)).toBe(true);
    expect(new Set(records.map((r) => r.kind))).toEqual(new Set(MALFORMED_KINDS));
  });

  it("makes each payload bad in exactly its stated way", () => {
    for (const { kind, data } of records) {
      switch (kind) {
        case "not_json":
          expect(() => JSON.parse(strictUtf8.decode(data)), kind).toThrow(SyntaxError);
          break;
        case "invalid_utf8":
          expect(() => strictUtf8.decode(data), kind).toThrow(TypeError);
          break;
        case "bad_email":
          expect(parse(data)).toMatchObject({ context: { traits: { email: expect.stringMatching(/@$/) } } });
          break;
        case "bad_price":
          expect(properties(parse(data)).price).toBe("abc");
          break;
        case "track_without_event":
          expect(parse(data)).toMatchObject({ type: "track" });
          expect(parse(data)).not.toHaveProperty("event");
          break;
        case "missing_ids":
          expect(parse(data)).not.toHaveProperty("userId");
          expect(parse(data)).not.toHaveProperty("anonymousId");
          break;
        case "bad_timestamp":
          expect(Number.isNaN(Date.parse(String(parse(data).timestamp)))).toBe(true);
          break;
      }
    }
  });

  it("leaves everything else intact, with unique messageIds", () => {
    const parsed = records
      .filter((r) => r.kind !== "not_json" && r.kind !== "invalid_utf8")
      .map((r) => ({ kind: r.kind, event: parse(r.data) }));
    for (const { kind, event } of parsed) {
      expect(typeof event.messageId).toBe("string");
      if (kind !== "track_without_event") expect(event.event).toBe("Product Viewed");
      if (kind !== "bad_price") expect(typeof properties(event).price).toBe("number");
    }
    const ids = parsed.map((p) => p.event.messageId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("is deterministic per seed", () => {
    expect(malformed(7, 14)).toEqual(malformed(7, 14));
    expect(malformed(8, 14)).not.toEqual(malformed(7, 14));
  });
});
