import type { Profile } from "#shared/domain/profile/index.js";
import type { ApiDeps } from "./api-deps.js";
import { type ApiRequest, type ApiResponse, htmlResponse, RETRY_AFTER_SECONDS } from "./api-http.js";
import { marketingConsentEvent, toEventRecord } from "./link-events.js";
import { readLinkToken } from "./link-token.js";
import { maskEmail } from "./mask-email.js";
import { badFormPage, preferencesPage, unavailablePage } from "./pages.js";

/** Whether marketing email reaches the customer: consent granted and not unsubscribed (as dispatch checks). */
export function receivesMarketing(profile: Profile | undefined): boolean {
  return profile?.c?.marketing_email?.g === true && profile.s?.unsubscribe === undefined;
}

/** `GET /preferences?t=`: the marketing email consent and a toggle. */
export async function showPreferences(deps: ApiDeps, request: ApiRequest): Promise<ApiResponse> {
  const read = await readLinkToken(deps, request, "preferences");
  if (!read.ok) return read.response;
  const profile = (await deps.profiles.get(read.claims.customerId))?.profile;
  return htmlResponse(
    200,
    preferencesPage({
      shop: deps.shop,
      maskedEmail: maskedEmailOf(profile),
      token: read.token,
      subscribed: receivesMarketing(profile),
      saved: false,
    }),
  );
}

/**
 * `POST /preferences?t=` with the form field `marketing_email=yes|no`: puts a `Consent Updated` event for
 * marketing email and shows the page with the new choice.
 */
export async function updatePreferences(deps: ApiDeps, request: ApiRequest): Promise<ApiResponse> {
  const read = await readLinkToken(deps, request, "preferences");
  if (!read.ok) return read.response;
  const choice = readForm(request).get("marketing_email");
  if (choice !== "yes" && choice !== "no") return htmlResponse(400, badFormPage(deps.shop));
  const granted = choice === "yes";
  const record = toEventRecord(marketingConsentEvent(read.claims, read.token, granted, read.now), read.now);
  const outcome = await deps.events.put([record]);
  if (outcome.rejected.length > 0) {
    return htmlResponse(503, unavailablePage(deps.shop), { "retry-after": String(RETRY_AFTER_SECONDS) });
  }
  const profile = (await deps.profiles.get(read.claims.customerId))?.profile;
  return htmlResponse(
    200,
    preferencesPage({
      shop: deps.shop,
      maskedEmail: maskedEmailOf(profile),
      token: read.token,
      subscribed: granted,
      saved: true,
    }),
  );
}

function maskedEmailOf(profile: Profile | undefined): string | undefined {
  const email = profile?.t?.email;
  return email === undefined ? undefined : maskEmail(email);
}

/** The fields of a form-encoded body; other bodies have none. */
function readForm(request: ApiRequest): URLSearchParams {
  const type = request.headers["content-type"]?.split(";")[0]?.trim().toLowerCase();
  if (type !== "application/x-www-form-urlencoded") return new URLSearchParams();
  return new URLSearchParams(new TextDecoder().decode(request.body));
}
