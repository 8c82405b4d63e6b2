import { RenderConfigError } from "./render-errors.js";

/**
 * The key id of a secret that is one plain string (the only shape before key rings: stacks deployed then, local
 * data dirs made then). Tokens without a key id (version 1) verify against this key only.
 */
export const LEGACY_LINK_KEY_ID = "k0";

/** A key id: `k` and a number; a rotation adds the next number. */
export const LINK_KEY_ID_PATTERN = /^k(0|[1-9][0-9]{0,8})$/;

/** Shortest key accepted: 32 bytes, the HMAC-SHA256 block of security it is meant to give. */
export const MIN_SECRET_BYTES = 32;

/** Days a retired key keeps verifying unless the stack says otherwise (`linkKeyGraceDays`). */
export const DEFAULT_LINK_KEY_GRACE_DAYS = 90;

/** Days a link stays valid from its sending (the `expiresAt` dispatch writes in its token). */
export const LINK_LIFETIME_DAYS = 60;

const DAY_MS = 86_400_000;

/** One HMAC key of the ring. */
export interface LinkKey {
  readonly id: string;
  readonly secret: string;
  /** Epoch ms it stopped signing; absent for the current key. */
  readonly retiredAt?: number;
}

/**
 * The keys of signed links: one current key signs, retired keys still verify until their retirement plus the
 * grace. `keys` holds every key, the current one included.
 */
export interface LinkKeyRing {
  readonly current: LinkKey;
  readonly keys: readonly LinkKey[];
}

/** The secret's value is not a key ring (nor a plain key): names the field and the rule. */
export class LinkKeyRingError extends RenderConfigError {}

/** Where a key of the ring stands at a time. */
export type LinkKeyState = "current" | "retired" | "expired";

/** A key as `tailor links keys` shows it: never its secret. */
export interface LinkKeyStatus {
  readonly id: string;
  readonly state: LinkKeyState;
  readonly retiredAt?: number;
  /** Epoch ms after which it verifies nothing (retirement + grace); absent for the current key. */
  readonly expiresAt?: number;
}

function checkKeyBytes(id: string, secret: string): void {
  if (Buffer.byteLength(secret) < MIN_SECRET_BYTES) {
    throw new LinkKeyRingError(`link key ${id}: must be at least ${MIN_SECRET_BYTES} bytes`);
  }
}

/** A ring of one key with the legacy id: what a plain-string secret is. */
export function legacyLinkKeyRing(secret: string): LinkKeyRing {
  checkKeyBytes(LEGACY_LINK_KEY_ID, secret);
  const current = { id: LEGACY_LINK_KEY_ID, secret };
  return { current, keys: [current] };
}

function retiredTimes(value: unknown): Map<string, number> {
  const times = new Map<string, number>();
  if (value === undefined) return times;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new LinkKeyRingError('link key ring: "retired" must be an object of key id → ISO time');
  }
  for (const [id, time] of Object.entries(value)) {
    const ms = typeof time === "string" ? Date.parse(time) : Number.NaN;
    if (!Number.isFinite(ms)) {
      throw new LinkKeyRingError(
        `link key ring: retired.${id} must be an ISO time (e.g. "2026-12-01T00:00:00.000Z"), got ${JSON.stringify(time)}`,
      );
    }
    times.set(id, ms);
  }
  return times;
}

/**
 * Reads the secret's value: a JSON key ring — `{"current":"k2","k2":"…","k1":"…","retired":{"k1":"<ISO time>"}}`
 * (each key at the top level under its id, so that CloudFormation's `GenerateSecretString` can create the first
 * one) — or, as before key rings, one plain string: the key {@link LEGACY_LINK_KEY_ID}. Throws
 * {@link LinkKeyRingError} naming the field and the rule.
 */
export function parseLinkKeyRing(text: string): LinkKeyRing {
  const trimmed = text.trim();
  if (!trimmed.startsWith("{")) return legacyLinkKeyRing(trimmed);
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new LinkKeyRingError(`link key ring: not valid JSON (${reason})`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new LinkKeyRingError("link key ring: expected a JSON object");
  }
  const { current: currentId, retired, ...rest } = Object.fromEntries(Object.entries(value));
  if (typeof currentId !== "string" || !LINK_KEY_ID_PATTERN.test(currentId)) {
    throw new LinkKeyRingError(
      `link key ring: "current" must name a key id such as "k1", got ${JSON.stringify(currentId)}`,
    );
  }
  if (!Object.hasOwn(rest, currentId)) throw noCurrent(currentId);
  const times = retiredTimes(retired);
  const keys: LinkKey[] = [];
  for (const [id, secret] of Object.entries(rest)) {
    if (!LINK_KEY_ID_PATTERN.test(id)) {
      throw new LinkKeyRingError(
        `link key ring: unknown field "${id}" (expected "current", "retired" or key ids such as "k1")`,
      );
    }
    if (typeof secret !== "string") throw new LinkKeyRingError(`link key ${id}: must be a string`);
    checkKeyBytes(id, secret);
    const retiredAt = times.get(id);
    if (id === currentId && retiredAt !== undefined) {
      throw new LinkKeyRingError(`link key ring: the current key ${id} cannot be retired`);
    }
    if (id !== currentId && retiredAt === undefined) {
      throw new LinkKeyRingError(`link key ring: key ${id} is not current, so retired.${id} needs its time`);
    }
    keys.push(retiredAt === undefined ? { id, secret } : { id, secret, retiredAt });
  }
  for (const id of times.keys()) {
    if (!keys.some((key) => key.id === id)) {
      throw new LinkKeyRingError(`link key ring: retired.${id} names no key of the ring`);
    }
  }
  const current = keys.find((key) => key.id === currentId);
  if (current === undefined) throw noCurrent(currentId);
  return { current, keys };
}

