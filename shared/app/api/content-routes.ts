import { createHash } from "node:crypto";
import { emptyProfile } from "../../domain/profile/index.js";
import type { SlotDefinition } from "../../domain/slots/slot-definition.js";
import type { IdentityStore, SendLedger } from "../../ports.js";
import type { RenderRequest, RenderResult } from "../../render/email-renderer.js";
import type { OfferView, RenderContext, ShopView } from "../../render/render-context.js";
import type { LinkSettings } from "../../render/signed-links.js";
import { lastShown } from "../content-rotation.js";
import { type EmailContextDeps, prepareEmailContext } from "../email-context.js";
import { mergedInto } from "../identity/merged-into.js";
import type { ApiDeps, SegmentApiDeps } from "./api-deps.js";
import { type ApiRequest, type ApiResponse, jsonResponse } from "./api-http.js";
import { corsHeaders, preflightResponse } from "./cors.js";
import { basicAuthUser } from "./write-key-auth.js";

/** `/v1/content/{slot}`: the slot id is the second group. */
export const CONTENT_PATH = /^\/v1\/content\/([a-z0-9]+(?:-[a-z0-9]+)*)$/;

/** Seconds a browser may reuse an answer by default (`cache-control: private, max-age=30`). */
export const CONTENT_MAX_AGE_DEFAULT_SECONDS = 30;

/** What `GET /v1/content/{slot}` needs besides the write keys and origins of the Segment routes. */
export interface OnsiteDeps {
  /** The slots, by id (`templates/slots/`). */
  readonly slots: ReadonlyMap<string, SlotDefinition>;
  /** Renders the compiled slots (one template per slot, named by its id). */
  readonly renderer: { render(request: RenderRequest): RenderResult };
  /** Catalog, recommender and content library: the same as dispatch reads. */
  readonly context: EmailContextDeps;
  /** Resolves an anonymous or merged id to its customer. */
  readonly identities: Pick<IdentityStore, "resolveIds">;
  readonly links: LinkSettings;
  readonly shop: ShopView;
  /** `max-age` of the answers. @default 30 */
  readonly maxAgeSeconds?: number;
  /**
   * The send ledger, read (one Query) for the offer slot: a known customer is offered what their next message
   * would be, not the offer of their last one when another is eligible (rotation). @default - no rotation
   */
  readonly ledger?: Pick<SendLedger, "recent">;
}

/** The JSON of a slot: the data points the HTML shows. */
export interface SlotContent {
  readonly slot: string;
  readonly block: SlotDefinition["block"];
  /** The customer the ids resolved to; absent for an unknown visitor (who gets the fallbacks). */
  readonly known: boolean;
  readonly recommendations?: RenderContext["recommendations"];
  readonly recommendationsBasis?: RenderContext["recommendations_basis"];
  readonly offer?: OfferView | null;
  readonly content?: RenderContext["content"];
}

const ONSITE_CAMPAIGN = { id: "onsite", name: "On-site content" } as const;

function reply(segment: SegmentApiDeps, request: ApiRequest) {
  const cors = corsHeaders(segment.corsOrigins, request);
  return (status: number, message: string) =>
    jsonResponse(status, { errors: [{ message, issues: [] }] }, { ...cors });
}

/**
 * `GET /v1/content/{slot}?userId=…|anonymousId=…&format=json|html`: the personalised block of the slot, as data
 * (JSON) or as an HTML fragment rendered by the email renderer (escaped, no scripts). The write key (Basic auth,
 * as Segment's libraries send it) is the authorisation: 401 without it. 400 names a missing id or a bad format;
 * 404 an unknown slot. Answers are `cache-control: private, max-age=<setting>` with an ETag of the body, and a
 * request whose `If-None-Match` names it gets 304. CORS for the shop's origins (the Segment routes' list).
 */
