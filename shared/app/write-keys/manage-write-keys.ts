import { randomBytes } from "node:crypto";
import {
  sourceProblem,
  WRITE_KEY_PREFIX,
  type WriteKeyRecord,
  writeKeyHash,
} from "#shared/domain/write-keys/write-key.js";
import { TailorError } from "#shared/errors.js";
import type { Clock, WriteKeyRegistry } from "#shared/ports.js";

/** A request to manage keys that cannot be done as asked (unknown id, bad source, negative grace). */
export class WriteKeyRequestError extends TailorError {
  constructor(message: string) {
    super(message, { retryable: false });
  }
}

/** A key just made: the key itself, shown once and never stored, and its record. */
export interface IssuedWriteKey {
  readonly key: string;
  readonly record: WriteKeyRecord;
}

/** What managing keys needs: the registry, the clock, and random bytes (injected in tests). */
export interface WriteKeyAdminDeps {
  readonly registry: WriteKeyRegistry;
  readonly clock: Clock;
  /** @default node:crypto's randomBytes */
  readonly random?: (size: number) => Uint8Array;
}

function issue(deps: WriteKeyAdminDeps, source: string): IssuedWriteKey {
  const random = deps.random ?? randomBytes;
  const key = `${WRITE_KEY_PREFIX}${Buffer.from(random(32)).toString("base64url")}`;
  const id = `wk_${Buffer.from(random(6)).toString("hex")}`;
  return { key, record: { id, hash: writeKeyHash(key), source, createdAt: deps.clock.now() } };
}

/** Creates a key for `source` ("web", "ios"): the key is returned once; only its SHA-256 is stored. */
export async function createWriteKey(deps: WriteKeyAdminDeps, source: string): Promise<IssuedWriteKey> {
  const problem = sourceProblem(source);
  if (problem !== undefined) throw new WriteKeyRequestError(problem);
  const issued = issue(deps, source);
  await deps.registry.add(issued.record);
  return issued;
}

/** Revokes the key `id` at once; throws {@link WriteKeyRequestError} when there is no such key. */
export async function revokeWriteKey(deps: WriteKeyAdminDeps, id: string): Promise<WriteKeyRecord> {
  const revoked = await deps.registry.revoke(id, deps.clock.now());
  if (revoked === undefined) throw new WriteKeyRequestError(`no write key has the id "${id}"`);
  return revoked;
}

/** What a rotation did: the new key (shown once) and the old one with its revocation time. */
export interface RotatedWriteKey {
  readonly issued: IssuedWriteKey;
  readonly previous: WriteKeyRecord;
}

/**
 * Rotates the key `id`: a new key for the same source, and the old one revoked after `graceMs` (0: at once), so
 * apps can move to the new key before the old one stops working. A key already revoked cannot be rotated.
 */
export async function rotateWriteKey(
  deps: WriteKeyAdminDeps,
  id: string,
  graceMs: number,
): Promise<RotatedWriteKey> {
  if (!Number.isFinite(graceMs) || graceMs < 0) {
    throw new WriteKeyRequestError(`the grace period must be 0 or more, got ${graceMs} ms`);
  }
  const now = deps.clock.now();
  const old = (await deps.registry.list()).find((record) => record.id === id);
  if (old === undefined) throw new WriteKeyRequestError(`no write key has the id "${id}"`);
  if (old.revokedAt !== undefined && old.revokedAt <= now) {
    throw new WriteKeyRequestError(`write key ${id} is revoked already; create a new one for ${old.source}`);
  }
  const issued = issue(deps, old.source);
  await deps.registry.add(issued.record);
  const previous = await deps.registry.revoke(id, now + graceMs);
  if (previous === undefined) throw new WriteKeyRequestError(`no write key has the id "${id}"`);
  return { issued, previous };
}
