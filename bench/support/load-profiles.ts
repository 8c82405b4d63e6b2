import { BatchWriteItemCommand, type DynamoDBClient, type WriteRequest } from "@aws-sdk/client-dynamodb";
import { marshall } from "@aws-sdk/util-dynamodb";
import { itemSizeBytes } from "#shared/aws/dynamo-item-size.js";
import { profileKey } from "#shared/aws/profile-key.js";
import { emptyProfile, type Profile } from "#shared/domain/profile/index.js";

/** What {@link loadProfiles} writes. */
export interface LoadProfilesOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** Profiles to write (ids `scale-0000000` …). */
  readonly count: number;
  /** Evaluated segments (`sg`) each profile is in, by its index: e.g. 1 in 10 in `high-engagement`. */
  readonly segmentsOf: (index: number) => readonly string[];
  /** Static segments (`ss`) every profile is in. @default none */
  readonly staticSegments?: readonly string[];
  /** BatchWriteItem requests in flight at once. @default 16 */
  readonly concurrency?: number;
  /** Time of the profiles' first event and of their memberships. @default now */
  readonly now?: number;
  /**
   * Changes each batch of 25 generated profiles before they are written (e.g. gives them the scores and
   * memberships a previous night left). @default none
   */
  readonly prepare?: (profiles: Profile[]) => Promise<Profile[]>;
  /** Called every 10,000 profiles written. */
  readonly onProgress?: (written: number) => void;
}

/** What was loaded. */
export interface LoadedProfiles {
  readonly written: number;
  readonly seconds: number;
  /** Median item size in bytes (the measured median is about 1.4 KB). */
  readonly medianItemBytes: number;
}

const BATCH = 25;

/** A simulated profile padded to a realistic size: recently viewed and bought products, custom counters. */
export function scaleProfile(
  index: number,
  segments: readonly string[],
  staticSegments: readonly string[],
  now: number,
): Profile {
  const id = `scale-${String(index).padStart(7, "0")}`;
  const products = Array.from(
    { length: 20 },
    (_, i) => `sku-${String((index * 7 + i * 13) % 5000).padStart(6, "0")}`,
  );
  return {
    ...emptyProfile(id, now - 86_400_000),
    rv: products,
    bp: products.slice(0, 8),
    x: Object.fromEntries(Array.from({ length: 24 }, (_, i) => [`custom_counter_${i}`, (index + i) % 97])),
    ...(segments.length === 0
      ? {}
      : { sg: Object.fromEntries(segments.map((s) => [s, { e: now - 3_600_000, v: 1 }])) }),
    ...(staticSegments.length === 0 ? {} : { ss: [...staticSegments] }),
  };
}

/**
 * Loads `count` simulated profiles into a profile table quickly: items as `DynamoProfileStore` writes them,
 * 25 per `BatchWriteItem`, `concurrency` requests in flight, unprocessed items written again (with a pause).
 * For benchmarks on the local stack (dynalite) or a test table; never a deployed stack's.
 */
export async function loadProfiles(options: LoadProfilesOptions): Promise<LoadedProfiles> {
  const started = performance.now();
  const now = options.now ?? Date.now();
  const concurrency = options.concurrency ?? 16;
  const sizes: number[] = [];
  let next = 0;
  let written = 0;
  const worker = async () => {
    for (;;) {
      const from = next;
      if (from >= options.count) return;
      const to = Math.min(options.count, from + BATCH);
      next = to;
      let requests: WriteRequest[] = [];
      let profiles: Profile[] = [];
      for (let i = from; i < to; i++)
        profiles.push(scaleProfile(i, options.segmentsOf(i), options.staticSegments ?? [], now));
      if (options.prepare !== undefined) profiles = await options.prepare(profiles);
      for (const [offset, profile] of profiles.entries()) {
        const i = from + offset;
        const item = {
          ...marshall({ ...profile, version: 1 }, { removeUndefinedValues: true }),
          pk: { S: profileKey(profile.customerId) },
        };
        if (i % 1000 === 0) sizes.push(itemSizeBytes(item));
        requests.push({ PutRequest: { Item: item } });
      }
      for (let attempt = 0; requests.length > 0; attempt++) {
        if (attempt > 0)
          await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 20 * 2 ** attempt)));
        const out = await options.client.send(
          new BatchWriteItemCommand({ RequestItems: { [options.tableName]: requests } }),
        );
        requests = out.UnprocessedItems?.[options.tableName] ?? [];
      }
      const before = written;
      written += to - from;
      if (Math.floor(written / 10_000) > Math.floor(before / 10_000)) options.onProgress?.(written);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  sizes.sort((a, b) => a - b);
  return {
    written,
    seconds: (performance.now() - started) / 1000,
    medianItemBytes: sizes[Math.floor(sizes.length / 2)] ?? 0,
  };
}
