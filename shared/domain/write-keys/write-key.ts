import { createHash } from "node:crypto";

/** Every write key starts with this, so a leaked one is recognisable (secret scanners, logs). */
export const WRITE_KEY_PREFIX = "tk_";

/** A write key's shape: the prefix and 43 base64url characters (32 random bytes). */
export const WRITE_KEY_PATTERN = /^tk_[A-Za-z0-9_-]{43}$/;

/** A source name: what the key is for ("web", "ios", "backend"), lower-case letters, digits, `-` and `_`. */
export const SOURCE_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/** A write key as stored: never the key itself, only its SHA-256. */
export interface WriteKeyRecord {
  /** Short public id (`wk_…`), used to list, revoke and rotate. */
  readonly id: string;
  /** SHA-256 of the key, hex. */
  readonly hash: string;
  /** What sends with it ("web", "ios"). */
  readonly source: string;
  /** Epoch ms. */
  readonly createdAt: number;
  /** Epoch ms from which the key is refused; in the future during a rotation's grace period. */
  readonly revokedAt?: number;
}

/** SHA-256 of a write key, hex: how the key is stored and looked up. */
export function writeKeyHash(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

/** Whether `key` has the shape of a write key (checked before any lookup, so junk never reaches the table). */
export function isWriteKeyShaped(key: string): boolean {
  return WRITE_KEY_PATTERN.test(key);
}

/** Whether the key is accepted at `now`: not revoked, or its revocation (a grace period's end) still ahead. */
export function isWriteKeyActive(record: WriteKeyRecord, now: number): boolean {
  return record.revokedAt === undefined || now < record.revokedAt;
}

/** Why a source name is refused, or `undefined` when it is fine. */
export function sourceProblem(source: string): string | undefined {
  return SOURCE_PATTERN.test(source)
    ? undefined
    : `source must be 1-64 lower-case letters, digits, "-" or "_", starting with a letter or digit; got "${source}"`;
}
