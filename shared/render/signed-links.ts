import { createHmac, timingSafeEqual } from "node:crypto";
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

/** Why a token was refused. */
export type TokenRejection = "malformed" | "bad-signature" | "expired" | "wrong-purpose";

export type TokenVerification =
  | { readonly ok: true; readonly claims: LinkClaims }
  | { readonly ok: false; readonly reason: TokenRejection };

/** Shortest secret accepted: 32 bytes, the HMAC-SHA256 block of security it is meant to give. */
export const MIN_SECRET_BYTES = 32;

const PURPOSES: readonly LinkPurpose[] = ["unsubscribe", "preferences", "view", "confirm"];

function checkSecret(secret: string | Uint8Array): void {
  const bytes = typeof secret === "string" ? Buffer.byteLength(secret) : secret.byteLength;
  if (bytes < MIN_SECRET_BYTES) {
    throw new RenderConfigError(`the link signing secret must be at least ${MIN_SECRET_BYTES} bytes`);
  }
}

function mac(payload: string, secret: string | Uint8Array): Buffer {
  return createHmac("sha256", secret).update(payload).digest();
}

/**
 * A URL-safe token: base64url of the claims as JSON, a dot, base64url of HMAC-SHA256 over that text with
 * `secret`. The signature covers purpose, customer, campaign and expiry, so none can be changed.
 */
export function signLinkToken(claims: LinkClaims, secret: string | Uint8Array): string {
  checkSecret(secret);
  const payload = Buffer.from(
    JSON.stringify({ p: claims.purpose, c: claims.customerId, k: claims.campaignId, e: claims.expiresAt }),
  ).toString("base64url");
  return `${payload}.${mac(payload, secret).toString("base64url")}`;
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

/**
 * Checks a token made by {@link signLinkToken}: the signature (in constant time), then the expiry against `now`,
 * then that it was made for `purpose`. Never throws for a bad token.
 */
export function verifyLinkToken(
  token: string,
  secret: string | Uint8Array,
  now: number,
  purpose: LinkPurpose,
): TokenVerification {
  checkSecret(secret);
  const [payload, signature, extra] = token.split(".");
  if (payload === undefined || signature === undefined || extra !== undefined || payload === "") {
    return { ok: false, reason: "malformed" };
  }
  const given = Buffer.from(signature, "base64url");
  const expected = mac(payload, secret);
  // Node's decoder is lenient (padding, stray characters, unused low bits): only the one canonical spelling of a
  // signature is accepted, so a token cannot be re-spelt into a different text that still verifies.
  if (given.length === expected.length && given.toString("base64url") !== signature) {
    return { ok: false, reason: "malformed" };
  }
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: "bad-signature" };
  }
  const claims = parseClaims(payload);
  if (claims === undefined) return { ok: false, reason: "malformed" };
  if (now > claims.expiresAt) return { ok: false, reason: "expired" };
  if (claims.purpose !== purpose) return { ok: false, reason: "wrong-purpose" };
  return { ok: true, claims };
}

/** Checks an unsubscribe token (the `t` parameter of the unsubscribe link). */
export function verifyUnsubscribeToken(
  token: string,
  secret: string | Uint8Array,
  now: number,
): TokenVerification {
  return verifyLinkToken(token, secret, now, "unsubscribe");
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
  readonly secret: string | Uint8Array;
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
    signLinkToken({ purpose, customerId, campaignId, expiresAt }, settings.secret);
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
