import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ARTIFACTS, chromiumPresent, launchChromium } from "../support/headless-chromium.js";
import { type Shipped, shipped } from "./helpers.js";

const WIDTH = 600;
const present = chromiumPresent("email layout");

describe.skipIf(!present)("email layout in headless Chromium", () => {
  let browser: Browser;
  let ship: Shipped;

  beforeAll(async () => {
    ship = await shipped();
    mkdirSync(ARTIFACTS, { recursive: true });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
  });

  it("lays out every template within 600 px with no horizontal overflow, for the widest samples (German copy among them)", async () => {
    const page = await browser.newPage({ viewport: { width: WIDTH, height: 900 } });
    // Images point at example.com: answer them locally (a 1×1 pixel scaled by the layout) so the test is offline.
    await page.route("**/*", (route) =>
      route.request().resourceType() === "image"
        ? route.fulfill({
            contentType: "image/png",
            body: Buffer.from(
              "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mN8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==",
              "base64",
            ),
          })
        : route.abort(),
    );
    const checked: string[] = [];
    for (const { name } of ship.renderer.templates()) {
      for (const sample of ["big-spender", "no-purchases", "de-de-eur"]) {
        const result = ship.renderer.render({ template: name, context: ship.sample(sample).context });
        if (!result.ok) throw result.error;
        await page.setContent(result.email.html, { waitUntil: "load" });
        // The test runs without DOM types: the page's own expressions, as text.
        const width = {
          scroll: await page.evaluate<number>("document.documentElement.scrollWidth"),
          body: await page.evaluate<number>("document.body.scrollWidth"),
        };
        expect({ template: name, sample, ...width }).toEqual({
          template: name,
          sample,
          scroll: WIDTH,
          body: WIDTH,
        });
        if (sample === "big-spender") {
          await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
        }
        checked.push(`${name}/${sample}`);
      }
    }
    expect(checked).toHaveLength(3 * ship.renderer.templates().length);
    for (const { name } of ship.renderer.templates())
      expect(existsSync(path.join(ARTIFACTS, `${name}.png`))).toBe(true);
    await page.close();
  });
});
