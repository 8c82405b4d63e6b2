import { describe, expect, it } from "vitest";
import {
  decodeSesTag,
  encodeSesTag,
  isSendRef,
  SES_TAG_MAX_LENGTH,
  sendRefOf,
} from "#shared/domain/email-feedback/ses-tags.js";

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

describe("sendRefOf", () => {
  it("is the send key encoded, readable and reversible, when it fits in a tag", () => {
    // Act
    const ref = sendRefOf("welcome#c.42@shop#signup#0");

    // Assess
    expect(ref).toBe("welcome_23c_2E42_40shop_23signup_230");
    expect(isSendRef(ref)).toBe(true);
    expect(decodeSesTag(ref)).toBe("welcome#c.42@shop#signup#0");
  });

  it("is a SHA-256 of the key when the encoding would pass 256 characters: distinct, stable, in SES's alphabet", () => {
    // Prepare: a 256-character customer id of dots triples once encoded.
    const a = `welcome#${".".repeat(256)}#signup#0`;
    const b = `welcome#${".".repeat(255)}#signup#0`;

    // Act, Assess
    expect(sendRefOf(a)).toMatch(/^sha256-[0-9a-f]{64}$/);
    expect(sendRefOf(a)).toBe(sendRefOf(a));
    expect(sendRefOf(a)).not.toBe(sendRefOf(b));
    expect(isSendRef(sendRefOf(a))).toBe(true);
  });
});
