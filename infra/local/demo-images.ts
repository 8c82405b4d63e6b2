import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { CatalogProduct } from "#shared/ports.js";

/** Where the local stack's HTTP API serves the demo shop's pictures (`<api url>/demo-images/...`). */
export const DEMO_IMAGES_PATH = "/demo-images";

/** A picture the local stack serves. */
export interface DemoImage {
  readonly contentType: string;
  readonly body: Buffer;
}

const SVG = "image/svg+xml; charset=utf-8";
const SAFE_NAME = /^[A-Za-z0-9._~-]{1,200}$/;

const escapeXml = (text: string) => text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A hue (0–359) per word, stable across runs: the same category always gets the same colour. */
function hueOf(word: string): number {
  let hash = 0;
  for (const char of word) hash = (hash * 31 + (char.codePointAt(0) ?? 0)) % 360;
  return hash;
}

/** Words of `text` in lines of at most `width` characters, at most `max` lines. */
function wrap(text: string, width: number, max: number): string[] {
  const lines: string[] = [];
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const last = lines.at(-1);
    if (last !== undefined && last.length + 1 + word.length <= width)
      lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word.slice(0, width));
  }
  return lines.slice(0, max);
}

function picture(options: {
  width: number;
  height: number;
  hue: number;
  title: string;
  subtitle?: string;
  size: number;
}): DemoImage {
  const { width, height, hue, size } = options;
  const lines = wrap(options.title, Math.max(8, Math.floor((width * 1.6) / size)), 3);
  const top = height / 2 - ((lines.length - 1) * size * 1.2) / 2;
  const text = lines
    .map(
      (line, i) =>
        `<text x="50%" y="${top + i * size * 1.2}" font-size="${size}" text-anchor="middle" dominant-baseline="middle">${escapeXml(line)}</text>`,
    )
    .join("");
  const subtitle =
    options.subtitle === undefined
      ? ""
      : `<text x="50%" y="${height - size}" font-size="${Math.round(size * 0.6)}" text-anchor="middle" opacity="0.8">${escapeXml(options.subtitle)}</text>`;
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">` +
    `<rect width="100%" height="100%" fill="hsl(${hue},55%,88%)"/>` +
    `<rect x="4%" y="4%" width="92%" height="92%" rx="16" fill="hsl(${hue},60%,72%)"/>` +
    `<g fill="hsl(${hue},45%,20%)" font-family="Helvetica, Arial, sans-serif" font-weight="bold">${text}${subtitle}</g>` +
    "</svg>";
  return { contentType: SVG, body: Buffer.from(svg) };
}

/**
 * The demo shop's pictures, made on request, no network and no files: `products/<id>.svg` (the product's name
 * on a colour of its category; any id the catalog does not know gets its id), `logo.svg` (the shop's name) and
 * `hero/<name>.jpg` (the hero banners the templates name, as SVG). Resolves undefined for any other path.
 */
export function demoImages(
  products: readonly CatalogProduct[],
  shopName: string,
): (path: string) => DemoImage | undefined {
  const byId = new Map(products.map((product) => [product.productId, product]));
  return (path) => {
    if (!path.startsWith(`${DEMO_IMAGES_PATH}/`)) return undefined;
    const [folder, file, ...rest] = path.slice(DEMO_IMAGES_PATH.length + 1).split("/");
    if (folder === "logo.svg" && file === undefined) {
      return picture({ width: 240, height: 60, hue: 210, title: shopName, size: 20 });
    }
    if (file === undefined || rest.length > 0) return undefined;
    const name = decodeURIComponent(file);
    if (folder === "products" && name.endsWith(".svg") && SAFE_NAME.test(name)) {
      const id = name.slice(0, -".svg".length);
      const product = byId.get(id);
      const category = product?.category ?? "other";
      return picture({
        width: 600,
        height: 600,
        hue: hueOf(category),
        title: product?.name ?? id,
        subtitle: category,
        size: 44,
      });
    }
    if (folder === "hero" && /^[a-z0-9-]{1,64}\.jpg$/.test(name)) {
      const title = name.slice(0, -".jpg".length).replaceAll("-", " ");
      return picture({ width: 1200, height: 500, hue: hueOf(title), title, size: 64 });
    }
    return undefined;
  };
}

/** The catalog with its pictures served by the local stack at `imagesUrl` (`<api url>/demo-images`). */
export function withDemoImages(products: readonly CatalogProduct[], imagesUrl: string): CatalogProduct[] {
  return products.map((product) => ({
    ...product,
    imageUrl: `${imagesUrl}/products/${encodeURIComponent(product.productId)}.svg`,
  }));
}

/**
 * Writes under `dir` every demo picture `html` names under `baseUrl` (the `file:` URL of `dir`, for previews that
 * open without a server); pictures it cannot make are left out. Returns the files written.
 */
export function writeReferencedDemoImages(
  html: string,
  baseUrl: string,
  dir: string,
  serve: (path: string) => DemoImage | undefined,
): string[] {
  const written: string[] = [];
  const escaped = baseUrl.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  for (const match of html.matchAll(new RegExp(`${escaped}/([A-Za-z0-9._~%/-]+)`, "g"))) {
    const relative = match[1] ?? "";
    const image = serve(`${DEMO_IMAGES_PATH}/${relative}`);
    if (image === undefined) continue;
    const file = path.join(dir, ...relative.split("/").map((part) => decodeURIComponent(part)));
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, image.body);
    written.push(file);
  }
  return written;
}
