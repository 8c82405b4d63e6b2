import { KinesisClient } from "@aws-sdk/client-kinesis";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalStack } from "#infra/local/local-stack.js";
import { readSentMail } from "#shared/sim/sent-mail.js";
import { tempDir } from "../local/helpers.js";
import { putOnStream, streamMessages, tickAt } from "../local/stream-session.js";
import { TestClock } from "../local/test-clock.js";
import { startTestStack } from "../local/test-stack.js";
import { chromiumPresent, launchChromium } from "../support/headless-chromium.js";

/**
 * Emails sent on the local stack show pictures that load without the network: the demo shop's product images,
 * logo and hero banners are served by the local stack itself. Each sent email's HTML is opened in headless
 * Chromium with every request outside loopback refused, and every `<img>` must have loaded (naturalWidth > 0).
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const T0 = Date.UTC(2026, 11, 2, 10);
const present = chromiumPresent("sent email images");

describe.skipIf(!present)("images of emails sent on the local stack", () => {
  const clock = new TestClock(T0);
  const temp = tempDir("tailor-images-");
  let stack: LocalStack;
  let kinesis: KinesisClient;
  let browser: Browser;
  const { track, signUp: signUpWith } = streamMessages("images");
  const signUp = (userId: string, at: number) =>
    signUpWith(userId, at, { first_name: "Ada", birthday: "1990-04-02" });
  const put = (events: readonly Record<string, unknown>[]) => putOnStream(stack, kinesis, events);

  beforeAll(async () => {
    stack = await startTestStack({ dataDir: temp.dir, clock });
    kinesis = new KinesisClient({});
    browser = await launchChromium();
    // A welcome, a post-purchase with its order's lines, a cart reminder and a browse reminder.
    await put([...signUp("img-buyer", T0 - HOUR), ...signUp("img-cart", T0 - HOUR)]);
    await put([
      track("img-buyer", "Order Completed", T0, {
        order_id: "img-1",
        total: 64.97,
        currency: "USD",
        products: [
          { product_id: "prod-books-005", price: 12.99, quantity: 2 },
          { product_id: "prod-garden-003", price: 38.99, quantity: 1 },
        ],
      }),
      track("img-cart", "Product Added", T0, { product_id: "prod-home-017", price: 39.99 }),
      track("img-cart", "Product Viewed", T0, { product_id: "prod-sports-013", price: 92.99 }),
    ]);
    await tickAt(stack, clock, T0 + 4 * HOUR + MINUTE);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    kinesis?.destroy();
    await stack?.stop();
    temp.remove();
  });

  it("every <img> of every sent email loads from the local stack, with the network refused", async () => {
    const mail = (await readSentMail(stack.endpoints.sesv2)).filter((m) => m.html !== undefined);
    const subjects = mail.map((m) => m.subject);
    expect(subjects.some((s) => s.startsWith("Thank you for your order"))).toBe(true);
    expect(subjects.some((s) => /cart/i.test(s))).toBe(true);
    expect(mail.length).toBeGreaterThanOrEqual(4);
    const page = await browser.newPage();
    const refused: string[] = [];
    await page.route("**/*", (route) => {
      const url = new URL(route.request().url());
      if (url.hostname === "127.0.0.1" || url.hostname === "localhost") return route.continue();
      refused.push(url.href);
      return route.abort();
    });
    const seen: { subject: string; src: string; width: number }[] = [];
    for (const sent of mail) {
      await page.setContent(sent.html ?? "", { waitUntil: "load" });
      // The test runs without DOM types: the page's own expression, as text.
      const images = await page.evaluate<{ src: string; width: number }[]>(
        "Array.from(document.images).map((img) => ({ src: img.currentSrc || img.src, width: img.naturalWidth }))",
      );
      for (const image of images) seen.push({ subject: sent.subject, ...image });
    }
    await page.close();
    expect(refused.filter((url) => /\.(svg|png|jpe?g|gif|webp)(\?|$)/.test(url))).toEqual([]);
    expect(seen.filter((image) => image.width === 0)).toEqual([]);
    // Logo and hero in every email; product pictures (recommendations, cart, order lines) in most.
    expect(seen.length).toBeGreaterThan(mail.length * 3);
    expect(seen.filter((image) => image.src.includes("/demo-images/products/")).length).toBeGreaterThan(5);
    expect(seen.filter((image) => image.src.endsWith("/demo-images/logo.svg"))).toHaveLength(mail.length);
  });
});
