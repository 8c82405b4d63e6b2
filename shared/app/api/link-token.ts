import {
  type LinkClaims,
  type LinkPurpose,
  signLinkToken,
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
      readonly secret: string;
      readonly now: number;
    }
  | { readonly ok: false; readonly response: ApiResponse };

/**
 * Verifies the `t` parameter for `purpose`. A missing or malformed token is a 400; a bad signature, an expired
 * token or one made for another purpose is a 403. Either way the page says the link is not valid and nothing
 * changed.
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
  const secret = await deps.linkSecret();
  const now = deps.clock.now();
  const verified = verifyLinkToken(token, secret, now, purpose);
  if (!verified.ok) {
    const status = verified.reason === "malformed" ? 400 : 403;
    return { ok: false, response: htmlResponse(status, invalidLinkPage(deps.shop)) };
  }
  return { ok: true, token, claims: verified.claims, secret, now };
}

/**
 * A preferences token for the same customer and campaign as a verified link, expiring with it, so the link
 * on a page never outlives the link that opened the page.
 */
export function preferencesTokenFor(claims: LinkClaims, secret: string): string {
  return signLinkToken(
    {
      purpose: "preferences",
      customerId: claims.customerId,
      campaignId: claims.campaignId,
      expiresAt: claims.expiresAt,
    },
    secret,
  );
}