export async function contentRoute(deps: ApiDeps, request: ApiRequest, slotId: string): Promise<ApiResponse> {
  const segment = deps.segment;
  const onsite = deps.onsite;
  if (segment === undefined || onsite === undefined) {
    return jsonResponse(404, { errors: [{ message: "not found", issues: [] }] });
  }
  const fail = reply(segment, request);
  const key = basicAuthUser(request.headers.authorization);
  if (key === undefined || (await segment.writeKeys.verify(key)) === undefined)
    return fail(401, "Unauthorized");
  const slot = onsite.slots.get(slotId);
  if (slot === undefined) return fail(404, `no slot ${slotId}: slots are the files of templates/slots/`);
  const format = request.query.get("format") ?? "json";
  if (format !== "json" && format !== "html") return fail(400, "format: json or html");
  const asked = request.query.get("userId") ?? request.query.get("anonymousId");
  if (asked === null || asked === "" || asked.length > 256) {
    return fail(400, "userId or anonymousId: required, one id of at most 256 characters");
  }
  const customerId = (await mergedInto(onsite.identities, asked)) ?? asked;
  const now = deps.clock.now();
  const stored = await deps.profiles.get(customerId);
  const profile = stored?.profile ?? emptyProfile(customerId, now);
  // The offer rotates as in messages: not the offer of the customer's last one when another is eligible.
  const recentOffer =
    slot.block === "offer" && stored !== undefined && onsite.ledger !== undefined
      ? (await lastShown(onsite.ledger, customerId, now)).offerId
      : undefined;
  // The lists are chosen as for an email (same length, so the same per-category limits), then cut to the slot.
  const prepared = await prepareEmailContext(onsite.context, {
    profile,
    now,
    campaign: ONSITE_CAMPAIGN,
    variant: "a",
    links: onsite.links,
    shop: onsite.shop,
    ...(slot.block === "recommendations" ? {} : { recommendations: 0 }),
    ...(slot.block === "content" ? {} : { contentItems: 0 }),
    ...(recentOffer === undefined ? {} : { recentOffer }),
  });
  const context: RenderContext = {
    ...prepared.context,
    recommendations: prepared.context.recommendations.slice(0, slot.limit),
    content: prepared.context.content.slice(0, slot.limit),
  };
  const cors = corsHeaders(segment.corsOrigins, request);
  let body: string;
  let contentType: string;
  if (format === "html") {
    const rendered = onsite.renderer.render({ template: slot.id, context });
    if (!rendered.ok) throw rendered.error;
    body = rendered.email.html;
    contentType = "text/html; charset=utf-8";
  } else {
    body = JSON.stringify(slotContent(slot, context, stored !== undefined));
    contentType = "application/json";
  }
  const etag = `"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"`;
  const headers: Record<string, string> = {
    ...cors,
    "content-type": contentType,
    "cache-control": `private, max-age=${onsite.maxAgeSeconds ?? CONTENT_MAX_AGE_DEFAULT_SECONDS}`,
    etag,
    vary: cors.vary === undefined ? "Authorization" : "Origin, Authorization",
    "x-content-type-options": "nosniff",
  };
  if (matches(request.headers["if-none-match"], etag)) return { status: 304, headers, body: "" };
  return { status: 200, headers, body };
}

/** Whether an `If-None-Match` header names `etag` (or is `*`); weak tags compare by their value. */
function matches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  return header.split(",").some((tag) => {
    const value = tag.trim().replace(/^W\//, "");
    return value === "*" || value === etag;
  });
}

/** The data points of the slot's block, from the same render context the HTML is rendered from. */
export function slotContent(slot: SlotDefinition, context: RenderContext, known: boolean): SlotContent {
  const base = { slot: slot.id, block: slot.block, known };
  switch (slot.block) {
    case "recommendations":
      return {
        ...base,
        recommendations: context.recommendations,
        recommendationsBasis: context.recommendations_basis,
      };
    case "offer":
      return { ...base, offer: context.offer };
    case "content":
      return { ...base, content: context.content };
  }
}

/** The methods of `/v1/content/{slot}`: `GET`, and the browsers' preflight. */
export const CONTENT_METHODS: Readonly<
  Record<string, (deps: ApiDeps, request: ApiRequest) => Promise<ApiResponse>>
> = {
  GET: async (deps, request) => contentRoute(deps, request, CONTENT_PATH.exec(request.path)?.[1] ?? ""),
  OPTIONS: async (deps, request) =>
    deps.segment === undefined || deps.onsite === undefined
      ? jsonResponse(404, { errors: [{ message: "not found", issues: [] }] })
      : preflightResponse(deps.segment.corsOrigins, request, "GET, OPTIONS"),
};
