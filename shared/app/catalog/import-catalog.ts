import type { CatalogChange } from "../../domain/catalog/index.js";
import type {
  CatalogChangePublisher,
  CatalogProduct,
  CatalogStore,
  Clock,
  StoredCatalogProduct,
} from "../../ports.js";
import type { FeedRowError } from "../catalog-feed/feed-record.js";
import type { RowOutcome } from "../catalog-feed/product-from-fields.js";
import { boundProduct } from "./bound-product.js";
import { catalogChanges } from "./catalog-changes.js";
import { packIndexEntry, productSignal, unpackIndexEntry } from "./catalog-signal.js";
import { productHash } from "./product-hash.js";

/** Products per write call (the adapter splits them into DynamoDB's batches of 25). */
const WRITE_CHUNK = 100;
/** Stored products read per call when retiring or merging (DynamoDB's BatchGetItem limit). */
const READ_CHUNK = 100;
/** Changes handed to the publisher at once. */
const PUBLISH_CHUNK = 500;
/** Row errors kept in the report (all are counted). */
const ERROR_SAMPLES = 50;

/** What an import writes to and publishes on. */
export interface CatalogImportDeps {
  readonly store: CatalogStore;
  /** Where price drops and back-in-stock changes go. @default - not published (counted only) */
  readonly changes?: CatalogChangePublisher;
  readonly clock: Clock;
  /** Write calls in flight. @default 8 */
  readonly writeConcurrency?: number;
}

/** How one import runs. */
export interface CatalogImportOptions {
  /** Count and report only: nothing written, nothing published. */
  readonly dryRun?: boolean;
  /**
   * A market feed (`--market de-DE --currency EUR`): its rows merge their price into `prices`, their sale's
   * compare-at price into `compareAtPrices` and their link into `urls` of products already in the catalog (an
   * unknown id is a row error); nothing is retired.
   */
  readonly market?: string;
  /**
   * At most this share of the stored (unretired) products is retired by one import; a feed missing more is
   * probably truncated, so retirement is skipped and reported (`retirementSkipped`).
   * @default 0.5
   */
  readonly maxRetireShare?: number;
  /** Resume: the rows before this one were imported by an earlier invocation (they only count as seen). */
  readonly startAtRow?: number;
  /** Stop after the row being read when this says so (a Lambda about to time out); the report says where. */
  readonly shouldStop?: () => boolean;
}

/** What an import did. */
export interface CatalogImportReport {
  /** Rows read (products and errors). */
  read: number;
  new: number;
  changed: number;
  unchanged: number;
  retired: number;
  /** Rows refused (each with line, field and rule; the first {@link ERROR_SAMPLES} in `errorSamples`). */
  errors: number;
  errorSamples: FeedRowError[];
  /** Products cut to the catalog's limits (`CATALOG_LIMITS`). */
  trimmed: number;
  /** Price drops and back-in-stock changes found (published unless a dry run). */
  changes: number;
  /** DynamoDB write units the writes consumed (as the store reports them). */
  writeUnits: number;
  /** Why nothing was retired although products left the feed, when that happened. */
  retirementSkipped?: string;
  /** Set when the import stopped early (`shouldStop`): resume with `startAtRow` = this. */
  stoppedAtRow?: number;
}

/**
 * Imports a catalog feed (its rows as products or row errors, see `feedProducts`): every stored product is
 * indexed first (id, content hash, availability and prices: a parallel scan, about 60 bytes per product in
 * memory), then each row is bounded, hashed and compared; new and changed products are written in batches
 * (`updatedAt` = the import's start), unchanged ones are skipped. Products that left the feed are retired (out
 * of stock, out of best sellers, kept so old emails' links resolve) unless their row had an error or the feed
 * lost more than `maxRetireShare` of the catalog. Price drops and products back in stock become
 * {@link CatalogChange}s for the publisher. A row error is counted and reported, never fatal; a write or publish
 * error is (the import is safe to run again: unchanged products are skipped, changes published at least once).
 */