function noCurrent(id: string): LinkKeyRingError {
  return new LinkKeyRingError(`link key ring: "current" is ${id}, but the ring has no key ${id}`);
}

/** The ring as the secret holds it (see {@link parseLinkKeyRing}); keys newest first. */
export function formatLinkKeyRing(ring: LinkKeyRing): string {
  const ordered = [...ring.keys].sort((a, b) => keyNumber(b.id) - keyNumber(a.id));
  const retired = ordered.filter((key) => key.retiredAt !== undefined);
  return JSON.stringify({
    current: ring.current.id,
    ...Object.fromEntries(ordered.map((key) => [key.id, key.secret])),
    ...(retired.length === 0
      ? {}
      : {
          retired: Object.fromEntries(
            retired.map((key) => [key.id, new Date(key.retiredAt ?? 0).toISOString()]),
          ),
        }),
  });
}

function keyNumber(id: string): number {
  return Number(id.slice(1));
}

/** The key `id` of the ring. */
export function linkKeyOf(ring: LinkKeyRing, id: string): LinkKey | undefined {
  return ring.keys.find((key) => key.id === id);
}

/** Days of grace → ms, checked: a whole number of days, at least 0. */
export function graceMsOf(days: number): number {
  if (!Number.isInteger(days) || days < 0) {
    throw new LinkKeyRingError(`link key grace must be a whole number of days, at least 0, got ${days}`);
  }
  return days * DAY_MS;
}

/** Epoch ms after which a retired key verifies nothing; undefined for the current key. */
export function linkKeyExpiry(key: LinkKey, graceMs: number): number | undefined {
  return key.retiredAt === undefined ? undefined : key.retiredAt + graceMs;
}

/** Every key's state at `now`, newest first: ids, retirement and expiry, never the secrets. */
export function linkKeyStatuses(ring: LinkKeyRing, now: number, graceMs: number): LinkKeyStatus[] {
  return [...ring.keys]
    .sort((a, b) => keyNumber(b.id) - keyNumber(a.id))
    .map((key) => {
      const expiresAt = linkKeyExpiry(key, graceMs);
      if (key.retiredAt === undefined || expiresAt === undefined) return { id: key.id, state: "current" };
      return {
        id: key.id,
        state: now > expiresAt ? "expired" : "retired",
        retiredAt: key.retiredAt,
        expiresAt,
      };
    });
}

/** What {@link rotateLinkKeyRing} did. */
export interface LinkKeyRotation {
  readonly ring: LinkKeyRing;
  /** The new current key's id. */
  readonly added: string;
  /** The key it replaced, now retired at `now`. */
  readonly retired: string;
  /** Keys dropped: past their grace at `now`, or every retired key with `dropRetired`. */
  readonly removed: readonly string[];
}

/**
 * A new current key (the next id) signs from `now`; the current one is retired at `now` and keeps verifying for
 * `graceMs`; keys past their grace are removed (all retired keys with `dropRetired`: after a leak, when old
 * links must stop working).
 */
export function rotateLinkKeyRing(
  ring: LinkKeyRing,
  options: {
    readonly secret: string;
    readonly now: number;
    readonly graceMs: number;
    readonly dropRetired?: boolean;
  },
): LinkKeyRotation {
  const id = `k${Math.max(...ring.keys.map((key) => keyNumber(key.id))) + 1}`;
  if (!LINK_KEY_ID_PATTERN.test(id))
    throw new LinkKeyRingError(`link key ring: no id after ${ring.current.id}`);
  checkKeyBytes(id, options.secret);
  const current: LinkKey = { id, secret: options.secret };
  const removed: string[] = [];
  const kept: LinkKey[] = [current];
  for (const key of ring.keys) {
    if (key.id === ring.current.id) {
      if (options.dropRetired === true) removed.push(key.id);
      else kept.push({ ...key, retiredAt: options.now });
      continue;
    }
    const expiry = linkKeyExpiry(key, options.graceMs) ?? options.now;
    if (options.dropRetired === true || options.now > expiry) removed.push(key.id);
    else kept.push(key);
  }
  return { ring: { current, keys: kept }, added: id, retired: ring.current.id, removed };
}
