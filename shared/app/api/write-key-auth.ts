import {
  isWriteKeyActive,
  isWriteKeyShaped,
  type WriteKeyRecord,
  writeKeyHash,
} from "#shared/domain/write-keys/write-key.js";
import type { Clock, WriteKeyRegistry } from "#shared/ports.js";

/** The key a request was sent with, as far as the caller may know it: its id and source. */
export interface VerifiedWriteKey {
  readonly id: string;
  readonly source: string;
}

/** Checks a write key: the key's id and source when it is known and not revoked, else `undefined`. */
export interface WriteKeyVerifier {
  verify(key: string): Promise<VerifiedWriteKey | undefined>;
}

/** How long a looked-up key is trusted without asking the table again: the longest a revocation takes. */
export const WRITE_KEY_CACHE_MS = 30_000;
/** How long an unknown key is remembered as unknown: short, so a key just created works within seconds. */
export const UNKNOWN_WRITE_KEY_CACHE_MS = 5_000;
/** Most keys remembered at once (the oldest go first): a flood of random keys cannot grow the cache. */
export const WRITE_KEY_CACHE_ENTRIES = 1_000;

interface Cached {
  readonly record: WriteKeyRecord | undefined;
  readonly until: number;
}

/**
 * A {@link WriteKeyVerifier} over the registry with a small cache per container: a known key is looked up at
 * most once per {@link WRITE_KEY_CACHE_MS} (so a revocation takes effect within that), an unknown one once per
 * {@link UNKNOWN_WRITE_KEY_CACHE_MS}. The cache holds records, not verdicts: a rotation's grace period ends on
 * time even while cached. Keys are looked up by their SHA-256 and never kept or logged; a string that does not
 * have a key's shape is refused without a lookup.
 */
export class CachedWriteKeyVerifier implements WriteKeyVerifier {
  readonly #registry: Pick<WriteKeyRegistry, "findByHash">;
  readonly #clock: Clock;
  readonly #cache = new Map<string, Cached>();

  constructor(options: { readonly registry: Pick<WriteKeyRegistry, "findByHash">; readonly clock: Clock }) {
    this.#registry = options.registry;
    this.#clock = options.clock;
  }

  async verify(key: string): Promise<VerifiedWriteKey | undefined> {
    if (!isWriteKeyShaped(key)) return undefined;
    const hash = writeKeyHash(key);
    const now = this.#clock.now();
    let cached = this.#cache.get(hash);
    if (cached === undefined || cached.until <= now) {
      const record = await this.#registry.findByHash(hash);
      cached = {
        record,
        until: now + (record === undefined ? UNKNOWN_WRITE_KEY_CACHE_MS : WRITE_KEY_CACHE_MS),
      };
      this.#cache.delete(hash);
      this.#cache.set(hash, cached);
      for (const oldest of this.#cache.keys()) {
        if (this.#cache.size <= WRITE_KEY_CACHE_ENTRIES) break;
        this.#cache.delete(oldest);
      }
    }
    const { record } = cached;
    return record !== undefined && isWriteKeyActive(record, now)
      ? { id: record.id, source: record.source }
      : undefined;
  }
}

/**
 * The write key of HTTP Basic credentials (`Authorization: Basic base64(key:)`, the key as the user name, as
 * Segment's and RudderStack's libraries send it); `undefined` when the header is absent or not Basic.
 */
export function basicAuthUser(authorization: string | undefined): string | undefined {
  const match = /^\s*basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(authorization ?? "");
  if (match?.[1] === undefined) return undefined;
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon === -1 ? decoded : decoded.slice(0, colon);
}
