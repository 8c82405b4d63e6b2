import { z } from "zod";
import { TailorError } from "../../errors.js";
import { CHECKPOINTS_PREFIX, feedLocationOf } from "../catalog-feed/feed-location.js";
import { feedProducts } from "../catalog-feed/read-feed.js";
import { type CatalogImportDeps, type CatalogImportReport, importCatalog } from "./import-catalog.js";

/** The feed bucket as an import reads and resumes it. */
export interface FeedObjects {
  open(key: string, options: { readonly gzip: boolean }): Promise<AsyncIterable<Uint8Array>>;
  readText(key: string): Promise<string>;
  writeJson(key: string, value: unknown): Promise<void>;
}

/** An object that is no feed (a wrong name, a broken checkpoint): never retried, it reaches the alarm. */
export class FeedObjectError extends TailorError {
  constructor(message: string) {
    super(message, { retryable: false });
  }
}

/** How long before the end of its time an import stops and leaves a checkpoint. */
export const CHECKPOINT_MARGIN_MS = 90_000;

const checkpointSchema = z.object({ feedKey: z.string().min(1), startAtRow: z.number().int().positive() });

/** What importing one object did. */
export interface FeedObjectImport {
  /** The feed imported (the checkpoint's feed when a checkpoint was dropped). */
  readonly feedKey: string;
  readonly report: CatalogImportReport;
  /** The checkpoint written when the import stopped early: its creation starts the next part. */
  readonly checkpointKey?: string;
}

/**
 * Imports the feed an S3 object holds (`feeds/…`, see `feedLocationOf`), streaming it; or, for a checkpoint
 * (`checkpoints/<feed key>.json`), resumes that feed's import from its row. When less than
 * {@link CHECKPOINT_MARGIN_MS} of the invocation is left the import stops after the current row and writes a
 * checkpoint, whose creation triggers the next invocation: a feed too large for one Lambda run (15 minutes)
 * continues there, and is retired from only once read to its end.
 */
export async function importFeedObject(
  deps: CatalogImportDeps & { readonly objects: FeedObjects; readonly maxRetireShare?: number },
  key: string,
  remainingMs: () => number,
): Promise<FeedObjectImport> {
  let feedKey = key;
  let startAtRow: number | undefined;
  if (key.startsWith(CHECKPOINTS_PREFIX)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(await deps.objects.readText(key));
    } catch {
      throw new FeedObjectError(`${key}: a checkpoint must be JSON {"feedKey": "feeds/…", "startAtRow": n}`);
    }
    const checkpoint = checkpointSchema.safeParse(parsed);
    if (!checkpoint.success) {
      throw new FeedObjectError(`${key}: a checkpoint must be JSON {"feedKey": "feeds/…", "startAtRow": n}`);
    }
    feedKey = checkpoint.data.feedKey;
    startAtRow = checkpoint.data.startAtRow;
  }
  const location = feedLocationOf(feedKey);
  if ("error" in location) throw new FeedObjectError(location.error);
  const input = await deps.objects.open(feedKey, { gzip: location.gzip });
  const market = {
    ...(location.currency === undefined ? {} : { currency: location.currency }),
    ...(location.market === undefined ? {} : { market: location.market }),
  };
  const report = await importCatalog(deps, feedProducts(input, location.format, market), {
    ...(location.market === undefined ? {} : { market: location.market }),
    ...(deps.maxRetireShare === undefined ? {} : { maxRetireShare: deps.maxRetireShare }),
    ...(startAtRow === undefined ? {} : { startAtRow }),
    shouldStop: () => remainingMs() < CHECKPOINT_MARGIN_MS,
  });
  if (report.stoppedAtRow === undefined) return { feedKey, report };
  const checkpointKey = `${CHECKPOINTS_PREFIX}${feedKey}.json`;
  await deps.objects.writeJson(checkpointKey, { feedKey, startAtRow: report.stoppedAtRow });
  return { feedKey, report, checkpointKey };
}
