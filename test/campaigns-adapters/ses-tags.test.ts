import { describe, expect, it } from "vitest";
import { decodeSesTag, encodeSesTag, SES_TAG_MAX_LENGTH } from "../../shared/aws/ses-tags.js";

const SES_ALPHABET = /^[A-Za-z0-9_-]{1,256}$/;

describe("encodeSesTag / decodeSesTag", () => {
  it.each(["c-1", "cust_42", "c.42@shop.example", "Zoë Ünïcode 🎉", "a__b_", "_2E", ""])(
    "keeps %j within SES's alphabet and restores it",
    (value) => {
      // Act
      const tag = encodeSesTag(value);

      // Assess
      expect(tag).toMatch(SES_ALPHABET);
      expect(decodeSesTag(tag)).toBe(value);
    },
  );

  it("leaves plain ids as they are", () => {
    // Act, Assess
    expect(encodeSesTag("Cart-Abandonment-2")).toBe("Cart-Abandonment-2");
  });

  it("cuts values that grow past 256 characters", () => {
    // Act
    const tag = encodeSesTag("@".repeat(200));

    // Assess
    expect(tag).toHaveLength(SES_TAG_MAX_LENGTH);
    expect(tag).toMatch(SES_ALPHABET);
  });

  it("refuses what it did not encode", () => {
    // Act, Assess
    expect(decodeSesTag("a_zz")).toBeUndefined();
    expect(decodeSesTag("a.b")).toBeUndefined();
    expect(decodeSesTag("_FF")).toBeUndefined();
  });
});
