import { marshall } from "@aws-sdk/util-dynamodb";
import { describe, expect, it } from "vitest";
import { attributeValueBytes, itemSizeBytes, writeUnitsFor } from "#shared/aws/dynamo-item-size.js";

describe("DynamoDB item size by the billing rules", () => {
  it("counts strings as UTF-8 bytes and attribute names as well", () => {
    expect(attributeValueBytes({ S: "abc" })).toBe(3);
    expect(attributeValueBytes({ S: "Zoë" })).toBe(4);
    expect(itemSizeBytes({ name: { S: "abc" } })).toBe(7);
  });

  it("counts numbers as one byte per two significant digits plus one", () => {
    expect(attributeValueBytes({ N: "7" })).toBe(2);
    expect(attributeValueBytes({ N: "123" })).toBe(3);
    expect(attributeValueBytes({ N: "1700000000000" })).toBe(2);
    expect(attributeValueBytes({ N: "1732374823123" })).toBe(8);
    expect(attributeValueBytes({ N: "-12.345" })).toBe(4);
  });

  it("adds three bytes per map or list plus one per element", () => {
    expect(attributeValueBytes({ L: [{ N: "1" }, { N: "2" }] })).toBe(3 + 2 * (1 + 2));
    expect(attributeValueBytes({ M: { a: { BOOL: true } } })).toBe(3 + 1 + 1 + 1);
  });

  it("sizes a marshalled profile-like item", () => {
    const item = marshall({ customerId: "c-1", version: 3, traits: { email: "a@b.co" } });
    // customerId(10)+"c-1"(3) + version(7)+3(2) + traits(6)+map(3 + 1 + email(5) + 6)
    expect(itemSizeBytes(item)).toBe(13 + 9 + 6 + 3 + 1 + 5 + 6);
  });

  it("bills one write unit per started KB of the larger of before and after", () => {
    expect(writeUnitsFor(0, 100)).toBe(1);
    expect(writeUnitsFor(0, 1024)).toBe(1);
    expect(writeUnitsFor(0, 1025)).toBe(2);
    expect(writeUnitsFor(2100, 900)).toBe(3);
  });
});
