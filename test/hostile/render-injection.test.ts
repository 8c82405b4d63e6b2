import { beforeAll, describe, expect, it } from "vitest";
import { SubjectOverrides } from "#shared/app/subject-override.js";
import { decodeEvent } from "#shared/domain/events/index.js";
import { foldEvents } from "#shared/domain/profile/index.js";
import { compileTemplates } from "#shared/render/compile/index.js";
import {
  buildRenderContext,
  EmailRenderer,
  PREVIEW_LINKS,
  PREVIEW_RENDERER,
  PREVIEW_SHOP,
  type RenderContext,
} from "#shared/render/index.js";
import { layout, templateDir } from "../render/helpers.js";
import { NOW } from "./hostile-batch.js";

const encoder = new TextEncoder();
const EMAIL = "victim@example.com";

/** A customer's context as dispatch builds it: the identify goes through the real decoder and fold. */
function contextFromIdentify(traits: Record<string, unknown>, customerId = "c-inject"): RenderContext {
  const raw = {
    type: "identify",
    messageId: `identify-${customerId}`,
    userId: customerId,
    timestamp: new Date(NOW - 60_000).toISOString(),
    traits: { email: EMAIL, ...traits },
  };
  const decoded = decodeEvent(encoder.encode(JSON.stringify(raw)), NOW);
  if (!decoded.ok) throw new Error(`identify refused: ${decoded.error.message}`);
  const { profile } = foldEvents(undefined, customerId, [decoded.event], NOW);
  return buildRenderContext({
    profile,
    now: NOW,
    campaign: { id: "camp", name: "Camp" },
    variant: "a",
    links: PREVIEW_LINKS,
    shop: PREVIEW_SHOP,
  });
}

/** How LiquidJS's `escape` writes text into HTML. */
function escapeHtml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&#34;")
    .replace(/'/g, "&#39;");
}

let renderer: EmailRenderer;
beforeAll(async () => {
  const root = templateDir({
    "emails/t/subject.liquid": "Hi {{ customer.first_name | default: 'there' }}",
    "emails/t/preheader.liquid": "For {{ customer.last_name | default: 'you' }}",
    "emails/t/layout.mjml": layout(
      `<mj-section><mj-column><mj-text>Dear {{ customer.first_name | default: 'friend' }} {{ customer.last_name | default: '' }}, welcome.</mj-text></mj-column></mj-section>`,
    ),
  });
  renderer = new EmailRenderer(await compileTemplates(root), PREVIEW_RENDERER);
});

describe("Liquid injection in traits", () => {
  it.each([
    ["{{ 7*7 }}", ["49"]],
    ["{{ 7 | plus: 42 }}", ["49"]],
    ["{% raw %}{{ 7 | times: 7 }}{% endraw %}", ["49"]],
    ["{{ 'x' | append: customer.email }}", ["xvictim"]],
    ["{% assign pwned = 'yes' %}{{ pwned }}", ["Hi yes", "Dear yes"]],
    ["{% include 'secret' %}", ["Liquid", "ENOENT"]],
    ["{{ customer.email }}", []],
    ["<script>alert('x')</script> & {{ 1 | plus: 1 }}", [" 2,", "& 2"]],
  ])("renders %j as literal text: escaped in HTML, never evaluated", (name, evaluated) => {
    // Prepare
    const context = contextFromIdentify({ first_name: name, last_name: name });
    expect(context.customer.first_name).toBe(name);
    // Act
    const result = renderer.render({ template: "t", context });
    // Assess
    if (!result.ok) throw result.error;
    const { subject, preheader, html, text } = result.email;
    expect(subject).toBe(`Hi ${name}`);
    expect(preheader).toBe(`For ${name}`);
    expect(html).toContain(`Dear ${escapeHtml(name)} ${escapeHtml(name)}, welcome.`);
    expect(html).not.toContain("<script");
    expect(text).toContain(`Dear ${name} ${name}, welcome.`);
    for (const part of [subject, preheader, html, text]) {
      for (const marker of evaluated) expect(part).not.toContain(marker);
      expect(part).not.toContain(EMAIL);
    }
  });

  it("renders an injected subject override's data the same way: literal, never evaluated", () => {
    const context = contextFromIdentify({ first_name: "{{ 7*7 }}{% if true %}yes{% endif %}" });
    const result = new SubjectOverrides().render("Psst {{ customer.first_name }}", context);
    expect(result).toEqual({ ok: true, subject: "Psst {{ 7*7 }}{% if true %}yes{% endif %}" });
  });
});

describe("CRLF in names", () => {
  it.each([
    "Eve\r\nBcc: all@example.com",
    "Eve\nX-Injected: 1",
    "Eve\rSubject: phished",
    "Eve\u0000null",
    "Eve\u007f",
  ])("the decoder keeps %j as data, and the subject built from it is refused as header injection", (name) => {
    const context = contextFromIdentify({ first_name: name });
    const result = renderer.render({ template: "t", context });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.kind).toBe("header-injection");
    expect(result.error.part).toBe("subject");
    expect(new SubjectOverrides().render("Hey {{ customer.first_name }}", context)).toMatchObject({
      ok: false,
      reason: expect.stringContaining("header injection"),
    });
  });

  it("neutralises line breaks where the name only reaches the body: the preheader stays on one line", () => {
    const result = renderer.render({
      template: "t",
      context: contextFromIdentify({ last_name: "Doe\r\nBcc: x" }),
    });
    if (!result.ok) throw result.error;
    expect(result.email.preheader).toBe("For Doe Bcc: x");
    expect(result.email.subject).toBe("Hi there");
  });

  it("refuses an email trait carrying CRLF at the decoder, so it never reaches a To header", () => {
    const raw = {
      type: "identify",
      messageId: "m-crlf-email",
      userId: "c-1",
      timestamp: NOW,
      traits: { email: "a@example.com\r\nBcc: all@example.com" },
    };
    const decoded = decodeEvent(encoder.encode(JSON.stringify(raw)), NOW);
    expect(decoded.ok).toBe(false);
    expect(decoded.ok ? [] : decoded.error.issues.map((issue) => issue.path)).toEqual(["traits.email"]);
  });

  it("renders every other recipient of the batch when one name is hostile", () => {
    const batch = renderer.renderBatch([
      { template: "t", context: contextFromIdentify({ first_name: "Ada" }, "c-a") },
      { template: "t", context: contextFromIdentify({ first_name: "Eve\r\nBcc: x@example.com" }, "c-e") },
      { template: "t", context: contextFromIdentify({ first_name: "{{ 7*7 }}" }, "c-i") },
      { template: "t", context: contextFromIdentify({ first_name: "Bob" }, "c-b") },
    ]);
    expect(batch).toMatchObject({ rendered: 3, failed: 1 });
    expect(batch.results.map((result) => (result.ok ? result.email.subject : result.error.kind))).toEqual([
      "Hi Ada",
      "header-injection",
      "Hi {{ 7*7 }}",
      "Hi Bob",
    ]);
  });
});
