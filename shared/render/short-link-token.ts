import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { SHORT_LINK_PATH } from "../domain/sms/short-links.js";
import { DEFAULT_LINK_KEY_GRACE_DAYS, type LinkKeyRing, linkKeyExpiry, linkKeyOf } from "./link-keys.js";

/** Bytes of a short link's id (12 base64url characters): collisions stay unlikely past billions of links. */
const ID_BYTES = 9;
/** Bytes of the signature kept (8 base64url characters): a forger must guess 2^48 values, online. */
const MAC_BYTES = 6;
const TOKEN = /^(k(?:0|[1-9][0-9]{0,8}))\.([A-Za-z0-9_-]{12})([A-Za-z0-9_-]{8})$/;

/** Characters of a short link's token with a key id of `keyId`'s length (`k1.` + 12 + 8 = 23 for `k1`). */
export const shortLinkTokenLength = (keyId: string): number => keyId.length + 1 + 12 + 8;

/** The id of a text's link: derived from the send, the link's place and its target, so a retry makes the same. */
export function shortLinkId(sendKey: string, index: number, target: string): string {
  return createHash("sha256")
    .update(`${sendKey}\n${index}\n${target}`)
    .digest()
    .subarray(0, ID_BYTES)
    .toString("base64url");
}

function mac(keyId: string, id: string, secret: string): Buffer {
  // A context of its own, so no email link token is ever a valid short link signature and back.
  return createHmac("sha256", secret).update(`sms-link.${keyId}.${id}`).digest().subarray(0, MAC_BYTES);
}

/** The token of a short link: `<key id>.<id><signature>`, URL-safe, 23 characters with key `k1`. */
export function signShortLink(id: string, secret: string, keyId: string): string {
  return `${keyId}.${id}${mac(keyId, id, secret).toString("base64url")}`;
}

/** Why a short link token was refused (answered 404 alike, before any lookup). */
export type ShortLinkRejection = "malformed" | "unknown-key" | "expired-key" | "bad-signature";

/**
 * Checks a short link token against the key ring: its shape, its key (known; a retired key within its grace) and
 * its signature (constant time). Never throws, never looks anything up: a forged token costs no read.
 */
export function verifyShortLink(
  token: string,
  ring: LinkKeyRing,
  now: number,
  graceMs: number = DEFAULT_LINK_KEY_GRACE_DAYS * 86_400_000,
): { readonly ok: true; readonly id: string } | { readonly ok: false; readonly reason: ShortLinkRejection } {
  const parts = TOKEN.exec(token);
  if (parts === null) return { ok: false, reason: "malformed" };
  const [, keyId = "", id = "", signature = ""] = parts;
  const key = linkKeyOf(ring, keyId);
  if (key === undefined) return { ok: false, reason: "unknown-key" };
  const expiry = linkKeyExpiry(key, graceMs);
  if (expiry !== undefined && now > expiry) return { ok: false, reason: "expired-key" };
  const given = Buffer.from(signature, "base64url");
  const expected = mac(keyId, id, key.secret);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: "bad-signature" };
  }
  return { ok: true, id };
}

/** The short link URL of `token` under the API's base URL: `<api>/l/<token>`. */
export function shortLinkUrl(apiBaseUrl: string, token: string): string {
  return `${apiBaseUrl.replace(/\/+$/, "")}${SHORT_LINK_PATH}${token}`;
}

/**
 * The API base a build counts short links with, before the stack's URL is known: as long as an HTTP API's default
 * URL in the longest-named region, so a text that fits at build time fits when sent.
 */
export const BUILD_SHORT_LINK_BASE = "https://a1b2c3d4e5.execute-api.ap-southeast-2.amazonaws.com";

/** A stand-in short link of the real length (key `k1`), for build checks and previews. */
export function standInShortLink(apiBaseUrl: string = BUILD_SHORT_LINK_BASE): string {
  return shortLinkUrl(apiBaseUrl, `k1.${"x".repeat(shortLinkTokenLength("k1") - 3)}`);
}
