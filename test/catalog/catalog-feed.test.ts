import { describe, expect, it } from "vitest";
import type { RowOutcome } from "#shared/app/catalog-feed/product-from-fields.js";
import { type FeedFormat, feedFormatOf, feedProducts } from "#shared/app/catalog-feed/read-feed.js";

/** The feed text as a stream of small chunks, so records straddle chunk boundaries. */
async function* chunks(text: string, size = 7): AsyncGenerator<Uint8Array> {
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function read(text: string, format: FeedFormat, market = {}): Promise<RowOutcome[]> {
  const out: RowOutcome[] = [];
  for await (const row of feedProducts(chunks(text), format, market)) out.push(row);
  return out;
}

const products = (rows: RowOutcome[]) => rows.flatMap((row) => (row.ok ? [row.product] : []));
const errors = (rows: RowOutcome[]) => rows.flatMap((row) => (row.ok ? [] : [row.error]));

const RSS = `<?xml version="1.0"?>
<rss xmlns:g="http://base.google.com/ns/1.0" version="2.0">
<channel>
<title>Shop</title>
<item>
  <g:id>TV_123456</g:id>
  <g:title>LG 22LB4510 - 22" LED TV - 1080p (FullHD)</g:title>
  <g:link>https://shop.example.com/tv/123456</g:link>
  <g:image_link>https://shop.example.com/img/123456.jpg</g:image_link>
  <g:additional_image_link>https://shop.example.com/img/123456-2.jpg</g:additional_image_link>
  <g:additional_image_link>https://shop.example.com/img/123456-3.jpg</g:additional_image_link>
  <g:availability>in_stock</g:availability>
  <g:price>159.00 USD</g:price>
  <g:sale_price>139.00 USD</g:sale_price>
  <g:brand>LG</g:brand>
  <g:product_type>Electronics &gt; Video &gt; Televisions</g:product_type>
  <g:custom_label_0>Summer</g:custom_label_0>
  <g:shipping><g:country>US</g:country><g:price>0 USD</g:price></g:shipping>
</item>
<item>
  <g:id>OOS-1</g:id>
  <title><![CDATA[Gloves & more]]></title>
  <link>https://shop.example.com/gloves</link>
  <g:availability>out of stock</g:availability>
  <g:price>12.5 USD</g:price>
</item>
<item>
  <g:id>BAD-1</g:id>
  <g:title>No price</g:title>
  <g:link>https://shop.example.com/bad</g:link>
  <g:availability>in stock</g:availability>
</item>
</channel>
</rss>`;

describe("Google Merchant Center XML feeds", () => {
  it("reads RSS 2.0 items with the g: namespace, repeated and grouped elements, and row errors", async () => {
    const rows = await read(RSS, "gmc-xml");
    const [tv, gloves] = products(rows);
    expect(tv).toMatchObject({
      productId: "TV_123456",
      name: 'LG 22LB4510 - 22" LED TV - 1080p (FullHD)',
      price: 139,
      currency: "USD",
      compareAtPrices: { USD: 159 },
      inStock: true,
      brand: "LG",
      category: "Televisions",
      categories: ["Televisions", "Electronics", "Video"],
      tags: ["summer"],
      images: ["https://shop.example.com/img/123456-2.jpg", "https://shop.example.com/img/123456-3.jpg"],
    });
    expect(gloves).toMatchObject({ productId: "OOS-1", name: "Gloves & more", inStock: false, price: 12.5 });
    expect(errors(rows)).toEqual([{ line: 27, field: "price", rule: "required", productId: "BAD-1" }]);
  });

  it("reads Atom entries with <link href>", async () => {
    const atom = `<feed xmlns="http://www.w3.org/2005/Atom" xmlns:g="http://base.google.com/ns/1.0">
<entry><g:id>A1</g:id><title>Atom thing</title><link href="https://shop.example.com/a1"/>
<g:price>3 EUR</g:price><g:availability>backorder</g:availability></entry></feed>`;
    expect(products(await read(atom, "gmc-xml"))).toEqual([
      expect.objectContaining({
        productId: "A1",
        url: "https://shop.example.com/a1",
        currency: "EUR",
        inStock: false,
      }),
    ]);
  });

  it("reports malformed XML with its line and keeps going", async () => {
    const rows = await read("<rss><channel><item><g:id>x</g:id></itm></channel></rss>", "gmc-xml");
    expect(errors(rows)[0]).toMatchObject({ line: 1, field: "xml" });
  });
});

describe("CSV, TSV and JSON feeds", () => {
  it("reads CSV with per-market prices and urls, and names the line, field and rule of a bad row", async () => {
    const csv = [
      "id,title,link,image_link,price,availability,prices,urls,tags,popularity,stock",
      'p1,"Mug, blue",https://s.example/p1,https://s.example/p1.jpg,10.00 USD,in stock,EUR:9.5|GBP:8,"{""de-DE"":""https://s.example/de/p1""}",kitchen|gift,0.7,3',
      "p2,Plate,https://s.example/p2,,abc,in stock,,,,,",
      "p3,Bowl,https://s.example/p3,,4 USD,in stock,,,,,0",
      "p4,too,few",
    ].join("\n");
    const rows = await read(csv, "csv");
    expect(products(rows)).toEqual([
      expect.objectContaining({
        productId: "p1",
        name: "Mug, blue",
        prices: { EUR: 9.5, GBP: 8, USD: 10 },
        urls: { "de-DE": "https://s.example/de/p1" },
        tags: ["kitchen", "gift"],
        popularity: 0.7,
        stock: 3,
        inStock: true,
      }),
      expect.objectContaining({ productId: "p3", stock: 0, inStock: false }),
    ]);
    expect(errors(rows)).toEqual([
      {
        line: 3,
        field: "price",
        rule: 'must be an amount with a currency, e.g. "15.00 USD"',
        productId: "p2",
      },
      { line: 5, field: "row", rule: "expected 11 cells, got 3" },
    ]);
  });

  it("reads the Merchant Center's tab-separated feed and a market's currency and link", async () => {
    const tsv =
      "id\ttitle\tlink\tprice\tavailability\nk1\tKettle\thttps://s.example/de/k1\t29.90\tin stock\n";
    const [kettle] = products(await read(tsv, "gmc-tsv", { currency: "EUR", market: "de-DE" }));
    expect(kettle).toMatchObject({
      price: 29.9,
      currency: "EUR",
      urls: { "de-DE": "https://s.example/de/k1" },
    });
  });

  it("reads a JSON array and JSON Lines alike, with an error per broken element", async () => {
    const one = { id: "j1", title: "Jar", link: "https://s.example/j1", price: "2 USD", in_stock: true };
    const two = { ...one, id: "j2", tags: ["Glass", "Kitchen"], prices: { EUR: 1.8 } };
    const array = `[\n${JSON.stringify(one)},\n${JSON.stringify(two)},\n"oops"\n]`;
    const lines = `${JSON.stringify(one)}\n{broken\n${JSON.stringify(two)}\n`;
    const fromArray = await read(array, "json");
    const fromLines = await read(lines, "json");
    expect(products(fromArray)).toEqual(products(fromLines));
    expect(products(fromArray)[1]).toMatchObject({
      tags: ["glass", "kitchen"],
      prices: { EUR: 1.8, USD: 2 },
    });
    expect(errors(fromArray)).toEqual([{ line: 4, field: "row", rule: "must be a JSON object" }]);
    expect(errors(fromLines)).toEqual([expect.objectContaining({ line: 2, field: "row" })]);
  });

  it("tells formats from file names, .gz aside", () => {
    expect(["a.csv.gz", "b.jsonl", "c.xml", "d.tsv", "e.bin"].map(feedFormatOf)).toEqual([
      "csv",
      "json",
      "gmc-xml",
      "gmc-tsv",
      undefined,
    ]);
  });
});
