import type { Clock } from "#shared/ports.js";
import type { LinkKeyRing } from "#shared/render/link-keys.js";

/** Where the API finds the keys of signed links. */
export interface LinkKeySource {
  /** The ring as cached (a rotation shows within the cache's age). */
  keys(): Promise<LinkKeyRing>;
  /**
   * The ring read again past the cache, for a token whose key id the cached ring does not know (dispatch may
   * already sign with a key this container has not loaded). Rate-limited: within `minRefreshMs` of the last
   * refresh, the ring that refresh read.
   */
  refresh(): Promise<LinkKeyRing>;
  /** How long a retired key keeps verifying (ms). */
  readonly graceMs: number;
}

/** What {@link RefreshingLinkKeys} needs. */
export interface RefreshingLinkKeysOptions {
  /** Reads the ring: through the cache, or (`fresh`) from the store itself. */
  readonly load: (fresh: boolean) => Promise<LinkKeyRing>;
  readonly clock: Clock;
  readonly graceMs: number;
  /** Least time between two reads past the cache. @default 10 000 ms */
  readonly minRefreshMs?: number;
}

/** Least time between two reads of the secret past its cache: a flood of forged key ids costs one read per 10 s. */
export const MIN_LINK_KEY_REFRESH_MS = 10_000;

/**
 * A {@link LinkKeySource} over a cached loader: `refresh` bypasses the cache at most once per `minRefreshMs`;
 * concurrent refreshes share one read, and a refresh that fails is not counted (the next one tries again).
 */
export class RefreshingLinkKeys implements LinkKeySource {
  readonly graceMs: number;
  readonly #options: RefreshingLinkKeysOptions;
  #inFlight: Promise<LinkKeyRing> | undefined;
  #last: { readonly at: number; readonly ring: LinkKeyRing } | undefined;

  constructor(options: RefreshingLinkKeysOptions) {
    this.#options = options;
    this.graceMs = options.graceMs;
  }

  keys(): Promise<LinkKeyRing> {
    return this.#options.load(false);
  }

  refresh(): Promise<LinkKeyRing> {
    if (this.#inFlight !== undefined) return this.#inFlight;
    const now = this.#options.clock.now();
    const minRefreshMs = this.#options.minRefreshMs ?? MIN_LINK_KEY_REFRESH_MS;
    if (this.#last !== undefined && now - this.#last.at < minRefreshMs)
      return Promise.resolve(this.#last.ring);
    const read = this.#options.load(true).then(
      (ring) => {
        this.#last = { at: now, ring };
        this.#inFlight = undefined;
        return ring;
      },
      (error: unknown) => {
        this.#inFlight = undefined;
        throw error;
      },
    );
    this.#inFlight = read;
    return read;
  }
}
