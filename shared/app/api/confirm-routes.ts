import type { ApiDeps } from "./api-deps.js";
import { type ApiRequest, type ApiResponse, htmlResponse, RETRY_AFTER_SECONDS } from "./api-http.js";
import { confirmationEvent, toEventRecord } from "./link-events.js";
import { readLinkToken } from "./link-token.js";
import { confirmSubscriptionPage, subscriptionConfirmedPage, unavailablePage } from "./pages.js";

/** `GET /confirm?t=`: the double opt-in page; following the link alone changes nothing (link scanners). */
export async function showConfirm(deps: ApiDeps, request: ApiRequest): Promise<ApiResponse> {
  const read = await readLinkToken(deps, request, "confirm");
  if (!read.ok) return read.response;
  return htmlResponse(200, confirmSubscriptionPage({ shop: deps.shop, token: read.token }));
}

/**
 * `POST /confirm?t=`: grants marketing email consent with source `double-opt-in`. The event's messageId comes
 * from the token, so confirming twice is one decision.
 */
export async function confirm(deps: ApiDeps, request: ApiRequest): Promise<ApiResponse> {
  const read = await readLinkToken(deps, request, "confirm");
  if (!read.ok) return read.response;
  const event = confirmationEvent(read.claims, read.token, read.now);
  const outcome = await deps.events.put([toEventRecord(event, read.now)]);
  if (outcome.rejected.length > 0) {
    return htmlResponse(503, unavailablePage(deps.shop), { "retry-after": String(RETRY_AFTER_SECONDS) });
  }
  return htmlResponse(200, subscriptionConfirmedPage(deps.shop));
}
