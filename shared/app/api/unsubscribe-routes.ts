import type { Profile, ProfileTraits } from "#shared/domain/profile/index.js";
import type { ApiDeps } from "./api-deps.js";
import { type ApiRequest, type ApiResponse, htmlResponse, RETRY_AFTER_SECONDS } from "./api-http.js";
import { toEventRecord, unsubscribeEvent } from "./link-events.js";
import { preferencesTokenFor, readLinkToken } from "./link-token.js";
import { maskEmail } from "./mask-email.js";
import { unavailablePage, unsubscribeConfirmPage, unsubscribedPage } from "./pages.js";

/** `GET /unsubscribe?t=`: the confirmation page (changes nothing). */
export async function showUnsubscribe(deps: ApiDeps, request: ApiRequest): Promise<ApiResponse> {
  const read = await readLinkToken(deps, request, "unsubscribe");
  if (!read.ok) return read.response;
  const traits = await traitsOf(deps, read.claims.customerId);
  const email = traits?.email;
  return htmlResponse(
    200,
    unsubscribeConfirmPage({
      shop: deps.shop,
      firstName: traits?.first_name,
      maskedEmail: email === undefined ? undefined : maskEmail(email),
      token: read.token,
      preferencesToken: preferencesTokenFor(read.claims, read.keys),
    }),
  );
}

/**
 * `POST /unsubscribe?t=`: RFC 8058 one-click (`List-Unsubscribe=One-Click`) or the confirmation form. The token
 * in the URL is what authorises it, so the body is not needed. Puts one `Unsubscribed` event per marketing grant
 * the link withdraws (see {@link unsubscribeEvent}): repeated clicks before the ingest folds the first are the same
 * event, clicks once the customer is unsubscribed put nothing, and a click after a re-subscription puts a new
 * event, so it takes effect. 200 once it is on the stream (one-click clients want a 2xx), 503 when it is not.
 * The profile is read only to tell these apart: when it cannot be read, the event is put as for no grant.
 */
export async function unsubscribe(deps: ApiDeps, request: ApiRequest): Promise<ApiResponse> {
  const read = await readLinkToken(deps, request, "unsubscribe");
  if (!read.ok) return read.response;
  const profile = await profileOf(deps, read.claims.customerId);
  if (profile === undefined || !alreadyUnsubscribed(profile)) {
    const consent = profile?.c?.marketing_email;
    const grantedAt = consent?.g === true ? consent.at : undefined;
    const record = toEventRecord(unsubscribeEvent(read.claims, read.token, read.now, grantedAt), read.now);
    const outcome = await deps.events.put([record]);
    if (outcome.rejected.length > 0) {
      return htmlResponse(503, unavailablePage(deps.shop), { "retry-after": String(RETRY_AFTER_SECONDS) });
    }
  }
  return htmlResponse(
    200,
    unsubscribedPage({ shop: deps.shop, preferencesToken: preferencesTokenFor(read.claims, read.keys) }),
  );
}

/** Unsubscribed and not granted since: another click has nothing left to change. */
function alreadyUnsubscribed(profile: Profile): boolean {
  return profile.s?.unsubscribe !== undefined && profile.c?.marketing_email?.g !== true;
}

/** The customer's profile, or undefined when it is unknown or cannot be read right now. */
async function profileOf(deps: ApiDeps, customerId: string): Promise<Profile | undefined> {
  try {
    return (await deps.profiles.get(customerId))?.profile;
  } catch {
    return undefined;
  }
}

/**
 * The customer's traits for the confirmation page (greeting, masked address). The page must open even when the profile is unknown or
 * cannot be read right now: unsubscribing never depends on it, so a failed read only hides the greeting and address.
 */
async function traitsOf(deps: ApiDeps, customerId: string): Promise<ProfileTraits | undefined> {
  return (await profileOf(deps, customerId))?.t;
}
