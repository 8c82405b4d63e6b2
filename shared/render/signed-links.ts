import { createHmac, timingSafeEqual } from "node:crypto";
import {
  DEFAULT_LINK_KEY_GRACE_DAYS,
  LEGACY_LINK_KEY_ID,
  LINK_KEY_ID_PATTERN,
  type LinkKeyRing,
  legacyLinkKeyRing,
  linkKeyExpiry,
  linkKeyOf,
  MIN_SECRET_BYTES,
} from "./link-keys.js";
import { RenderConfigError } from "./render-errors.js";

/** What a signed link lets its holder do. */
export type LinkPurpose = "unsubscribe" | "preferences" | "view" | "confirm";

/** The signed claims of a link token. */
export interface LinkClaims {
  readonly purpose: LinkPurpose;
  readonly customerId: string;
  readonly campaignId: string;
  /** Epoch ms after which the token is refused. */
  readonly expiresAt: number;
}

/**
 * Why a token was refused: `unknown-key` names a key the ring does not hold (never had, or already removed);
 * `expired-key` a retired key past its grace.
 */
export type TokenRejection =
  | "malformed"
  | "bad-signature"
  | "unknown-key"
  | "expired-key"
  | "expired"
  | "wrong-purpose";

export type TokenVerification =
  | { readonly ok: true; readonly claims: LinkClaims; readonly keyId: string }
  | { readonly ok: false; readonly reason: TokenRejection };

export { MIN_SECRET_BYTES };

const PURPOSES: readonly LinkPurpose[] = ["unsubscribe", "preferences", "view", "confirm"];

function checkSecret(secret: string): void {
  if (Buffer.byteLength(secret) < MIN_SECRET_BYTES) {
    throw new RenderConfigError(`the link signing secret must be at least ${MIN_SECRET_BYTES} bytes`);
  }
}

function mac(signed: string, secret: string): Buffer {
  return createHmac("sha256", secret).update(signed).digest();
}

/**
 * A URL-safe token. Version 2 (with `keyId`): the key id, a dot, base64url of the claims as JSON, a dot,
 * base64url of HMAC-SHA256 over the id, dot and claims text. Version 1 (no `keyId`, before key rings): the claims
 * and the HMAC over them only, verified against the legacy key. The signature covers purpose, customer,
 * campaign, expiry and key id, so none can be changed.
 */
export function signLinkToken(claims: LinkClaims, secret: string, keyId?: string): string {
  checkSecret(secret);
  if (keyId !== undefined && !LINK_KEY_ID_PATTERN.test(keyId)) {
    throw new RenderConfigError(`link key id must look like k1, got ${JSON.stringify(keyId)}`);
  }
  const payload = Buffer.from(
    JSON.stringify({ p: claims.purpose, c: claims.customerId, k: claims.campaignId, e: claims.expiresAt }),
  ).toString("base64url");
  const signed = keyId === undefined ? payload : `${keyId}.${payload}`;
  return `${signed}.${mac(signed, secret).toString("base64url")}`;
}

function parseClaims(payload: string): LinkClaims | undefined {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const p: unknown = Reflect.get(value, "p");
  const c: unknown = Reflect.get(value, "c");
  const k: unknown = Reflect.get(value, "k");
  const e: unknown = Reflect.get(value, "e");
  const purpose = PURPOSES.find((known) => known === p);
  if (purpose === undefined || typeof c !== "string" || typeof k !== "string" || typeof e !== "number") {
    return undefined;
  }
  return { purpose, customerId: c, campaignId: k, expiresAt: e };
}

/** A token cut into its parts: version 1 has no key id and is the legacy key's. */
function tokenParts(
  token: string,
): { keyId: string; signed: string; payload: string; signature: string } | undefined {
  const parts = token.split(".");
  if (parts.length === 2) {
    const [payload = "", signature = ""] = parts;
    return { keyId: LEGACY_LINK_KEY_ID, signed: payload, payload, signature };
  }
  if (parts.length === 3) {
    const [keyId = "", payload = "", signature = ""] = parts;
    if (!LINK_KEY_ID_PATTERN.test(keyId)) return undefined;
    return { keyId, signed: `${keyId}.${payload}`, payload, signature };
  }
  return undefined;
}

/** How retired keys are judged. */
export interface VerifyOptions {
  /** How long a retired key keeps verifying after its retirement (ms). @default 90 days */
  readonly graceMs?: number;
}

/**
 * Checks a token made by {@link signLinkToken}: picks the key by the token's id (version 1: the legacy key),
 * refuses an unknown key or a retired key past its grace, checks the signature (in constant time), then the
 * expiry against `now`, then that it was made for `purpose`. `keys` is the ring, or one plain secret (the legacy
 * key). Never throws for a bad token.
 */
