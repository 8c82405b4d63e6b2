import { describe, expect, it } from "vitest";
import { shortenOutputs } from "#shared/render/fast-outputs.js";
import { createEngine } from "#shared/render/liquid-engine.js";

const SOURCE = [
  "{{ name }}|{{ customer.first_name }}|{{ count }}|{{ price | plus: 1 }}|{{ flag }}|{{ list }}|{{ nothing }}",
  "|{{ list.size }}|{{ list.first }}|{{ customer.missing | default: 'fallback' }}|{{ 'literal' }}|{{ true }}",
  "|{% for item in list %}{{ forloop.index }}:{{ item }},{% endfor %}|{{ name | raw }}",
].join("");

const CONTEXT = {
  name: `<b>"Tom" & 'Jerry'</b>`,
  customer: { first_name: "Zoë <script>" },
  count: 3,
  price: 24.5,
  flag: true,
  list: ["a<", "b&"],
  nothing: null,
};

describe("shortened outputs", () => {
  for (const kind of ["html", "text"] as const) {
    it(`render exactly as LiquidJS does (${kind})`, () => {
      const engine = createEngine(kind);
      const plain = engine.parse(SOURCE);
      const short = engine.parse(SOURCE);
      shortenOutputs(short);
      const expected = engine.renderSync(plain, CONTEXT);
      expect(engine.renderSync(short, CONTEXT)).toBe(expected);
      if (kind === "html")
        expect(expected).toContain("&lt;b&gt;&#34;Tom&#34; &amp; &#39;Jerry&#39;&lt;/b&gt;");
    });
  }

  it("fail with LiquidJS's own error for an undefined variable", () => {
    const engine = createEngine("html");
    const source = "line one\n{{ customer.last_name }}";
    const short = engine.parse(source);
    shortenOutputs(short);
    const error = (templates: ReturnType<typeof engine.parse>) => {
      try {
        engine.renderSync(templates, CONTEXT);
      } catch (caught) {
        return caught instanceof Error ? caught.message : String(caught);
      }
      return "rendered";
    };
    expect(error(short)).toBe(error(engine.parse(source)));
    expect(error(short)).toMatch(/undefined variable: customer\.last_name, line:2/);
  });
});
