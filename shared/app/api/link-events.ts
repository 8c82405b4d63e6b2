import { createHash } from "node:crypto";
import { decodeEvent, EVENT_NAMES } from "#shared/domain/events/index.js";
import { TailorError } from "#shared/errors.js";
import type { EventRecord } from "#shared/ports.js";
import type { LinkClaims } from "#shared/render/signed-links.js";

const encoder = new TextEncoder();

/** Where the API's own events say they came from (`context.library`). */
const LIBRARY = { name: "tailor-api" } as const;

/** An event the API built did not pass the ingest's decoder: a bug here, never the caller's fault. */
export class ApiEventBuildError extends TailorError {
  constructor(message: string, cause?: unknown) {
    super(message, { retryable: false, cause });
  }
}

function digest(...parts: readonly string[]): string {
  return createHash("sha256").update(parts.join("\n")).digest("base64url");
}

/**
 * The `Unsubscribed` track event of an unsubscribe link. Its `messageId` is derived from the token and from the
 * marketing grant the click withdraws (`grantedAt`, the time of the customer's current grant, read at request
 * time; undefined when there is none or it could not be read): every click of the same link against the same
 * grant is the same event and the fold applies it once, while a click after a re-subscription (a newer grant)
 * is a new event that takes effect.
 */
export function unsubscribeEvent(
  claims: LinkClaims,
  token: string,
  now: number,
  grantedAt?: number,
): Record<string, unknown> {
  const id =
    grantedAt === undefined
      ? digest("unsubscribe", token)
      : digest("unsubscribe", token, `granted@${String(grantedAt)}`);
  return {
    type: "track",
    event: EVENT_NAMES.unsubscribed,
    messageId: `unsubscribe-${id}`,
    userId: claims.customerId,
    timestamp: new Date(now).toISOString(),
    properties: {
      purpose: "marketing_email",
      ...(claims.campaignId === "" ? {} : { campaign_id: claims.campaignId }),
    },
    context: { library: LIBRARY },
  };
}

/**
 * The `Consent Updated` track event of the preference page for marketing email. The `messageId` is derived from
 * the token, the choice and the time: a re-posted form is one event, a later change of mind is another.
 */
export function marketingConsentEvent(
  claims: LinkClaims,
  token: string,
  granted: boolean,
  now: number,
): Record<string, unknown> {
  return {
    type: "track",
    event: EVENT_NAMES.consent_updated,
    messageId: `consent-${digest("consent", token, String(granted), String(now))}`,
    userId: claims.customerId,
    timestamp: new Date(now).toISOString(),
    properties: { purpose: "marketing_email", granted, source: "preference_page" },
    context: { library: LIBRARY },
  };
}

/** Serialises an event the API built and checks it with the ingest's own decoder before it goes on the stream. */
export function toEventRecord(event: Record<string, unknown>, now: number): EventRecord {
  const data = encoder.encode(JSON.stringify(event));
  const decoded = decodeEvent(data, now);
  if (!decoded.ok) {
    throw new ApiEventBuildError(`built an invalid event: ${decoded.error.message}`, decoded.error);
  }
  return { customerId: decoded.event.customerId, data };
}

/**
 * The `Consent Updated` event a double opt-in confirmation puts: marketing email granted, source `double-opt-in`.
 * Its messageId comes from the token alone, so confirming twice is one decision.
 */
export function confirmationEvent(claims: LinkClaims, token: string, now: number): Record<string, unknown> {
  return {
    type: "track",
    event: EVENT_NAMES.consent_updated,
    messageId: `confirm-${digest("confirm", token)}`,
    userId: claims.customerId,
    timestamp: new Date(now).toISOString(),
    properties: { purpose: "marketing_email", granted: true, source: "double-opt-in" },
    context: { library: LIBRARY },
  };
}
