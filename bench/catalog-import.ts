/**
 * `npm run bench:catalog [-- --products=1000000 --changed=1]`: a feed of a million generated products (CSV,
 * streamed through the same parser as a real feed) imported into an in-memory catalog store that counts
 * DynamoDB write units as the table would bill them; then the same feed again with `changed`% of the prices
 * changed (a daily re-import). Both against a naive import in the same run: one put per product, every product
 * every time. Prints products/s, write units, and what that means on AWS (docs/catalog.md).
 */

import { importCatalog } from "../shared/app/catalog/import-catalog.js";
import { estimatedWriteUnits, InMemoryCatalogStore } from "../shared/app/catalog/in-memory-catalog-store.js";
import { productHash } from "../shared/app/catalog/product-hash.js";
import { feedProducts } from "../shared/app/catalog-feed/read-feed.js";

const args = new Map(
  process.argv.slice(2).flatMap((arg) => {
    const match = /^--([a-z-]+)=(\d+)$/.exec(arg);
    return match?.[1] !== undefined && match[2] !== undefined ? [[match[1], Number(match[2])] as const] : [];
  }),
);
const products = args.get("products") ?? 1_000_000;
const changedPercent = args.get("changed") ?? 1;
const CATEGORIES = [
  "Home > Kitchen",
  "Home > Garden",
  "Books",
  "Toys",
  "Apparel > Shoes",
  "Beauty",
  "Sports",
];

/** The feed as CSV text, generated in chunks of 1,000 rows (never held whole). */
async function* feed(generation: number): AsyncGenerator<string> {
  yield "id,title,link,image_link,price,availability,brand,product_type,custom_label_0,popularity\n";
  let chunk = "";
  for (let i = 0; i < products; i++) {
    const changed = generation > 0 && i % Math.round(100 / changedPercent) === 0;
    const price = ((i % 9_000) + 100) / 10 - (changed ? 1 : 0);
    chunk +=
      `p-${i},Product number ${i},https://shop.example.com/p/${i},https://shop.example.com/img/${i}.jpg,` +
      `${price.toFixed(2)} USD,${i % 17 === 0 ? "out of stock" : "in stock"},Brand ${i % 300},` +
      `${CATEGORIES[i % CATEGORIES.length]},label-${i % 5},${((i % 1000) / 1000).toFixed(3)}\n`;
    if (i % 1000 === 999) {
      yield chunk;
      chunk = "";
    }
  }
  if (chunk !== "") yield chunk;
}

const clock = { now: () => Date.UTC(2026, 11, 6) };
const lines = {
  /** Each line is printed as soon as it is known: a long run's first results survive an interruption. */
  push: (...added: string[]) => {
    for (const line of added) process.stdout.write(`${line}\n`);
  },
};
const rate = (n: number, ms: number) => `${Math.round((n / ms) * 1000).toLocaleString("en-US")}/s`;

async function tailorImport(store: InMemoryCatalogStore, generation: number, label: string) {
  const started = performance.now();
  const report = await importCatalog(
    { store, clock, writeConcurrency: 8 },
    feedProducts(feed(generation), "csv"),
  );
  const ms = performance.now() - started;
  const heapMb = Math.round(process.memoryUsage().heapUsed / 2 ** 20);
  lines.push(
    `tailor ${label}: ${report.read.toLocaleString("en-US")} rows in ${(ms / 1000).toFixed(1)} s (${rate(report.read, ms)}); ` +
      `new ${report.new.toLocaleString("en-US")}, changed ${report.changed.toLocaleString("en-US")}, unchanged ${report.unchanged.toLocaleString("en-US")}; ` +
      `${report.writeUnits.toLocaleString("en-US")} write units; ${report.changes.toLocaleString("en-US")} changes; heap ${heapMb} MB`,
  );
  return { report, ms };
}

async function naiveImport(generation: number, label: string) {
  const store = new InMemoryCatalogStore();
  const started = performance.now();
  let writeUnits = 0;
  let read = 0;
  for await (const row of feedProducts(feed(generation), "csv")) {
    if (!row.ok) continue;
    read++;
    // One PutItem per product, every product, every import.
    const stored = { product: row.product, hash: productHash(row.product), retired: false };
    writeUnits += (await store.putMany([stored])).writeUnits;
  }
  const ms = performance.now() - started;
  lines.push(
    `naive ${label}: ${read.toLocaleString("en-US")} rows in ${(ms / 1000).toFixed(1)} s (${rate(read, ms)}); ` +
      `${writeUnits.toLocaleString("en-US")} write units (${read.toLocaleString("en-US")} PutItem calls)`,
  );
  return { writeUnits, read };
}

const store = new InMemoryCatalogStore();
const first = await tailorImport(store, 0, "first import");
const naiveFirst = await naiveImport(0, "first import");
const again = await tailorImport(store, 1, `re-import, ${changedPercent}% changed`);
const naiveAgain = await naiveImport(1, `re-import, ${changedPercent}% changed`);
const sample = store.all()[0];
const unitsPerItem = sample === undefined ? 0 : estimatedWriteUnits(sample);
// A new on-demand table serves 4,000 writes/s at once (more after its peak grows); BatchWriteItem of 25, 8 in flight.
const WRITES_PER_SECOND = 4_000;
const firstWrites = first.report.new + first.report.changed;
const awsFirst = Math.max(first.ms / 1000, firstWrites / WRITES_PER_SECOND);
const againWrites = again.report.changed + again.report.new + again.report.retired;
const awsAgain = Math.max(again.ms / 1000, againWrites / WRITES_PER_SECOND);
lines.push(
  `write units: first import ${first.report.writeUnits.toLocaleString("en-US")} vs naive ${naiveFirst.writeUnits.toLocaleString("en-US")}; ` +
    `re-import ${again.report.writeUnits.toLocaleString("en-US")} vs naive ${naiveAgain.writeUnits.toLocaleString("en-US")} ` +
    `(${(naiveAgain.writeUnits / Math.max(1, again.report.writeUnits)).toFixed(0)}× fewer); ${unitsPerItem} unit(s) per available product (table + 2 indexes)`,
  `on AWS (estimate): first import ≈ ${Math.ceil(awsFirst)} s (${firstWrites.toLocaleString("en-US")} items at ${WRITES_PER_SECOND.toLocaleString("en-US")} writes/s, or the parse rate above if slower); ` +
    `re-import ≈ ${Math.ceil(awsAgain)} s — Lambda's limit is 900 s; past it the import continues from a checkpoint`,
);
process.exit(0);
