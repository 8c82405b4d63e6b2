import { createHash } from "node:crypto";
import { EVENT_NAMES } from "#shared/domain/events/index.js";
import type { ShortLink } from "#shared/domain/sms/short-links.js";
import type { ShortLinkStore } from "#shared/ports.js";
import type { LinkKeyRing } from "#shared/render/link-keys.js";
import { verifyShortLink } from "#shared/render/short-link-token.js";
import type { ApiDeps } from "./api-deps.js";
import { type ApiRequest, type ApiResponse, htmlResponse } from "./api-http.js";
import { toEventRecord } from "./link-events.js";
import { invalidLinkPage } from "./pages.js";

/** `/l/{token}`: a text's short link; the token is the first group. */
export const SHORT_LINK_ROUTE = /^\/l\/([^/]{1,64})$/;

/** What the short link route reads besides the API's link keys, events and clock. */
export interface ShortLinkDeps {
  readonly store: Pick<ShortLinkStore, "get">;
}

/**
 * The `SMS Clicked` event of a followed short link. Its `messageId` is the link and the minute: a link opened
 * again by a preview fetcher within the same minute is one click, a later visit another.
 */
export function smsClickEvent(link: ShortLink, now: number): Record<string, unknown> {
  const minute = Math.floor(now / 60_000);
  const id = createHash("sha256").update(`${link.id}\n${minute}`).digest("base64url").slice(0, 22);
  return {
    type: "track",
    event: EVENT_NAMES.sms_clicked,
    messageId: `sms-click-${id}`,
    userId: link.customerId,
    timestamp: new Date(now).toISOString(),
    properties: {
      message_id: link.sendKey,
      campaign_id: link.campaignId,
      variant: link.variant,
      url: link.target,
    },
    context: { library: { name: "tailor-api" } },
  };
}

const notFound = (deps: ApiDeps) =>
  htmlResponse(404, invalidLinkPage(deps.shop), { "cache-control": "no-store" });

/**
 * `GET /l/{token}`: checks the token's signature first (a malformed, forged or unknown-key token answers 404 with
 * no read at all; an unknown key id reads the key ring again, rate-limited, as the signed-link pages do), then
 * reads the link (an expired or unknown one answers 404), puts `SMS Clicked` on the event stream for the
 * customer (best effort: a stream that refuses it loses the click, not the visit) and redirects (302) to the
 * link's target, uncached.
 */
export async function followShortLink(deps: ApiDeps, request: ApiRequest): Promise<ApiResponse> {
  const shortLinks = deps.shortLinks;
  const token = SHORT_LINK_ROUTE.exec(request.path)?.[1];
  if (shortLinks === undefined || token === undefined) return notFound(deps);
  const now = deps.clock.now();
  const verify = (ring: LinkKeyRing) => verifyShortLink(token, ring, now, deps.linkKeys.graceMs);
  let verified = verify(await deps.linkKeys.keys());
  if (!verified.ok && verified.reason === "unknown-key") verified = verify(await deps.linkKeys.refresh());
  if (!verified.ok) return notFound(deps);
  const link = await shortLinks.store.get(verified.id, now);
  if (link === undefined) return notFound(deps);
  try {
    await deps.events.put([toEventRecord(smsClickEvent(link, now), now)]);
  } catch {
    // The visit goes on: a click not recorded only undercounts.
  }
  return {
    status: 302,
    headers: { location: link.target, "cache-control": "no-store", "referrer-policy": "no-referrer" },
    body: "",
  };
}