export function verifyLinkToken(
  token: string,
  keys: LinkKeyRing | string,
  now: number,
  purpose: LinkPurpose,
  options: VerifyOptions = {},
): TokenVerification {
  const ring = typeof keys === "string" ? legacyRingOf(keys) : keys;
  const parts = tokenParts(token);
  if (parts === undefined || parts.payload === "") return { ok: false, reason: "malformed" };
  const { keyId, signed, payload, signature } = parts;
  const key = linkKeyOf(ring, keyId);
  if (key === undefined) return { ok: false, reason: "unknown-key" };
  const given = Buffer.from(signature, "base64url");
  const expected = mac(signed, key.secret);
  // Node's decoder is lenient (padding, stray characters, unused low bits): only the one canonical spelling of a
  // signature is accepted, so a token cannot be re-spelt into a different text that still verifies.
  if (given.length === expected.length && given.toString("base64url") !== signature) {
    return { ok: false, reason: "malformed" };
  }
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: "bad-signature" };
  }
  const keyExpiry = linkKeyExpiry(key, options.graceMs ?? DEFAULT_LINK_KEY_GRACE_DAYS * 86_400_000);
  if (keyExpiry !== undefined && now > keyExpiry) return { ok: false, reason: "expired-key" };
  const claims = parseClaims(payload);
  if (claims === undefined) return { ok: false, reason: "malformed" };
  if (now > claims.expiresAt) return { ok: false, reason: "expired" };
  if (claims.purpose !== purpose) return { ok: false, reason: "wrong-purpose" };
  return { ok: true, claims, keyId };
}

function legacyRingOf(secret: string): LinkKeyRing {
  checkSecret(secret);
  return legacyLinkKeyRing(secret);
}

/** Checks an unsubscribe token (the `t` parameter of the unsubscribe link). */
export function verifyUnsubscribeToken(
  token: string,
  keys: LinkKeyRing | string,
  now: number,
  options: VerifyOptions = {},
): TokenVerification {
  return verifyLinkToken(token, keys, now, "unsubscribe", options);
}

/** Where the signed links point, and how they are signed. */
export interface LinkSettings {
  /** e.g. `https://shop.example.com/email/unsubscribe`; the token goes in `?t=`. */
  readonly unsubscribeUrl: string;
  readonly preferencesUrl: string;
  readonly viewInBrowserUrl: string;
  /**
   * Where a double opt-in confirmation link points (`?t=` a `confirm` token).
   * @default - the preferences page, with a preferences token
   */
  readonly confirmUrl?: string;
  /** HMAC key, at least {@link MIN_SECRET_BYTES} bytes; keep it in a secret store. */
  readonly secret: string;
  /**
   * The id of `secret` in the key ring: the tokens carry it (version 2), so a rotation leaves them verifiable.
   * @default - version 1 tokens, without a key id (verified against the legacy key); what previews sign
   */
  readonly keyId?: string;
  /** How long links stay valid (ms). */
  readonly ttlMs: number;
}

/** The `links` of the Liquid context. */
export interface LinksView {
  readonly unsubscribe: string;
  readonly preferences: string;
  readonly view_in_browser: string;
  /** Confirms a subscription (double opt-in). */
  readonly confirm_subscription: string;
}

function withToken(base: string, token: string): string {
  const url = new URL(base);
  url.searchParams.set("t", token);
  return url.toString();
}

/** Validates link settings once, when a renderer is created. */
export function checkLinkSettings(settings: LinkSettings): void {
  checkSecret(settings.secret);
  if (settings.keyId !== undefined && !LINK_KEY_ID_PATTERN.test(settings.keyId)) {
    throw new RenderConfigError(`links.keyId must look like k1, got ${JSON.stringify(settings.keyId)}`);
  }
  for (const [name, value] of Object.entries({
    unsubscribeUrl: settings.unsubscribeUrl,
    preferencesUrl: settings.preferencesUrl,
    viewInBrowserUrl: settings.viewInBrowserUrl,
    ...(settings.confirmUrl === undefined ? {} : { confirmUrl: settings.confirmUrl }),
  })) {
    if (!URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol)) {
      throw new RenderConfigError(`links.${name}: expected an http(s) URL, got ${JSON.stringify(value)}`);
    }
  }
  if (!(settings.ttlMs > 0)) throw new RenderConfigError("links.ttlMs must be positive");
}

/** Signed unsubscribe, preferences, view-in-browser and confirmation links for one customer and campaign. */
export function buildLinks(
  settings: LinkSettings,
  customerId: string,
  campaignId: string,
  now: number,
): LinksView {
  const expiresAt = now + settings.ttlMs;
  const sign = (purpose: LinkPurpose) =>
    signLinkToken({ purpose, customerId, campaignId, expiresAt }, settings.secret, settings.keyId);
  return {
    unsubscribe: withToken(settings.unsubscribeUrl, sign("unsubscribe")),
    preferences: withToken(settings.preferencesUrl, sign("preferences")),
    view_in_browser: withToken(settings.viewInBrowserUrl, sign("view")),
    confirm_subscription:
      settings.confirmUrl === undefined
        ? withToken(settings.preferencesUrl, sign("preferences"))
        : withToken(settings.confirmUrl, sign("confirm")),
  };
}