export async function importCatalog(
  deps: CatalogImportDeps,
  rows: AsyncIterable<RowOutcome>,
  options: CatalogImportOptions = {},
): Promise<CatalogImportReport> {
  const at = deps.clock.now();
  const report: CatalogImportReport = {
    read: 0,
    new: 0,
    changed: 0,
    unchanged: 0,
    retired: 0,
    errors: 0,
    errorSamples: [],
    trimmed: 0,
    changes: 0,
    writeUnits: 0,
  };
  const writer = new ChunkedWriter(deps, report, options.dryRun === true);
  const index = options.market === undefined ? await loadIndex(deps.store) : new Map<string, string>();
  const seen = new Set<string>();
  const fail = (error: FeedRowError) => {
    report.errors++;
    if (report.errorSamples.length < ERROR_SAMPLES) report.errorSamples.push(error);
    if (error.productId !== undefined) seen.add(error.productId);
  };
  const merging: CatalogProduct[] = [];
  const startAt = options.startAtRow ?? 0;
  let row = 0;
  for await (const outcome of rows) {
    row++;
    if (row <= startAt) {
      if (outcome.ok) seen.add(outcome.product.productId);
      else if (outcome.error.productId !== undefined) seen.add(outcome.error.productId);
      continue;
    }
    report.read++;
    if (!outcome.ok) {
      fail(outcome.error);
    } else if (seen.has(outcome.product.productId)) {
      fail({
        line: 0,
        field: "id",
        rule: "duplicate: the first row wins",
        productId: outcome.product.productId,
      });
    } else {
      seen.add(outcome.product.productId);
      const { product, trimmed } = boundProduct(outcome.product);
      if (trimmed.length > 0) report.trimmed++;
      if (options.market !== undefined) {
        merging.push(product);
        if (merging.length >= READ_CHUNK)
          await mergeMarket(deps, writer, merging.splice(0), options.market, at, fail);
      } else {
        await upsert(writer, index.get(product.productId), product, at, report);
      }
    }
    if (options.shouldStop?.() === true) {
      report.stoppedAtRow = row;
      break;
    }
  }
  if (merging.length > 0 && options.market !== undefined) {
    await mergeMarket(deps, writer, merging, options.market, at, fail);
  }
  if (options.market === undefined && report.stoppedAtRow === undefined) {
    await retire(deps, writer, index, seen, options.maxRetireShare ?? 0.5, at, report);
  }
  await writer.flush();
  return report;
}

async function loadIndex(store: CatalogStore): Promise<Map<string, string>> {
  const index = new Map<string, string>();
  for await (const page of store.index()) {
    for (const entry of page) index.set(entry.productId, packIndexEntry(entry));
  }
  return index;
}

async function upsert(
  writer: ChunkedWriter,
  packed: string | undefined,
  product: CatalogProduct,
  at: number,
  report: CatalogImportReport,
): Promise<void> {
  const hash = productHash(product);
  const stored = packed === undefined ? undefined : unpackIndexEntry(packed);
  if (stored !== undefined && stored.hash === hash && !stored.retired) {
    report.unchanged++;
    return;
  }
  if (stored === undefined) report.new++;
  else report.changed++;
  await writer.put(
    { product: { ...product, updatedAt: at }, hash, retired: false },
    catalogChanges(product.productId, stored?.signal, productSignal(product, false), at),
  );
}

/** Merges a market feed's rows into the stored products. */
async function mergeMarket(
  deps: CatalogImportDeps,
  writer: ChunkedWriter,
  rows: readonly CatalogProduct[],
  market: string,
  at: number,
  fail: (error: FeedRowError) => void,
): Promise<void> {
  const stored = await deps.store.getStored(rows.map((row) => row.productId));
  for (const row of rows) {
    const before = stored.get(row.productId);
    if (before === undefined) {
      fail({
        line: 0,
        field: "id",
        rule: "not in the catalog: import the main feed first",
        productId: row.productId,
      });
      continue;
    }
    const base = before.product;
    const compareAt = row.compareAtPrices?.[row.currency];
    const merged: CatalogProduct = boundProduct({
      ...base,
      prices: { ...(base.prices ?? {}), [base.currency]: base.price, [row.currency]: row.price },
      ...(compareAt === undefined
        ? {}
        : { compareAtPrices: { ...(base.compareAtPrices ?? {}), [row.currency]: compareAt } }),
      urls: { ...(base.urls ?? {}), [market]: row.url },
    }).product;
    const hash = productHash(merged);
    if (hash === before.hash) {
      writer.report.unchanged++;
      continue;
    }
    writer.report.changed++;
    await writer.put(
      { product: { ...merged, updatedAt: at }, hash, retired: before.retired },
      catalogChanges(
        row.productId,
        productSignal(base, before.retired),
        productSignal(merged, before.retired),
        at,
      ),
    );
  }
}

