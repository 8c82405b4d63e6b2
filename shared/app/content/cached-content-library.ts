import type { ContentItem } from "../../domain/catalog/index.js";
import type { Clock, ContentLibrary } from "../../ports.js";
import { BoundedAgeCache } from "../bounded-age-cache.js";

/**
 * A content library read through a {@link BoundedAgeCache}: dispatch reads the whole library at most once per
 * `maxAgeMs` per container, so an import reaches every warm container within that time.
 */
export class CachedContentLibrary implements ContentLibrary {
  readonly #cache: BoundedAgeCache<readonly ContentItem[]>;

  constructor(options: {
    readonly library: ContentLibrary;
    readonly maxAgeMs: number;
    readonly clock: Clock;
  }) {
    const { library } = options;
    this.#cache = new BoundedAgeCache({
      load: () => library.all(),
      maxAgeMs: options.maxAgeMs,
      clock: options.clock,
    });
  }

  all(): Promise<readonly ContentItem[]> {
    return this.#cache.get();
  }
}
