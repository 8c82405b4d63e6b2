import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reportModel } from "#shared/domain/experiments/report-model.js";
import { renderReportHtml } from "#shared/render/report/index.js";
import { ARTIFACTS, chromiumPresent, launchChromium } from "../support/headless-chromium.js";
import { arm, campaign, richCampaign } from "./totals.js";

const present = chromiumPresent("experiment report");

describe.skipIf(!present)("experiment report in headless Chromium", () => {
  let browser: Browser;
  let html: string;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const small = campaign(
      [
        arm("a", { sent: 400, clicked: 14, converted: 2 }),
        arm("b", { sent: 400, clicked: 19, converted: 3 }),
      ],
      "Welcome series with a deliberately long name to see that it wraps on a phone screen",
      "welcome-series",
    );
    html = renderReportHtml(
      reportModel([richCampaign(), small], { confidence: 0.95, minimumDetectableEffect: 0.1 }),
      {
        generatedAt: new Date("2026-05-04T08:30:00Z"),
      },
    );
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
  });

  for (const width of [1024, 390]) {
    it(`has no horizontal overflow at ${width} px and draws every chart`, async () => {
      const page = await browser.newPage({ viewport: { width, height: 900 } });
      // The report must need nothing from the network: any request fails the test.
      const requests: string[] = [];
      page.on("request", (request) => {
        if (!request.url().startsWith("about:")) requests.push(request.url());
      });
      await page.setContent(html, { waitUntil: "load" });
      // The test runs without DOM types: the page's own expressions, as text.
      const scroll = {
        document: await page.evaluate<number>("document.documentElement.scrollWidth"),
        body: await page.evaluate<number>("document.body.scrollWidth"),
      };
      expect(scroll).toEqual({ document: width, body: width });
      const sizes = await page.evaluate<number[][]>(
        "[...document.querySelectorAll('svg')].map((s) => { const r = s.getBoundingClientRect(); return [r.width, r.height]; })",
      );
      expect(sizes.length).toBeGreaterThan(0);
      for (const [w = 0, h = 0] of sizes) {
        expect(w).toBeGreaterThan(100);
        expect(w).toBeLessThanOrEqual(width);
        expect(h).toBeGreaterThan(30);
      }
      const bars = await page.evaluate<number>(
        "[...document.querySelectorAll('svg rect')].filter((r) => r.getBoundingClientRect().width > 0).length",
      );
      expect(bars).toBeGreaterThan(0);
      expect(requests).toEqual([]);
      const file = path.join(ARTIFACTS, width === 1024 ? "report.png" : `report-${width}.png`);
      await page.screenshot({ path: file, fullPage: true });
      expect(existsSync(file)).toBe(true);
      await page.close();
    });
  }
});