async function retire(
  deps: CatalogImportDeps,
  writer: ChunkedWriter,
  index: ReadonlyMap<string, string>,
  seen: ReadonlySet<string>,
  maxShare: number,
  at: number,
  report: CatalogImportReport,
): Promise<void> {
  const leaving: string[] = [];
  let live = 0;
  for (const [productId, packed] of index) {
    if (unpackIndexEntry(packed).retired) continue;
    live++;
    if (!seen.has(productId)) leaving.push(productId);
  }
  if (leaving.length === 0) return;
  if (leaving.length > live * maxShare) {
    report.retirementSkipped =
      `${leaving.length} of ${live} products are missing from the feed (over ${Math.round(maxShare * 100)}%): ` +
      "a truncated feed? Nothing was retired; import a complete feed, or pass --max-retire-share 1";
    return;
  }
  for (let i = 0; i < leaving.length; i += READ_CHUNK) {
    const stored = await deps.store.getStored(leaving.slice(i, i + READ_CHUNK));
    for (const { product } of stored.values()) {
      const retiredProduct: CatalogProduct = { ...product, inStock: false, updatedAt: at };
      report.retired++;
      await writer.put({ product: retiredProduct, hash: productHash(retiredProduct), retired: true }, []);
    }
  }
}

/** Batches the writes (with a bounded number in flight) and the changes to publish. */
class ChunkedWriter {
  readonly #pending: StoredCatalogProduct[] = [];
  readonly #changes: CatalogChange[] = [];
  readonly #inFlight = new Set<Promise<void>>();
  #failure: unknown;

  constructor(
    private readonly deps: CatalogImportDeps,
    readonly report: CatalogImportReport,
    private readonly dryRun: boolean,
  ) {}

  async put(product: StoredCatalogProduct, changes: readonly CatalogChange[]): Promise<void> {
    this.#pending.push(product);
    this.#changes.push(...changes);
    this.report.changes += changes.length;
    if (this.#pending.length >= WRITE_CHUNK) await this.#write(this.#pending.splice(0));
  }

  async flush(): Promise<void> {
    if (this.#pending.length > 0) await this.#write(this.#pending.splice(0));
    await Promise.all(this.#inFlight);
    this.#throwIfFailed();
    await this.#publish();
  }

  async #write(chunk: StoredCatalogProduct[]): Promise<void> {
    this.#throwIfFailed();
    if (this.dryRun) return;
    while (this.#inFlight.size >= (this.deps.writeConcurrency ?? 8)) await Promise.race(this.#inFlight);
    const write: Promise<void> = this.deps.store.putMany(chunk).then(
      ({ writeUnits }) => {
        this.report.writeUnits += writeUnits;
      },
      (error: unknown) => {
        this.#failure ??= error;
      },
    );
    const tracked = write.finally(() => this.#inFlight.delete(tracked));
    this.#inFlight.add(tracked);
    // Changes go out only once the products they describe are written.
    if (this.#changes.length >= PUBLISH_CHUNK) {
      await Promise.all(this.#inFlight);
      this.#throwIfFailed();
      await this.#publish();
    }
  }

  async #publish(): Promise<void> {
    const changes = this.#changes.splice(0);
    if (this.dryRun || changes.length === 0 || this.deps.changes === undefined) return;
    await this.deps.changes.publish(changes);
  }

  #throwIfFailed(): void {
    if (this.#failure !== undefined) throw this.#failure;
  }
}
