import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { reportModel } from "#shared/domain/experiments/report-model.js";
import { escapeHtml, renderReportHtml, writeReport } from "#shared/render/report/index.js";
import { arm, campaign, richCampaign } from "./totals.js";

const OPTIONS = { confidence: 0.95, minimumDetectableEffect: 0.1 };
const AT = new Date("2026-05-04T08:30:00Z");

describe("renderReportHtml", () => {
  it("contains every verdict sentence of the model, escaped", () => {
    const model = reportModel([richCampaign()], OPTIONS);
    const html = renderReportHtml(model, { generatedAt: AT });
    const sections = model.campaigns.flatMap((c) => [c.overall, ...c.segments]);
    const sentences = sections.flatMap((s) =>
      s.comparisons.flatMap((c) => [c.fixed.sentence, c.sequential.sentence]),
    );
    expect(sentences.length).toBeGreaterThan(20);
    for (const sentence of sentences) expect(html).toContain(escapeHtml(sentence));
    expect(html).toContain("B beats A on clicks");
    expect(html).toContain("2026-05-04T08:30:00.000Z");
  });

  it("escapes a campaign name carrying a script, and the page has no script of its own", () => {
    const name = `<script>alert("x")</script> & "friends"`;
    const totals = campaign(
      [arm("a", { sent: 100, clicked: 3 }), arm("b", { sent: 100, clicked: 5 })],
      name,
      "c<1>",
    );
    const html = renderReportHtml(reportModel([totals], OPTIONS), { generatedAt: AT });
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;friends&quot;");
    expect(html).toContain("c&lt;1&gt;");
  });

  it("escapes variant and segment names inside the SVG charts", () => {
    const totals = campaign([
      arm("a", { sent: 1000, clicked: 30, segment: "<b>vip</b>" }),
      arm("<img src=x>", { sent: 1000, clicked: 40, segment: "<b>vip</b>" }),
    ]);
    const html = renderReportHtml(reportModel([totals], OPTIONS), { generatedAt: AT });
    expect(html).not.toContain("<img");
    expect(html).not.toContain("<b>vip");
    expect(html).toContain("&lt;IMG SRC=X&gt;");
  });

  it("is self-contained: inline style and SVG, no external asset", () => {
    const html = renderReportHtml(reportModel([richCampaign()], OPTIONS), { generatedAt: AT });
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain("<style>");
    expect(html).not.toMatch(/<link\b|\bsrc=|@import|url\(/i);
    expect(html).not.toMatch(/href="https?:/i);
    // Per section: opens, clicks and conversions bars and one lift chart; three sections.
    expect(html.match(/<svg /g)).toHaveLength(3 * 4);
    expect(html).toMatch(/<meta name="viewport" content="width=device-width/);
  });

  it("writeReport writes the same page to a file, creating folders", async () => {
    const model = reportModel([richCampaign()], OPTIONS);
    const file = path.join(mkdtempSync(path.join(tmpdir(), "tailor-report-")), "nested", "report.html");
    await writeReport(model, file, AT);
    expect(readFileSync(file, "utf8")).toBe(renderReportHtml(model, { generatedAt: AT }));
  });
});
