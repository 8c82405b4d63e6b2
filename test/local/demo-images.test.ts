import { describe, expect, it } from "vitest";
import { DEMO_IMAGES_PATH, demoImages, withDemoImages } from "#infra/local/demo-images.js";
import { simulatorCatalogProducts } from "#shared/sim/index.js";

const products = simulatorCatalogProducts();
const serve = demoImages(products, "Tailor <Demo> Shop");

describe("the local stack's demo pictures", () => {
  it("draws each product with its name on a colour of its category, as SVG with a size", () => {
    const [first, second] = products.filter((p) => p.category === products[0]?.category);
    if (first === undefined || second === undefined) throw new Error("two products of a category expected");
    const a = serve(`${DEMO_IMAGES_PATH}/products/${first.productId}.svg`);
    const b = serve(`${DEMO_IMAGES_PATH}/products/${second.productId}.svg`);
    expect(a?.contentType).toMatch(/^image\/svg\+xml/);
    const svg = a?.body.toString() ?? "";
    expect(svg).toMatch(/^<svg [^>]*width="600" height="600"/);
    expect(svg).toContain(first.name.split(" ")[0]);
    const fill = (body: string | undefined) => /fill="(hsl\([^"]+\))"/.exec(body ?? "")?.[1];
    expect(fill(b?.body.toString())).toBe(fill(svg));
  });

  it("serves the logo (escaped) and the templates' hero banners; nothing else", () => {
    expect(serve(`${DEMO_IMAGES_PATH}/logo.svg`)?.body.toString()).toContain("Tailor &#60;Demo&#62; Shop");
    expect(serve(`${DEMO_IMAGES_PATH}/hero/street-style.jpg`)?.body.toString()).toContain("street style");
    expect(serve(`${DEMO_IMAGES_PATH}/hero/../../etc/passwd`)).toBeUndefined();
    expect(serve(`${DEMO_IMAGES_PATH}/products/a/b.svg`)).toBeUndefined();
    expect(serve("/unsubscribe")).toBeUndefined();
  });

  it("points the catalog's pictures at the local route, keeping everything else", () => {
    const local = withDemoImages(products, "http://127.0.0.1:4000/demo-images");
    expect(local[0]).toEqual({
      ...products[0],
      imageUrl: `http://127.0.0.1:4000/demo-images/products/${products[0]?.productId}.svg`,
    });
  });
});
