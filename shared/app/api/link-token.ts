import type { LinkKeyRing } from "#shared/render/link-keys.js";
import {
  type LinkClaims,
  type LinkPurpose,
  signLinkToken,
  type TokenVerification,
  verifyLinkToken,
} from "#shared/render/signed-links.js";
import type { ApiDeps } from "./api-deps.js";
import { type ApiRequest, type ApiResponse, htmlResponse } from "./api-http.js";
import { invalidLinkPage } from "./pages.js";

/** A verified link token with what the route needs next, or the refusal page to answer with. */
export type LinkTokenRead =
  | {
      readonly ok: true;
      readonly token: string;
      readonly claims: LinkClaims;
      /** The keys it was verified with: a link the page shows is signed with their current key. */
      readonly keys: LinkKeyRing;
      readonly now: number;
    }
  | { readonly ok: false; readonly response: ApiResponse };

/**
 * Verifies the `t` parameter for `purpose`. A token whose key id the cached ring does not know is checked again
 * against the ring read past the cache (rate-limited), since dispatch may sign with a key this container has not
 * loaded yet. A missing or malformed token is a 400; a bad signature, an unknown key, a key past its grace, an
 * expired token or one made for another purpose is a 403. Either way the page says the link is not valid (it
 * may have expired) and nothing changed.
 */
export async function readLinkToken(
  deps: ApiDeps,
  request: ApiRequest,
  purpose: LinkPurpose,
): Promise<LinkTokenRead> {
  const token = request.query.get("t");
  if (token === null || token === "") {
    return { ok: false, response: htmlResponse(400, invalidLinkPage(deps.shop)) };
  }
  const now = deps.clock.now();
  const verify = (keys: LinkKeyRing): TokenVerification =>
    verifyLinkToken(token, keys, now, purpose, { graceMs: deps.linkKeys.graceMs });
  let keys = await deps.linkKeys.keys();
  let verified = verify(keys);
  if (!verified.ok && verified.reason === "unknown-key") {
    keys = await deps.linkKeys.refresh();
    verified = verify(keys);
  }
  if (!verified.ok) {
    const status = verified.reason === "malformed" ? 400 : 403;
    return { ok: false, response: htmlResponse(status, invalidLinkPage(deps.shop)) };
  }
  return { ok: true, token, claims: verified.claims, keys, now };
}

/**
 * A preferences token for the same customer and campaign as a verified link, expiring with it, so the link
 * on a page never outlives the link that opened the page. Signed with the ring's current key.
 */
export function preferencesTokenFor(claims: LinkClaims, keys: LinkKeyRing): string {
  return signLinkToken(
    {
      purpose: "preferences",
      customerId: claims.customerId,
      campaignId: claims.campaignId,
      expiresAt: claims.expiresAt,
    },
    keys.current.secret,
    keys.current.id,
  );
}
