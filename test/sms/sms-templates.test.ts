import { beforeAll, describe, expect, it } from "vitest";
import {
  checkSmsTemplates,
  parseSmsTemplate,
  SmsRenderer,
  SmsTemplateError,
} from "#shared/render/sms-templates.js";
import { loadSmsTemplates } from "#shared/templates/sms-files.js";
import { contextWithTraits, type Shipped, shipped, TEMPLATES_DIR } from "../render/helpers.js";

const NOW = Date.UTC(2026, 11, 7, 10);
let templates: Shipped;
beforeAll(async () => {
  templates = await shipped();
}, 60_000);

describe("SMS templates", () => {
  it("the shipped templates fit their limits for every sample profile", () => {
    const renderer = new SmsRenderer(loadSmsTemplates(TEMPLATES_DIR));
    expect(renderer.names()).toContain("cart-reminder");
    expect(checkSmsTemplates(renderer, templates.samples)).toEqual([]);
  });

  it("renders merge tags with their fallbacks, unescaped, trimmed", () => {
    const renderer = new SmsRenderer([
      parseSmsTemplate("hello", '\n{{ customer.first_name | default: "there" }} & co\n\n\n\nbye  \n'),
    ]);
    const named = renderer.render("hello", contextWithTraits({ first_name: "Zoé" }, NOW));
    const anonymous = renderer.render("hello", contextWithTraits({}, NOW));
    expect(named).toMatchObject({
      ok: true,
      sms: { body: "Zoé & co\n\nbye", segments: { encoding: "GSM-7" } },
    });
    expect(anonymous).toMatchObject({ ok: true, sms: { body: "there & co\n\nbye" } });
  });

  it("refuses a render over the template's limit, naming the template, the count and the encoding", () => {
    const renderer = new SmsRenderer([
      parseSmsTemplate(
        "long",
        "---\nmaxSegments: 1\n---\n{{ customer.first_name }} {% for i in (1..20) %}word {% endfor %}",
      ),
    ]);
    const ascii = renderer.render("long", contextWithTraits({ first_name: "Ada" }, NOW));
    expect(ascii.ok).toBe(true);
    const cyrillic = renderer.render("long", contextWithTraits({ first_name: "Аня" }, NOW));
    expect(cyrillic).toMatchObject({ ok: false });
    expect(cyrillic.ok ? "" : cyrillic.error.message).toBe(
      "sms template long: 2 segments (UCS-2, 103 code units; not GSM-7: А н я) over its limit of 1",
    );
  });

  it("fails a merge tag without a fallback on a profile that lacks it (strict variables)", () => {
    const renderer = new SmsRenderer([parseSmsTemplate("strict", "Hi {{ customer.nickname }}")]);
    const out = renderer.render("strict", contextWithTraits({}, NOW));
    expect(out.ok ? "" : out.error.message).toMatch(/^sms template strict: .*nickname/);
  });

  it("refuses bad front matter and empty bodies with the template's name", () => {
    expect(() => parseSmsTemplate("x", "---\nmaxSegments: 0\n---\nHi")).toThrow(SmsTemplateError);
    expect(() => parseSmsTemplate("x", "---\nmaxSegments: 0\n---\nHi")).toThrow(
      /sms template x: front matter/,
    );
    expect(() => parseSmsTemplate("y", "---\nmaxSegments: 2\n---\n  \n")).toThrow(
      "sms template y: the body is empty",
    );
  });
});
