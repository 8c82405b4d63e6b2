import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { gsm7Septets, keywordOf, maskPhone, smsSegments, toE164 } from "#shared/domain/sms/index.js";

const BASIC = Array.from(
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà",
);
const EXTENDED = Array.from("\f^{}\\[~]|€");
const basicText = fc.array(fc.constantFrom(...BASIC), { maxLength: 700 }).map((chars) => chars.join(""));
const gsmText = fc
  .array(fc.constantFrom(...BASIC, ...EXTENDED), { maxLength: 700 })
  .map((chars) => chars.join(""));
/** Characters outside GSM-7: accented letters it lacks, CJK, emoji (a surrogate pair). */
const nonGsmChar = fc.constantFrom("ç", "á", "ł", "日", "😀", "’", "\u0303");

describe("smsSegments (GSM-7)", () => {
  it("counts one septet per basic character: 160 in one part, then 153 per part", () => {
    fc.assert(
      fc.property(basicText, (text) => {
        const out = smsSegments(text);
        expect(out.encoding).toBe("GSM-7");
        expect(out.units).toBe(text.length);
        const expected = text.length === 0 ? 0 : text.length <= 160 ? 1 : Math.ceil(text.length / 153);
        expect(out.segments).toBe(expected);
      }),
    );
  });

  it("counts extension characters twice and never splits one across parts", () => {
    fc.assert(
      fc.property(gsmText, (text) => {
        const chars = Array.from(text);
        const out = smsSegments(text);
        const extended = chars.filter((c) => EXTENDED.includes(c)).length;
        expect(out.units).toBe(chars.length + extended);
        // Never fewer parts than the plain division; at most one more per escape pair straddling a boundary.
        if (out.units > 160) {
          expect(out.segments).toBeGreaterThanOrEqual(Math.ceil(out.units / 153));
          expect(out.segments).toBeLessThanOrEqual(Math.ceil(out.units / 152));
        } else {
          expect(out.segments).toBe(out.units === 0 ? 0 : 1);
        }
      }),
    );
  });

  it("is at the boundaries: 160 fit, 161 take two, and a euro at the 153rd septet starts the next part", () => {
    expect(smsSegments("a".repeat(160)).segments).toBe(1);
    expect(smsSegments("a".repeat(161)).segments).toBe(2);
    expect(smsSegments(`${"a".repeat(80)}€`.padEnd(159, "b")).units).toBe(160);
    expect(smsSegments("€".repeat(80)).segments).toBe(1);
    expect(smsSegments("€".repeat(81)).segments).toBe(2);
    // 152 septets, then an escape pair: it does not fit in the 153rd septet, so part 2 starts with it.
    const straddle = `${"a".repeat(152)}€${"a".repeat(152)}`;
    expect(smsSegments(straddle).units).toBe(306);
    expect(smsSegments(straddle).segments).toBe(3);
    expect(smsSegments(`${"a".repeat(151)}€${"a".repeat(153)}`).segments).toBe(2);
  });

  it("knows the septet size of single characters", () => {
    expect(gsm7Septets("a")).toBe(1);
    expect(gsm7Septets("€")).toBe(2);
    expect(gsm7Septets("ç")).toBe(0);
  });
});

describe("smsSegments (UCS-2)", () => {
  it("switches to UCS-2 for any character outside GSM-7: 70 in one part, then 67, pairs kept whole", () => {
    fc.assert(
      fc.property(gsmText, nonGsmChar, fc.nat(), (text, odd, at) => {
        const chars = Array.from(text);
        chars.splice(at % (chars.length + 1), 0, odd);
        const body = chars.join("");
        const out = smsSegments(body);
        expect(out.encoding).toBe("UCS-2");
        expect(out.units).toBe(body.length);
        expect(out.nonGsm).toContain(odd);
        if (out.units <= 70) expect(out.segments).toBe(1);
        else {
          expect(out.segments).toBeGreaterThanOrEqual(Math.ceil(out.units / 67));
          expect(out.segments).toBeLessThanOrEqual(Math.ceil(out.units / 66));
        }
      }),
    );
  });

  it("never takes fewer parts when text is appended", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400, unit: "grapheme" }), fc.string({ maxLength: 50 }), (a, b) => {
        expect(smsSegments(a + b).segments).toBeGreaterThanOrEqual(smsSegments(a).segments);
      }),
    );
  });

  it("does not split an emoji across parts", () => {
    // 66 units then an emoji (2 units): the emoji starts part 2.
    const body = `${"日".repeat(66)}😀${"日".repeat(66)}`;
    expect(smsSegments(body).units).toBe(134);
    expect(smsSegments(body).segments).toBe(3);
  });
});

describe("keywordOf", () => {
  it.each(["STOP", "stop", " Stop. ", "STOPALL", "unsubscribe", "Cancel!", "END", "quit"])(
    "reads %j as an opt-out",
    (body) => expect(keywordOf(body).action).toBe("opt-out"),
  );
  it.each(["START", "unstop", "Start!"])("reads %j as an opt-in", (body) =>
    expect(keywordOf(body).action).toBe("opt-in"),
  );
  it.each(["please stop texting me", "STOP IT", "where is my order", ""])("reads %j as nothing", (body) =>
    expect(keywordOf(body).action).toBe("none"),
  );
});

describe("toE164", () => {
  it.each([
    ["+33 6 12 34 56 78", "+33612345678"],
    ["0033 (6) 12-34-56-78", "+33612345678"],
    ["+1 206.555.0100", "+12065550100"],
  ])("normalises %j", (raw, e164) => expect(toE164(raw)).toBe(e164));
  it.each(["06 12 34 56 78", "+0123456789", "+12", "+1234567890123456", "call me"])("refuses %j", (raw) =>
    expect(toE164(raw)).toBeUndefined(),
  );
  it("masks all but the last four digits", () => expect(maskPhone("+33612345678")).toBe("+*******5678"));
});
